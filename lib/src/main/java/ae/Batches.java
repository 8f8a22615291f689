package ae;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Mini-batches, so that a notebook's training loop stays a plain loop with {@code net.fit(x, y)} in it:
 *
 * <pre>
 *   for (int[] rows : Batches.shuffled(xTrain.rows(), 256, rng)) {   // one epoch, a new order each call
 *       INDArray x = Batches.rows(xTrain, rows);
 *       net.fit(x, x);
 *   }
 *   INDArray xHat = Batches.map(xTest, 1_000, net::output);           // predictions 1,000 rows at a time
 * </pre>
 */
public final class Batches {

    private Batches() {}

    /** The row numbers 0 … n-1 in a random order drawn from {@code rng}, cut into batches of {@code size} (the last may be smaller). */
    public static List<int[]> shuffled(long n, int size, Random rng) {
        int[] order = order(n, size);
        for (int i = order.length - 1; i > 0; i--) {   // Fisher-Yates
            int j = rng.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return cut(order, size);
    }

    /** The row numbers 0 … n-1 in order, cut into batches of {@code size} (the last may be smaller). */
    public static List<int[]> inOrder(long n, int size) {
        return cut(order(n, size), size);
    }

    /** A new array holding the given rows of {@code x}, in that order. */
    public static INDArray rows(INDArray x, int[] rows) {
        return Nd4j.pullRows(x, 1, rows);
    }

    /**
     * {@code f} applied to {@code x}'s rows {@code size} at a time, the results stacked in order. A network's
     * activations for 10,000 images at once take gigabytes; in batches of 1,000 they take megabytes. {@code f}'s
     * result may have any shape whose first dimension is the batch's rows: it is flattened to one row per input row.
     * The batches' results are freed once they are stacked (not at the next garbage collection, which would let a few
     * calls pile up hundreds of megabytes off the heap), so {@code f} returns a new array, as a network's output is.
     */
    public static INDArray map(INDArray x, int size, UnaryOperator<INDArray> f) {
        if (size < 1) throw new IllegalArgumentException("a batch needs at least one row, not " + size);
        if (x.rows() == 0) throw new IllegalArgumentException("there are no rows to map");
        List<INDArray> results = new ArrayList<>(), parts = new ArrayList<>();
        for (long start = 0; start < x.rows(); start += size) {
            INDArray part = f.apply(x.get(NDArrayIndex.interval(start, Math.min(x.rows(), start + size)), NDArrayIndex.all()));
            results.add(part);
            parts.add(part.rank() == 2 ? part : part.reshape(part.size(0), part.length() / part.size(0)));
        }
        if (parts.size() == 1) return parts.get(0);
        INDArray stacked = Nd4j.concat(0, parts.toArray(INDArray[]::new));
        for (INDArray part : results) if (part.closeable() && part.data() != x.data() && part.data() != stacked.data()) part.close();
        return stacked;
    }

    private static int[] order(long n, int size) {
        if (size < 1) throw new IllegalArgumentException("a batch needs at least one row, not " + size);
        if (n < 0 || n > Integer.MAX_VALUE) throw new IllegalArgumentException("cannot batch " + n + " rows");
        int[] order = new int[(int) n];
        for (int i = 0; i < order.length; i++) order[i] = i;
        return order;
    }

    private static List<int[]> cut(int[] order, int size) {
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < order.length; start += size) {
            batches.add(java.util.Arrays.copyOfRange(order, start, Math.min(order.length, start + size)));
        }
        return batches;
    }
}
