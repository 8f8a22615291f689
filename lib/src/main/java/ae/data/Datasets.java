package ae.data;

import java.util.List;

/**
 * The registry of every published file the course downloads, with official URLs and checksums.
 * Checksums are those of the publishers' original files (MNIST's match the canonical MD5s).
 */
public final class Datasets {

    private Datasets() {}

    private static final String LECUN = "http://yann.lecun.com/exdb/mnist/";
    private static final String MNIST_MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/";
    private static final String ZALANDO = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    static final DataFile MNIST_TRAIN_IMAGES = mnist("train-images-idx3-ubyte.gz", 9912422,
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609");
    static final DataFile MNIST_TRAIN_LABELS = mnist("train-labels-idx1-ubyte.gz", 28881,
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c");
    static final DataFile MNIST_TEST_IMAGES = mnist("t10k-images-idx3-ubyte.gz", 1648877,
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6");
    static final DataFile MNIST_TEST_LABELS = mnist("t10k-labels-idx1-ubyte.gz", 4542,
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6");

    static final DataFile FASHION_TRAIN_IMAGES = fashion("train-images-idx3-ubyte.gz", 26421880,
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84");
    static final DataFile FASHION_TRAIN_LABELS = fashion("train-labels-idx1-ubyte.gz", 29515,
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845");
    static final DataFile FASHION_TEST_IMAGES = fashion("t10k-images-idx3-ubyte.gz", 4422102,
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073");
    static final DataFile FASHION_TEST_LABELS = fashion("t10k-labels-idx1-ubyte.gz", 5148,
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5");

    /** The whole official CIFAR-10 binary archive; only a SHA-1 is published for it (Apache MXNet's registry). */
    static final DataFile CIFAR10_BINARY = new DataFile("cifar-10", "cifar-10-binary.tar.gz",
            List.of("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"),
            "SHA-1", "fab780a1e191a7eda0f345501ccd62d20f7ed891", -1);

    /**
     * The CIFAR-10 subset of the course's data folder ({@code shared/datasets/cifar-10-subset}): the first 4,000
     * records of {@code data_batch_1.bin} and the first 1,000 of {@code test_batch.bin}, byte for byte in the official
     * record format. Nobody publishes these files on the web, so they have no URL: only a mirror (CI, a classroom)
     * offers them. {@link Cifar10} uses them when the whole archive is not at hand.
     */
    static final DataFile CIFAR10_SUBSET_TRAIN = new DataFile("cifar-10-subset", "data_batch_1.first-4000.bin", List.of(),
            "SHA-256", "0993cf8b8e43bc207603aef9787006995746513f5e3fa5a52e06d1b069926330", 4000L * 3073);
    static final DataFile CIFAR10_SUBSET_TEST = new DataFile("cifar-10-subset", "test_batch.first-1000.bin", List.of(),
            "SHA-256", "8314c96d7cd65618193bab23acdd5d4c4af15bf6dd00a1781d55beedf3be1ef5", 1000L * 3073);

    /** The AutoEncatter tutorial's repository, at the commit whose cat photos the checksums below were taken from. */
    private static final String AUTOENCATTER = "https://raw.githubusercontent.com/StrikingLoo/AutoEncatter/"
            + "4b45e9fbf67fd68ea38d1a94d05fa2c1539355c7/training_data/cats/";

    /**
     * How many kitten photos the course knows checksums for: {@code cat.0.jpg} to {@code cat.8191.jpg}, the 8,192
     * photos the tutorial trains on (their sums are those of the published Dogs vs. Cats photos; two of them,
     * cat.6143 and cat.6204, are the same picture).
     */
    public static final int KITTENS = 8192;

    private static volatile String[] kittenSums;

    /**
     * Kitten photo {@code cat.<n>.jpg} (Kaggle's Dogs vs. Cats photos, as the AutoEncatter tutorial's repository
     * holds them), 0 &le; n &lt; {@link #KITTENS}. Their SHA-256 sums are in {@code ae/kittens.sha256}.
     */
    static DataFile kitten(int n) {
        if (n < 0 || n >= KITTENS) {
            throw new IllegalArgumentException("there are kitten photos 0 to " + (KITTENS - 1) + ", not " + n);
        }
        String name = "cat." + n + ".jpg";
        return DataFile.sha256("kittens", name, -1, kittenSums()[n], AUTOENCATTER + name);
    }

    private static String[] kittenSums() {
        if (kittenSums == null) {
            String[] sums = new String[KITTENS];
            try (var in = Datasets.class.getResourceAsStream("kittens.sha256")) {
                if (in == null) throw new IllegalStateException("ae/kittens.sha256 is missing from the helper jar");
                for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
                    if (line.isBlank()) continue;
                    String[] parts = line.trim().split("\\s+");   // "<sha256>  kittens/cat.<n>.jpg"
                    int n = Integer.parseInt(parts[1].replaceAll(".*cat\\.(\\d+)\\.jpg", "$1"));
                    sums[n] = parts[0];
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            for (int n = 0; n < KITTENS; n++) {
                if (sums[n] == null) throw new IllegalStateException("ae/kittens.sha256 has no line for cat." + n + ".jpg");
            }
            kittenSums = sums;
        }
        return kittenSums;
    }

    /** Every file in the registry that has a download URL (the kittens are listed by {@link #kitten(int)}). */
    static List<DataFile> all() {
        return List.of(MNIST_TRAIN_IMAGES, MNIST_TRAIN_LABELS, MNIST_TEST_IMAGES, MNIST_TEST_LABELS,
                FASHION_TRAIN_IMAGES, FASHION_TRAIN_LABELS, FASHION_TEST_IMAGES, FASHION_TEST_LABELS,
                CIFAR10_BINARY);
    }

    private static DataFile mnist(String name, long bytes, String sha256) {
        return DataFile.sha256("mnist", name, bytes, sha256, LECUN + name, MNIST_MIRROR + name);
    }

    private static DataFile fashion(String name, long bytes, String sha256) {
        return DataFile.sha256("fashion-mnist", name, bytes, sha256, ZALANDO + name);
    }
}
