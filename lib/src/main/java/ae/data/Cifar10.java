package ae.data;

import ae.Pixels;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CIFAR-10 (Krizhevsky, Nair and Hinton): 32×32 colour photos in ten classes, read from the official binary files.
 *
 * <pre>
 *   Cifar10 cifar = Cifar10.load();
 *   Images horses = cifar.train("horse").grayscale();   // pixels in [0, 1], one row per image
 * </pre>
 *
 * <p>Where the data comes from, in this order: the official archive {@code cifar-10-binary.tar.gz} if the cache or
 * the mirror has it; else the course's subset (the first 4,000 training and 1,000 test records, see
 * {@link Datasets#CIFAR10_SUBSET_TRAIN}) if the cache or the mirror has that; else the archive is downloaded
 * (163 MB, checked against its published SHA-1). {@link #description()} says which one was used.
 */
public final class Cifar10 {

    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");

    static final int SIDE = 32, PIXELS = 3 * SIDE * SIDE, RECORD = 1 + PIXELS;

    /** The records as they are in the files (1 label byte + 3,072 pixel bytes each): 31 MB per 10,000 images. */
    private final List<byte[]> trainRecords;
    private final byte[] testRecords;
    private final String description;

    private Cifar10(List<byte[]> trainRecords, byte[] testRecords, String description) {
        this.trainRecords = trainRecords;
        this.testRecords = testRecords;
        this.description = description;
    }

    /** Loads the training and test records from the best source at hand (see the class comment). */
    public static Cifar10 load() {
        return load(DataCache.fromSettings(), Datasets.CIFAR10_BINARY, Datasets.CIFAR10_SUBSET_TRAIN, Datasets.CIFAR10_SUBSET_TEST);
    }

    static Cifar10 load(DataCache cache, DataFile whole, DataFile subsetTrain, DataFile subsetTest) {
        Path archive = cache.find(whole);
        if (archive == null) {
            Path train = cache.find(subsetTrain);
            Path test = train == null ? null : cache.find(subsetTest);
            if (test != null) {
                byte[] trainRecords = records(train), testRecords = records(test);
                return new Cifar10(List.of(trainRecords), testRecords, String.format(java.util.Locale.ROOT,
                        "CIFAR-10 subset: the first %,d training and %,d test images of the official files"
                        + " (the whole set is downloaded when neither the cache nor the mirror has the subset)",
                        trainRecords.length / RECORD, testRecords.length / RECORD));
            }
            archive = cache.get(whole);
        }
        return fromArchive(archive);
    }

    /** The training images of the given classes (all ten if none are named), 3 channels, pixels in [0, 1]. */
    public Images train(String... classes) {
        return images(trainRecords, classes);
    }

    /** The test images of the given classes (all ten if none are named). */
    public Images test(String... classes) {
        return images(List.of(testRecords), classes);
    }

    /** Which files the images came from, for a notebook to print. */
    public String description() {
        return description;
    }

    /** Reads {@code data_batch_1..5.bin} and {@code test_batch.bin} straight out of the official archive. */
    static Cifar10 fromArchive(Path archive) {
        byte[][] train = new byte[5][];
        byte[] test = null;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16))) {
            for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
                String name = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                if (name.matches("data_batch_[1-5]\\.bin")) {
                    train[name.charAt(11) - '1'] = records(tar, e.getSize(), archive.getFileName() + "!" + e.getName());
                } else if (name.equals("test_batch.bin")) {
                    test = records(tar, e.getSize(), archive.getFileName() + "!" + e.getName());
                }
            }
        } catch (IOException e) {
            throw new DataException("Could not read " + archive.getFileName() + " (a damaged file? delete it from the cache"
                    + " folder and run again): " + e, e);
        }
        if (java.util.Arrays.asList(train).contains(null) || test == null) {
            throw new DataException(archive.getFileName() + " does not hold the five training batches and the test batch of"
                    + " CIFAR-10's binary version; delete it and run again to download it afresh");
        }
        return new Cifar10(List.of(train), test, "CIFAR-10, the official binary files (50,000 training and 10,000 test images)");
    }

    static byte[] records(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return records(in, Files.size(file), file.getFileName().toString());
        } catch (IOException e) {
            throw new DataException("Could not read " + file.getFileName() + ": " + e, e);
        }
    }

    /** Reads {@code bytes} of records and checks that they look like CIFAR-10's. */
    static byte[] records(InputStream in, long bytes, String what) throws IOException {
        if (bytes % RECORD != 0 || bytes > Integer.MAX_VALUE) {
            throw new DataException(what + " has " + bytes + " bytes, not a whole number of CIFAR-10 records ("
                    + RECORD + " bytes each): it is not a CIFAR-10 binary batch file");
        }
        byte[] data = new byte[(int) bytes];
        new DataInputStream(in).readFully(data);
        for (int i = 0; i < data.length; i += RECORD) {
            if ((data[i] & 0xFF) >= CLASSES.size()) {
                throw new DataException(what + ": record " + i / RECORD + " has label " + (data[i] & 0xFF)
                        + "; CIFAR-10 labels are 0-9, so this is not a CIFAR-10 binary batch file");
            }
        }
        return data;
    }

    /** The records of the wanted classes as Images, filled 1,000 at a time (no full-size copy on the Java heap). */
    static Images images(List<byte[]> batches, String... classes) {
        boolean[] keep = new boolean[CLASSES.size()];
        for (String c : classes) {
            int k = CLASSES.indexOf(c);
            if (k < 0) throw new IllegalArgumentException("CIFAR-10 has no class '" + c + "'; its classes are " + CLASSES);
            keep[k] = true;
        }
        if (classes.length == 0) java.util.Arrays.fill(keep, true);
        int count = 0;
        for (byte[] b : batches) for (int i = 0; i < b.length; i += RECORD) if (keep[b[i]]) count++;
        if (count == 0) return new Images(Nd4j.create(DataType.FLOAT, 0, PIXELS), new int[0], CLASSES, 3, SIDE, SIDE);
        int[] labels = new int[count];
        int[][] where = new int[count][];   // {batch, offset of the record}
        int row = 0;
        for (int bi = 0; bi < batches.size(); bi++) {
            byte[] b = batches.get(bi);
            for (int i = 0; i < b.length; i += RECORD) if (keep[b[i]]) { labels[row] = b[i]; where[row++] = new int[] {bi, i}; }
        }
        INDArray x;
        try {
            x = Rows.fill(count, PIXELS, (r, into, at) -> {
                byte[] b = batches.get(where[r][0]);
                int from = where[r][1] + 1;
                Pixels.toFloats(b, from, into, at, PIXELS);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // the records are in memory: nothing here reads a file
        }
        return new Images(x, labels, CLASSES, 3, SIDE, SIDE);
    }
}
