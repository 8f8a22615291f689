package ae;

import ae.show.Plot;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CodesTest {

    @Test
    void principalComponentsFindTheDirectionsOfLargestVariance() {
        // points spread along (1, 1, 0) a lot, along (1, -1, 0) a little, not at all along z
        double[][] rows = new double[200][];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < rows.length; i++) {
            double a = 5 * r.nextGaussian(), b = 0.5 * r.nextGaussian();
            rows[i] = new double[] {a + b + 3, a - b - 1, 2};
        }
        Codes.Map map = Codes.principalComponents(Nd4j.createFromArray(rows), 2);
        assertArrayEquals(new long[] {200, 2}, map.points().shape());
        assertEquals(0.99, map.explained()[0], 0.01);
        assertEquals(0.01, map.explained()[1], 0.01);
        // the first coordinate is ±(a·√2): its variance is about 2 · 25
        double var0 = map.points().getColumn(0).varNumber().doubleValue();
        assertEquals(50, var0, 12);
        var e = assertThrows(IllegalArgumentException.class, () -> Codes.principalComponents(Nd4j.createFromArray(rows), 4));
        assertTrue(e.getMessage().contains("between 1 and 3"), e.getMessage());
    }

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
    void theScatterHasOneSeriesPerClassPresent() {
        Codes.Map map = new Codes.Map(Nd4j.createFromArray(new float[][] {{0, 0}, {1, 1}, {2, 2}}), new double[] {0.6, 0.3});
        var chart = Codes.scatter("t", map, new int[] {0, 2, 2}, List.of("a", "b", "c"));
        assertEquals(java.util.Set.of("a", "c"), chart.getSeriesMap().keySet());
        assertTrue(chart.getXAxisTitle().contains("60%"), chart.getXAxisTitle());
    }

    @Test
    void theInteractiveMapHasOneTracePerClassAndSaysWhichTestImageEachPointIs() {
        Codes.Map map = new Codes.Map(Nd4j.createFromArray(new float[][] {{0, 0}, {1, 1}, {2, 2}, {3, 0.5f}}), new double[] {0.6, 0.3});
        Plot plot = Codes.plot("Codes of 4 test images", map, new int[] {2, 0, 2, 0}, List.of("a", "b", "c"));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> fig = assertDoesNotThrow(() -> new com.fasterxml.jackson.databind.ObjectMapper().readValue(plot.json(), java.util.Map.class));
        @SuppressWarnings("unchecked")
        List<java.util.Map<String, Object>> traces = (List<java.util.Map<String, Object>>) fig.get("data");
        assertEquals(List.of("a", "c"), traces.stream().map(t -> t.get("name")).toList(), "classes present, in the order of the class names");
        List<?> aHover = (List<?>) traces.get(0).get("hovertext"), cHover = (List<?>) traces.get(1).get("hovertext");
        assertEquals(2, aHover.size());
        assertTrue(((String) aHover.get(0)).startsWith("test image 1<br>class: a<br>"), aHover.toString());
        assertTrue(((String) aHover.get(1)).startsWith("test image 3<br>class: a<br>"), aHover.toString());
        assertTrue(((String) cHover.get(1)).startsWith("test image 2<br>class: c<br>"), cHover.toString());
        assertEquals(List.of(3.0, 0.5), List.of(((List<?>) traces.get(0).get("x")).get(1), ((List<?>) traces.get(0).get("y")).get(1)), "test image 3 sits at (3, 0.5)");
        assertEquals("principal component 1 (60% of the variance)", ((java.util.Map<?, ?>) ((java.util.Map<?, ?>) ((java.util.Map<?, ?>) fig.get("layout")).get("xaxis")).get("title")).get("text"));
        assertTrue(plot.text().contains("Codes of 4 test images"), plot.text());
        var e = assertThrows(IllegalArgumentException.class, () -> Codes.plot("t", map, new int[] {0, 1}, List.of("a", "b")));
        assertTrue(e.getMessage().contains("2 labels for 4 points"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Codes.plot("t", map, new int[] {0, 1, 5, 0}, List.of("a", "b")));
        assertTrue(e.getMessage().contains("label 5"), e.getMessage());
    }
}
