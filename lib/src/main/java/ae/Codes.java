package ae;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/**
 * What a code is worth as a representation: a 2-D map of codes (their first two principal components, {@link Pca}),
 * coloured by class, and a nearest-neighbour classifier that works on codes or on raw pixels alike.
 *
 * <pre>
 *   Pca map = Pca.fit(testCodes, 2);
 *   Show.figure(Codes.map("Test codes", map, testCodes, test.labels(), test.classNames()));   // hover = test image N
 *   double acc = Codes.nearestNeighbourAccuracy(trainCodes, train.labels(), testCodes, test.labels());
 * </pre>
 */
public final class Codes {

    private Codes() {}

    /**
     * The codes on their first two principal components as an interactive Tablesaw figure (show it with {@code
     * Show.figure}): one trace per class, in the order of {@code classNames}; hovering over a point shows "test image
     * N" (N its row in {@code codes}, counted from 0, as {@code xTest.getRow(N)} counts) and its class. Tablesaw's own
     * {@code ScatterPlot} colours by group but has no text per point: this is that, with the text.
     */
    public static Figure map(String title, Pca map, INDArray codes, int[] labels, List<String> classNames) {
        if (map.size() < 2) throw new IllegalArgumentException("a 2-D map needs a PCA of two components, not " + map.size());
        if (labels.length != codes.rows()) {
            throw new IllegalArgumentException(labels.length + " labels for " + codes.rows() + " codes: give one label per code");
        }
        INDArray xy = map.project(codes);
        double[] x = xy.getColumn(0).toDoubleVector(), y = xy.getColumn(1).toDoubleVector();
        List<Trace> traces = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            int cls = c;
            int[] rows = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == cls).toArray();
            if (rows.length == 0) continue;
            traces.add(ScatterTrace.builder(Arrays.stream(rows).mapToDouble(i -> x[i]).toArray(), Arrays.stream(rows).mapToDouble(i -> y[i]).toArray())
                    .name(classNames.get(c)).text(Arrays.stream(rows).mapToObj(i -> "test image " + i + "\nclass: " + classNames.get(cls)).toArray(String[]::new))
                    .build());
        }
        long unknown = Arrays.stream(labels).filter(l -> l < 0 || l >= classNames.size()).count();
        if (unknown > 0) throw new IllegalArgumentException(unknown + " labels are not classes: there are " + classNames.size() + " classes");
        return new Figure(Layout.builder(title, axisTitle(map, 0), axisTitle(map, 1)).width(640).height(420).build(), traces.toArray(Trace[]::new));
    }

    /** "principal component 1 (34% of the variance)". */
    static String axisTitle(Pca map, int component) {
        return String.format(Locale.ROOT, "principal component %d (%.0f%% of the variance)", component + 1, 100 * map.explained()[component]);
    }

    /**
     * The share of {@code queries} whose nearest row of {@code reference} (Euclidean distance) has the same label:
     * a 1-nearest-neighbour classifier, with no training. Works on codes and on raw pixels alike.
     */
    public static double nearestNeighbourAccuracy(INDArray reference, int[] referenceLabels, INDArray queries, int[] queryLabels) {
        if (reference.rows() != referenceLabels.length || queries.rows() != queryLabels.length) {
            throw new IllegalArgumentException(String.format("labels must match the rows: reference %d rows, %d labels; queries %d rows, %d labels",
                    reference.rows(), referenceLabels.length, queries.rows(), queryLabels.length));
        }
        if (reference.columns() != queries.columns()) {
            throw new IllegalArgumentException("reference rows have " + reference.columns() + " numbers, queries " + queries.columns());
        }
        // Every temporary below is closed as soon as it is used: left to the garbage collector, the copies and the
        // distance matrices of a few calls add up to hundreds of megabytes off the heap before a collection frees them.
        INDArray ref = reference.dataType() == DataType.FLOAT ? reference : reference.castTo(DataType.FLOAT);
        INDArray squares = ref.mul(ref), sums = squares.sum(1);
        squares.close();
        INDArray refNorms = sums.reshape(1, ref.rows());
        INDArray refT = ref.transpose().dup('c');   // one copy in the layout mmul wants, not one per batch
        int correct = 0, batch = 250;
        try {
            for (int start = 0; start < queries.rows(); start += batch) {
                int end = (int) Math.min(queries.rows(), start + batch);
                // The batch's rows copied (pullRows), not a view: in ND4J 1.0.0-M2.1 get(interval(...)) of a view that
                // starts inside a larger array sometimes returns an empty array (the unit test has such a view).
                INDArray rows = Nd4j.pullRows(queries, 1, java.util.stream.IntStream.range(start, end).toArray());
                INDArray q = rows.dataType() == DataType.FLOAT ? rows : rows.castTo(DataType.FLOAT);
                // |q - r|² = |q|² - 2 q·r + |r|²; |q|² is the same for every r, so it does not change the nearest one
                INDArray distance = q.mmul(refT).muli(-2).addiRowVector(refNorms);
                INDArray argMax = distance.negi().argMax(1);   // the smallest distance
                long[] nearest = argMax.toLongVector();
                for (int i = 0; i < nearest.length; i++) {
                    if (referenceLabels[(int) nearest[i]] == queryLabels[start + i]) correct++;
                }
                closeAll(argMax, distance, q, rows);
            }
        } finally {
            closeAll(refT, refNorms, sums);
            if (ref != reference) ref.close();
        }
        return (double) correct / queries.rows();
    }

    /** Frees arrays this class made (each once, in any order), at once instead of at the next garbage collection. */
    private static void closeAll(INDArray... arrays) {
        java.util.Set<INDArray> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (INDArray a : arrays) if (a != null && done.add(a) && a.closeable()) a.close();
    }
}
