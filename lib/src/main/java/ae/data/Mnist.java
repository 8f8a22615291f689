package ae.data;

import ae.Pixels;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MNIST digits and Fashion-MNIST clothes, read from the publishers' original IDX files through the download cache.
 *
 * <pre>
 *   Images train = Mnist.digits().train(10_000);   // first 10,000 training images, pixels in [0, 1]
 *   Images test  = Mnist.fashion().test(1_000);    // the first 1,000 test images
 * </pre>
 */
public final class Mnist {

    static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    public static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final DataFile trainImages, trainLabels, testImages, testLabels;
    private final List<String> classNames;

    private Mnist(DataFile trainImages, DataFile trainLabels, DataFile testImages, DataFile testLabels, List<String> classNames) {
        this.trainImages = trainImages;
        this.trainLabels = trainLabels;
        this.testImages = testImages;
        this.testLabels = testLabels;
        this.classNames = classNames;
    }

    /** Handwritten digits (LeCun, Cortes, Burges). */
    public static Mnist digits() {
        return new Mnist(Datasets.MNIST_TRAIN_IMAGES, Datasets.MNIST_TRAIN_LABELS,
                Datasets.MNIST_TEST_IMAGES, Datasets.MNIST_TEST_LABELS, DIGITS);
    }

    /** Zalando's Fashion-MNIST: same format, ten kinds of clothing. */
    public static Mnist fashion() {
        return new Mnist(Datasets.FASHION_TRAIN_IMAGES, Datasets.FASHION_TRAIN_LABELS,
                Datasets.FASHION_TEST_IMAGES, Datasets.FASHION_TEST_LABELS, FASHION);
    }

    /** All 60,000 training images. */
    public Images train() {
        return train(Integer.MAX_VALUE);
    }

    /** The first {@code limit} training images. */
    public Images train(int limit) {
        return read(trainImages, trainLabels, limit);
    }

    /** The first {@code limit} test images (there are 10,000). */
    public Images test(int limit) {
        return read(testImages, testLabels, limit);
    }

    private Images read(DataFile images, DataFile labels, int limit) {
        return read(DataCache.fetch(images), DataCache.fetch(labels), limit, classNames);
    }

    /** Reads an IDX image file and its label file (gzip), keeping at most {@code limit} images. */
    static Images read(Path imagesGz, Path labelsGz, int limit, List<String> classNames) {
        try (DataInputStream img = open(imagesGz); DataInputStream lab = open(labelsGz)) {
            expectMagic(img, 2051, imagesGz);
            expectMagic(lab, 2049, labelsGz);
            int n = img.readInt(), rows = img.readInt(), cols = img.readInt();
            int nLabels = lab.readInt();
            if (n != nLabels) {
                throw new DataException(imagesGz.getFileName() + " has " + n + " images but " + labelsGz + " has " + nLabels + " labels; delete both from the cache and run again");
            }
            int count = Math.min(n, Math.max(0, limit));
            int size = rows * cols;
            byte[] raw = new byte[size];
            INDArray x = Rows.fill(count, size, (i, into, at) -> {
                img.readFully(raw);
                Pixels.toFloats(raw, 0, into, at, size);
            });
            byte[] labelBytes = new byte[count];
            int[] labelIdx = new int[count];
            lab.readFully(labelBytes);
            for (int i = 0; i < count; i++) labelIdx[i] = labelBytes[i] & 0xFF;
            return new Images(x, labelIdx, classNames, 1, rows, cols);
        } catch (IOException e) {
            throw new DataException("Could not read " + imagesGz.getFileName() + " / " + labelsGz.getFileName()
                    + " (a damaged file? delete it from the cache folder and run again): " + e, e);
        }
    }

    private static DataInputStream open(Path gz) throws IOException {
        return new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(gz), 1 << 16), 1 << 16));
    }

    private static void expectMagic(DataInputStream in, int magic, Path file) throws IOException {
        int m = in.readInt();
        if (m != magic) {
            throw new DataException(file.getFileName() + " is not an IDX file of the expected kind (magic " + m + ", expected "
                    + magic + "); delete it from the cache folder and run again");
        }
    }
}
