package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.traces.Trace;

class CodesTest {

    @Test
    void theNearestNeighbourClassifierCountsMatchingLabels() {
        INDArray ref = Nd4j.createFromArray(new float[][] {{0, 0}, {10, 0}, {0, 10}});
        int[] refLabels = {0, 1, 2};
        INDArray q = Nd4j.createFromArray(new float[][] {{1, 1}, {9, 1}, {1, 8}, {6, 0}});
        assertEquals(1.0, Codes.nearestNeighbourAccuracy(ref, refLabels, q, new int[] {0, 1, 2, 1}));
        assertEquals(0.75, Codes.nearestNeighbourAccuracy(ref, refLabels, q, new int[] {0, 1, 2, 0}));
        // more queries than one batch
        INDArray many = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 600, 2).muli(2);   // all near (0, 0)..(2, 2)
        assertEquals(1.0, Codes.nearestNeighbourAccuracy(ref, refLabels, many, new int[600]));
        var e = assertThrows(IllegalArgumentException.class, () -> Codes.nearestNeighbourAccuracy(ref, new int[2], q, new int[4]));
        assertTrue(e.getMessage().contains("3 rows, 2 labels"), e.getMessage());
    }

    @Test
    void theClassifierAgreesWithABruteForceSearchAndLeavesItsInputsAlone() {
        // random codes in 5 dimensions, labels by a rule the classifier does not know; reference in double precision,
        // queries a view of a larger array: the arrays the classifier makes and frees are its own
        org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(7);
        INDArray ref = Nd4j.rand(rng, 300, 5).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray all = Nd4j.rand(rng, 700, 5).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        INDArray q = all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(100, 700), org.nd4j.linalg.indexing.NDArrayIndex.all());
        int[] refLabels = new int[300], queryLabels = new int[600];
        for (int i = 0; i < 300; i++) refLabels[i] = ref.getDouble(i, 0) + ref.getDouble(i, 1) > 1 ? 1 : 0;
        for (int i = 0; i < 600; i++) queryLabels[i] = i % 3 == 0 ? 0 : 1;
        INDArray refBefore = ref.dup(), qBefore = q.dup();
        int correct = 0;
        for (int i = 0; i < 600; i++) {
            int best = 0;
            double bestDistance = Double.MAX_VALUE;
            for (int j = 0; j < 300; j++) {
                double d = 0;
                for (int k = 0; k < 5; k++) d += Math.pow(q.getDouble(i, k) - ref.getDouble(j, k), 2);
                if (d < bestDistance) { bestDistance = d; best = j; }
            }
            if (refLabels[best] == queryLabels[i]) correct++;
        }
        assertEquals(correct / 600.0, Codes.nearestNeighbourAccuracy(ref, refLabels, q, queryLabels), 1e-12);
        assertEquals(refBefore, ref);
        assertEquals(qBefore, q);
    }

    @Test
    void theMapHasOneTracePerClassAndSaysWhichTestImageEachPointIs() {
        // four codes of three numbers along two clear directions
        INDArray codes = Nd4j.createFromArray(new double[][] {{0, 0, 1}, {2, 0, 1}, {0, 1, 1}, {2, 1.2, 1}});
        Pca map = Pca.fit(codes, 2);
        Figure figure = Codes.map("Codes of 4 test images", map, codes, new int[] {2, 0, 2, 0}, List.of("a", "b", "c"));
        Trace[] traces = figure.getTraces();
        assertEquals(2, traces.length, "classes present only");
        String a = traces[0].asJavascript(0), c = traces[1].asJavascript(1);
        assertTrue(a.contains("name: 'a'") && c.contains("name: 'c'"), "in the order of the class names: " + a + c);
        assertTrue(a.contains("\"test image 1\\nclass: a\",\"test image 3\\nclass: a\"") && c.contains("\"test image 0\\nclass: c\""), a + c);
        assertEquals("Codes of 4 test images", figure.getLayout().getTitle());
        String layout = figure.getLayout().asJavascript();
        assertTrue(layout.contains("principal component 1 (" + Math.round(100 * map.explained()[0]) + "% of the variance)"), layout);
        var e = assertThrows(IllegalArgumentException.class, () -> Codes.map("t", map, codes, new int[] {0, 1}, List.of("a", "b")));
        assertTrue(e.getMessage().contains("2 labels for 4 codes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Codes.map("t", map, codes, new int[] {0, 1, 5, 0}, List.of("a", "b")));
        assertTrue(e.getMessage().contains("1 labels are not classes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Codes.map("t", Pca.fit(codes, 1), codes, new int[4], List.of("a")));
        assertTrue(e.getMessage().contains("two components"), e.getMessage());
    }
}
