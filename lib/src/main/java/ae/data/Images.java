package ae.data;

import ae.Pixels;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A set of images as one matrix, the way the course's models take them.
 *
 * @param pixels     [n, channels·height·width] floats in [0, 1], each row one image (channels first, rows top-down)
 * @param labels     class index of each image
 * @param classNames name of each class
 */
public record Images(INDArray pixels, int[] labels, List<String> classNames, int channels, int height, int width) {

    public int size() {
        return (int) pixels.rows();
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive). */
    public Images slice(int from, int to) {
        int[] l = java.util.Arrays.copyOfRange(labels, from, to);
        return new Images(pixels.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()), l, classNames, channels, height, width);
    }

    /** The same images in grayscale: each pixel the mean of its channels (what the CIFAR-10 chapter of the book does). */
    public Images grayscale() {
        if (channels == 1) return this;
        INDArray gray = pixels.reshape('c', size(), channels, (long) height * width).mean(1);
        return new Images(gray, labels, classNames, 1, height, width);
    }

    /**
     * The same square RGB images at another size (bilinear, through 8-bit pixels, as the kitten photos are scaled):
     * e.g. kittens down to CIFAR-10's 32×32 and back up, so that both sets have been through the same blur.
     */
    public Images resized(int size) {
        if (channels != 3 || height != width) {
            throw new IllegalArgumentException("resized() takes square RGB images, not " + channels + "x" + height + "x" + width);
        }
        try {
            INDArray x = Rows.fill(size(), 3 * size * size, (i, into, at) -> Pixels.resize(pixels.getRow(i).toFloatVector(), height, size, into, at));
            return new Images(x, labels, classNames, 3, size, size);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);   // the images are in memory: nothing here reads a file
        }
    }

    public String className(int i) {
        return classNames.get(labels[i]);
    }
}
