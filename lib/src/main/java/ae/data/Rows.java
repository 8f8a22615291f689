package ae.data;

import java.io.IOException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Fills a new (off-heap) {@code [rows, width]} float array row by row through one small buffer on the Java heap,
 * 1,000 rows at a time: the loaders never hold a full-size copy of a data set on the heap.
 */
final class Rows {

    private Rows() {}

    static final int CHUNK = 1_000;

    /** Writes row {@code i} into {@code into[offset … offset + width)}; rows are asked for in order 0, 1, 2, … */
    @FunctionalInterface
    interface Source {
        void row(int i, float[] into, int offset) throws IOException;
    }

    static INDArray fill(int rows, int width, Source source) throws IOException {
        INDArray x = Nd4j.createUninitialized(DataType.FLOAT, rows, width);
        float[] buffer = new float[Math.min(CHUNK, Math.max(rows, 1)) * width];
        for (int start = 0; start < rows; start += CHUNK) {
            int m = Math.min(CHUNK, rows - start);
            for (int k = 0; k < m; k++) source.row(start + k, buffer, k * width);
            float[] part = m * width == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, m * width);
            try (INDArray chunk = Nd4j.create(part, new long[] {m, width}, DataType.FLOAT)) {
                // closed at once: left to the garbage collector, these copies add up to the whole data set off the heap
                x.get(NDArrayIndex.interval(start, start + m), NDArrayIndex.all()).assign(chunk);
            }
        }
        return x;
    }
}
