package ae.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {

    @TempDir Path tmp;

    /** Records with labels {@code labels}; record i has red = i + 1, green = 100, blue = 200 + label everywhere. */
    static byte[] records(int... labels) {
        byte[] out = new byte[labels.length * Cifar10.RECORD];
        for (int i = 0; i < labels.length; i++) {
            int at = i * Cifar10.RECORD;
            out[at] = (byte) labels[i];
            for (int j = 0; j < 1024; j++) {
                out[at + 1 + j] = (byte) (i + 1);
                out[at + 1 + 1024 + j] = (byte) 100;
                out[at + 1 + 2048 + j] = (byte) (200 + labels[i]);
            }
        }
        return out;
    }

    Path archive(boolean withTestBatch) throws IOException {
        Path file = tmp.resolve("cifar-10-binary.tar.gz");
        try (var tar = new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
            put(tar, "cifar-10-batches-bin/batches.meta.txt", "airplane\n".getBytes());
            for (int b = 1; b <= 5; b++) put(tar, "cifar-10-batches-bin/data_batch_" + b + ".bin", records(7, b, 7));
            if (withTestBatch) put(tar, "cifar-10-batches-bin/test_batch.bin", records(3, 7));
        }
        return file;
    }

    static void put(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    @Test
    void readsEveryBatchOfTheOfficialArchiveInOrderAndPicksClasses() throws IOException {
        Cifar10 cifar = Cifar10.fromArchive(archive(true));
        Images all = cifar.train();
        assertEquals(15, all.size());
        assertArrayEquals(new int[] {7, 1, 7, 7, 2, 7, 7, 3, 7, 7, 4, 7, 7, 5, 7}, all.labels());
        Images horses = cifar.train("horse");
        assertEquals(10, horses.size());
        assertEquals("horse", horses.className(0));
        assertArrayEquals(new long[] {10, 3072}, horses.pixels().shape());
        // batch 2's first record (the 3rd horse) has red = 1; the planes are red, green, blue in that order
        assertEquals(1 / 255f, horses.pixels().getFloat(2, 0), 1e-6);
        assertEquals(100 / 255f, horses.pixels().getFloat(2, 1024), 1e-6);
        assertEquals(207 / 255f, horses.pixels().getFloat(2, 3071), 1e-6);
        assertEquals(2, cifar.test().size());
        assertEquals(1, cifar.test("cat").size());
        assertEquals(2, cifar.train("bird", "truck", "automobile").size());   // labels 2 and 1; no truck
        assertTrue(cifar.description().contains("official"), cifar.description());
    }

    @Test
    void grayscaleIsTheMeanOfTheThreeChannels() throws IOException {
        Images gray = Cifar10.fromArchive(archive(true)).test("horse").grayscale();
        assertEquals(1, gray.channels());
        assertArrayEquals(new long[] {1, 1024}, gray.pixels().shape());
        assertEquals((2 + 100 + 207) / 3f / 255f, gray.pixels().getFloat(0, 500), 1e-6);
    }

    @Test
    void anArchiveWithoutTheTestBatchIsAnErrorThatSaysWhatToDo() throws IOException {
        Path file = archive(false);
        var e = assertThrows(DataException.class, () -> Cifar10.fromArchive(file));
        assertTrue(e.getMessage().contains("test batch") && e.getMessage().contains("delete it"), e.getMessage());
    }

    @Test
    void aFileThatIsNotMadeOfRecordsIsRefused() throws IOException {
        Path bad = Files.write(tmp.resolve("x.bin"), new byte[Cifar10.RECORD + 5]);
        var e = assertThrows(DataException.class, () -> Cifar10.records(bad));
        assertTrue(e.getMessage().contains("x.bin") && e.getMessage().contains("3073"), e.getMessage());
        byte[] wrongLabel = records(3);
        wrongLabel[0] = 12;
        Path labelled = Files.write(tmp.resolve("y.bin"), wrongLabel);
        e = assertThrows(DataException.class, () -> Cifar10.records(labelled));
        assertTrue(e.getMessage().contains("label 12"), e.getMessage());
    }

    @Test
    void anUnknownClassNameListsTheClasses() throws IOException {
        Cifar10 cifar = Cifar10.fromArchive(archive(true));
        var e = assertThrows(IllegalArgumentException.class, () -> cifar.train("hourse"));
        assertTrue(e.getMessage().contains("hourse") && e.getMessage().contains("horse"), e.getMessage());
    }

    static DataFile file(String dataset, String name, Path content) throws IOException {
        return new DataFile(dataset, name, List.of(), "SHA-256", DataCache.checksum(content, "SHA-256"), Files.size(content));
    }

    @Test
    void theSubsetInTheMirrorIsUsedWhenTheWholeArchiveIsNotAtHand() throws IOException {
        Path mirror = tmp.resolve("mirror");
        Files.createDirectories(mirror.resolve("subset"));
        Path train = Files.write(mirror.resolve("subset/train.bin"), records(7, 7, 1));
        Path test = Files.write(mirror.resolve("subset/test.bin"), records(7));
        Path whole = archive(true);
        DataFile wholeFile = new DataFile("cifar", "cifar-10-binary.tar.gz", List.of("http://127.0.0.1:9/unreachable"),
                "SHA-256", DataCache.checksum(whole, "SHA-256"), -1);
        DataCache cache = new DataCache(tmp.resolve("cache"), mirror.toString(), new PrintStream(OutputStream.nullOutputStream()));

        Cifar10 cifar = Cifar10.load(cache, wholeFile, file("subset", "train.bin", train), file("subset", "test.bin", test));
        assertEquals(2, cifar.train("horse").size());
        assertEquals(1, cifar.test().size());
        assertTrue(cifar.description().contains("subset") && cifar.description().contains("first 3 training"), cifar.description());
        assertTrue(Files.isRegularFile(tmp.resolve("cache/subset/train.bin")), "the subset is copied into the cache");

        // once the whole archive is in the mirror, it wins over the subset
        Files.createDirectories(mirror.resolve("cifar"));
        Files.copy(whole, mirror.resolve("cifar/cifar-10-binary.tar.gz"));
        cifar = Cifar10.load(cache, wholeFile, file("subset", "train.bin", train), file("subset", "test.bin", test));
        assertEquals(15, cifar.train().size());
    }

    @Test
    void withNeitherArchiveNorSubsetTheErrorNamesTheArchiveAndTheMirror() throws IOException {
        Path some = Files.write(tmp.resolve("some.bin"), records(1));
        DataFile wholeFile = new DataFile("cifar", "cifar-10-binary.tar.gz", List.of("http://127.0.0.1:9/unreachable"),
                "SHA-256", DataCache.checksum(some, "SHA-256"), -1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DataCache cache = new DataCache(tmp.resolve("cache"), tmp.resolve("empty-mirror").toString(), new PrintStream(log));
        var e = assertThrows(DataException.class, () -> Cifar10.load(cache, wholeFile,
                file("subset", "train.bin", some), file("subset", "test.bin", some)));
        assertTrue(e.getMessage().contains("cifar/cifar-10-binary.tar.gz") && e.getMessage().contains("AE_DATA_MIRROR"), e.getMessage());
    }
}
