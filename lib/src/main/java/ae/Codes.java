package ae;

import ae.show.Plot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What a code is worth as a representation: a 2-D map of codes (their first two principal components) and a
 * nearest-neighbour classifier that works on codes or on raw pixels alike.
 *
 * <pre>
 *   Codes.Map map = Codes.principalComponents(testCodes, 2);
 *   Codes.plot("Test codes", map, test.labels(), test.classNames()).show();   // interactive: hover = test image N
 *   Show.chart(Codes.scatter("Test codes", map, test.labels(), test.classNames()));   // the same as a static chart
 *   double acc = Codes.nearestNeighbourAccuracy(trainCodes, train.labels(), testCodes, test.labels());
 * </pre>
 */
public final class Codes {

    private Codes() {}

    /** Points projected onto the first principal components, and the share of the variance each one keeps. */
    public record Map(INDArray points, double[] explained) {}

    /**
     * The rows of {@code x} (one code per row) projected onto their first {@code k} principal components: the
     * directions of largest variance, the eigenvectors of the covariance matrix with the largest eigenvalues.
     */
    public static Map principalComponents(INDArray x, int k) {
        if (x.rank() != 2 || x.rows() < 2) throw new IllegalArgumentException("need at least two codes as rows of a matrix, got shape " + Arrays.toString(x.shape()));
        if (k < 1 || k > x.columns()) throw new IllegalArgumentException("k must be between 1 and " + x.columns() + ", not " + k);
        INDArray centred = x.castTo(DataType.DOUBLE);
        centred = centred.subRowVector(centred.mean(0));
        INDArray covariance = centred.transpose().mmul(centred).divi(x.rows() - 1);
        INDArray vectors = covariance.dup();   // overwritten with the eigenvectors, one per column
        double[] values = Eigen.symmetricGeneralizedEigenvalues(vectors, true).toDoubleVector();
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        double total = Arrays.stream(values).map(v -> Math.max(0, v)).sum();
        INDArray top = vectors.getColumns(Arrays.stream(order).limit(k).mapToInt(Integer::intValue).toArray());
        double[] explained = Arrays.stream(order).limit(k).mapToDouble(i -> total > 0 ? Math.max(0, values[i]) / total : 0).toArray();
        return new Map(centred.mmul(top).castTo(DataType.FLOAT), explained);
    }

    /**
     * The 2-D map as an interactive chart (call {@code show()} on it): one colour per class, in the order of
     * {@code classNames}; hovering over a point shows "test image N" (N its row in the map, counted from 0, as
     * {@code xTest.getRow(N)} counts) and its class. Row i of the map must be test image i.
     */
    public static Plot plot(String title, Map map, int[] labels, List<String> classNames) {
        float[][] xy = twoComponents(map, labels);
        double[] x = new double[labels.length], y = new double[labels.length];
        String[] hover = new String[labels.length];
        for (int i = 0; i < labels.length; i++) {
            x[i] = xy[0][i];
            y[i] = xy[1][i];
            String name = labels[i] >= 0 && labels[i] < classNames.size() ? classNames.get(labels[i]) : "?";   // Plot.groups rejects a bad label
            hover[i] = "test image " + i + "\nclass: " + name;
        }
        return Plot.scatter(title, axisTitle(map, 0), axisTitle(map, 1)).groups(x, y, labels, classNames, hover);
    }

    /** A scatter plot of the first two columns of {@code map.points()}, one colour per class, with a legend. */
    public static XYChart scatter(String title, Map map, int[] labels, List<String> classNames) {
        float[][] xy = twoComponents(map, labels);
        XYChart chart = new XYChartBuilder().width(760).height(520).title(title)
                .xAxisTitle(axisTitle(map, 0)).yAxisTitle(axisTitle(map, 1)).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(5).setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisDecimalPattern("0.#").setYAxisDecimalPattern("0.#");
        for (int c = 0; c < classNames.size(); c++) {
            List<Float> x = new ArrayList<>(), y = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) { x.add(xy[0][i]); y.add(xy[1][i]); }
            }
            if (!x.isEmpty()) chart.addSeries(classNames.get(c), x, y);
        }
        return chart;
    }

    /** The map's first two columns, after checking there is one label per point. */
    private static float[][] twoComponents(Map map, int[] labels) {
        INDArray p = map.points();
        if (p.rank() != 2 || p.columns() < 2) throw new IllegalArgumentException("a 2-D map needs two components, got shape " + Arrays.toString(p.shape()));
        if (labels.length != p.rows()) throw new IllegalArgumentException(labels.length + " labels for " + p.rows() + " points: give one label per point");
        return new float[][] {p.getColumn(0).toFloatVector(), p.getColumn(1).toFloatVector()};
    }

    /** "principal component 1 (34% of the variance)"; without the share if the map does not know it. */
    static String axisTitle(Map map, int component) {
        double[] e = map.explained();
        String name = "principal component " + (component + 1);
        return e != null && component < e.length ? String.format(Locale.ROOT, "%s (%.0f%% of the variance)", name, 100 * e[component]) : name;
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
        INDArray ref = reference.castTo(DataType.FLOAT);
        INDArray refNorms = ref.mul(ref).sum(1).reshape(1, ref.rows());
        INDArray refT = ref.transpose().dup('c');   // one copy in the layout mmul wants, not one per batch
        int correct = 0, batch = 250;
        for (long start = 0; start < queries.rows(); start += batch) {
            long end = Math.min(queries.rows(), start + batch);
            INDArray q = queries.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).castTo(DataType.FLOAT);
            // |q - r|² = |q|² - 2 q·r + |r|²; |q|² is the same for every r, so it does not change the nearest one
            INDArray distance = q.mmul(refT).muli(-2).addiRowVector(refNorms);
            long[] nearest = distance.negi().argMax(1).toLongVector();   // the smallest distance
            for (int i = 0; i < nearest.length; i++) {
                if (referenceLabels[(int) nearest[i]] == queryLabels[(int) start + i]) correct++;
            }
        }
        return (double) correct / queries.rows();
    }
}
