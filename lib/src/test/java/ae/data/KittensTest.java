package ae.data;

import static org.junit.jupiter.api.Assertions.*;

import ae.Progress;
import ae.Settings;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KittensTest {

    @TempDir Path tmp;

    Path jpeg(String name, int width, int height, int type, Color left, Color right) throws IOException {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(right);
        g.fillRect(width / 2, 0, width - width / 2, height);
        g.dispose();
        Path file = tmp.resolve(name);
        assertTrue(ImageIO.write(image, "jpg", file.toFile()));
        return file;
    }

    /** The picture's planar RGB values in [0, 1], after {@code offset} zeros. */
    static float[] floats(BufferedImage image, int offset) {
        byte[] bytes = new byte[3 * image.getWidth() * image.getHeight()];
        ae.Pixels.toPlanes(image, bytes, 0);
        float[] values = new float[offset + bytes.length];
        ae.Pixels.toFloats(bytes, 0, values, offset, bytes.length);
        return values;
    }

    @Test
    void aPhotoIsSqueezedToASquareAndSplitIntoRedGreenBluePlanes() throws IOException {
        // 400 x 100: wide, like many photos; the left half orange, the right half blue
        Path file = jpeg("wide.jpg", 400, 100, BufferedImage.TYPE_INT_RGB, new Color(230, 120, 20), new Color(10, 40, 220));
        BufferedImage small = Kittens.photo(file, 8);
        assertEquals(8, small.getWidth());
        assertEquals(8, small.getHeight());
        float[] planes = floats(small, 5);
        int plane = 64;
        // pixel (row 3, column 1) is in the left half, (row 3, column 6) in the right half; JPEG is lossy: 0.04
        assertEquals(230 / 255f, planes[5 + 3 * 8 + 1], 0.04);
        assertEquals(120 / 255f, planes[5 + plane + 3 * 8 + 1], 0.04);
        assertEquals(20 / 255f, planes[5 + 2 * plane + 3 * 8 + 1], 0.04);
        assertEquals(10 / 255f, planes[5 + 3 * 8 + 6], 0.04);
        assertEquals(220 / 255f, planes[5 + 2 * plane + 3 * 8 + 6], 0.04);
    }

    @Test
    void aGrayscalePhotoGivesThreeEqualPlanes() throws IOException {
        Path file = jpeg("gray.jpg", 60, 90, BufferedImage.TYPE_BYTE_GRAY, Color.DARK_GRAY, Color.LIGHT_GRAY);
        float[] planes = floats(Kittens.photo(file, 4), 0);
        for (int i = 0; i < 16; i++) {
            assertEquals(planes[i], planes[16 + i], 1e-6);
            assertEquals(planes[i], planes[32 + i], 1e-6);
        }
        assertTrue(planes[3] - planes[0] > 0.3, "the right half is lighter");
    }

    @Test
    void aFileThatIsNoImageIsNamedInTheError() throws IOException {
        Path bad = Files.writeString(tmp.resolve("cat.7.jpg"), "<html>not found</html>");
        var e = assertThrows(DataException.class, () -> Kittens.photo(bad, 48));
        assertTrue(e.getMessage().contains("cat.7.jpg") && e.getMessage().contains("delete it"), e.getMessage());
    }

    @Test
    void theRegistryKnowsTheTutorialsEightThousandKittens() {
        assertEquals(8192, Datasets.KITTENS);
        DataFile first = Datasets.kitten(0), last = Datasets.kitten(Datasets.KITTENS - 1);
        assertEquals("kittens/cat.0.jpg", first.relativePath());
        assertEquals("f4471041d9383442389e6fb4c1b05c67876272747c8095d36b43ce81a053122c", first.checksum());
        assertEquals("cat.8191.jpg", last.name());
        assertTrue(last.urls().get(0).startsWith("https://raw.githubusercontent.com/StrikingLoo/AutoEncatter/"), last.urls().toString());
        Set<String> sums = new HashSet<>();
        for (int n = 0; n < Datasets.KITTENS; n++) {
            assertTrue(Datasets.kitten(n).checksum().matches("[0-9a-f]{64}"), "cat." + n);
            sums.add(Datasets.kitten(n).checksum());
        }
        assertEquals(8191, sums.size(), "the published set holds one picture twice among these (cat.6143 and cat.6204)");
        assertEquals(Datasets.kitten(6143).checksum(), Datasets.kitten(6204).checksum());
        assertThrows(IllegalArgumentException.class, () -> Datasets.kitten(Datasets.KITTENS));
        var e = assertThrows(IllegalArgumentException.class, () -> Kittens.load(9000, 48));
        assertTrue(e.getMessage().contains("9000") && e.getMessage().contains("8192"), e.getMessage());
    }

    @Test
    void theRegistryHoldsTheSumsOfThePublishedList() throws IOException {
        // ../shared/datasets/kittens-all.sha256 (the course's data folder) lists all 12,500 published photos
        Path list = null;
        for (Path dir : new Path[] {Settings.mirror() == null ? null : Path.of(Settings.mirror()), Settings.home().resolve("../shared/datasets")}) {
            if (dir != null && Files.isRegularFile(dir.resolve("kittens-all.sha256"))) list = dir.resolve("kittens-all.sha256");
        }
        Assumptions.assumeTrue(list != null, "kittens-all.sha256 (the course's data folder) is not on this machine: the registry's "
                + "sums were not compared with the published list");
        Map<Integer, String> published = new HashMap<>();
        for (String line : Files.readAllLines(list)) {
            Matcher m = Pattern.compile("([0-9a-f]{64})\\s+kittens/cat\\.(\\d+)\\.jpg").matcher(line.trim());
            if (m.matches()) published.put(Integer.parseInt(m.group(2)), m.group(1));
        }
        assertEquals(12_500, published.size());
        for (int n = 0; n < Datasets.KITTENS; n++) assertEquals(published.get(n), Datasets.kitten(n).checksum(), "cat." + n + ".jpg");
    }

    // --- the loader on photos of its own: a cache folder, a mirror folder, a server that is not there ---------------

    DataFile photo(Path dir, int n, Color colour) throws IOException {
        Files.createDirectories(dir.resolve("kittens"));
        Path made = jpeg("cat." + n + ".jpg", 40 + n, 30, BufferedImage.TYPE_INT_RGB, colour, Color.WHITE);
        Path file = Files.move(made, dir.resolve("kittens").resolve("cat." + n + ".jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return DataFile.sha256("kittens", "cat." + n + ".jpg", -1, DataCache.checksum(file, "SHA-256"), "http://127.0.0.1:1/cat." + n + ".jpg");
    }

    static DataCache quiet(Path dir, Path mirror) {
        return new DataCache(dir, mirror == null ? null : mirror.toString(), new PrintStream(OutputStream.nullOutputStream()));
    }

    @Test
    void missingPhotosStopTheLoadWithHowManyWhichWhyAndWhatToDo() throws IOException {
        Path cache = tmp.resolve("cache");
        List<DataFile> photos = new ArrayList<>();
        for (int n = 0; n < 3; n++) photos.add(photo(cache, n, Color.ORANGE));
        // cat.3 and cat.4: known sums, but neither in the cache nor anywhere the (closed) server could give them
        photos.add(DataFile.sha256("kittens", "cat.3.jpg", -1, "a".repeat(64), "http://127.0.0.1:1/cat.3.jpg"));
        photos.add(DataFile.sha256("kittens", "cat.4.jpg", -1, "b".repeat(64), "http://127.0.0.1:1/cat.4.jpg"));
        var e = assertThrows(DataException.class, () -> Kittens.load(quiet(cache, null), cache.resolve("kittens"), photos, 8, Progress.none()));
        String m = e.getMessage();
        assertTrue(m.startsWith("2 of the 5 kitten photos are missing"), m);
        assertTrue(m.contains("The first missing photo is cat.3.jpg"), m);
        assertTrue(m.contains("Why: downloading stopped at the first failure, cat.3.jpg: http://127.0.0.1:1/cat.3.jpg: java.net.ConnectException")
                || m.contains("Why: downloading stopped at the first failure, cat.4.jpg: http://127.0.0.1:1/cat.4.jpg: java.net.ConnectException"), m);   // a race
        assertTrue(m.contains("AE_DATA_MIRROR") && m.contains("kittens/cat.3.jpg"), m);
        assertTrue(m.contains("use the 3 photos at hand (cat.0.jpg to cat.2.jpg) with AE_LIMIT=3"), m);
        assertFalse(m.contains(tmp.toString()), "no machine paths in the message: " + m);
        assertFalse(Files.exists(cache.resolve("kittens").resolve("pixels-8-5.u8")), "nothing cached for a failed load");
    }

    @Test
    void photosComeFromTheMirrorIntoTheCacheAndAreCheckedOnTheWay() throws IOException {
        Path cache = tmp.resolve("cache"), mirror = tmp.resolve("mirror");
        List<DataFile> photos = new ArrayList<>();
        for (int n = 0; n < 6; n++) photos.add(photo(mirror, n, new Color(40 * n, 100, 200)));
        Kittens.Loaded loaded = Kittens.load(quiet(cache, mirror), cache.resolve("kittens"), photos, 8, Progress.none());
        assertEquals(6, loaded.images().size());
        for (int n = 0; n < 6; n++) assertTrue(Files.isRegularFile(cache.resolve("kittens").resolve("cat." + n + ".jpg")));
        // row n: the left half's red is 40 n / 255
        for (int n = 0; n < 6; n++) assertEquals(40 * n / 255.0, loaded.images().pixels().getDouble(n, 3 * 8 + 1), 0.05);

        Files.writeString(mirror.resolve("kittens").resolve("cat.9.jpg"), "not the published photo");
        DataFile wrong = DataFile.sha256("kittens", "cat.9.jpg", -1, "c".repeat(64));
        var e = assertThrows(DataException.class, () -> Kittens.load(quiet(cache, mirror), cache.resolve("kittens"), List.of(wrong), 8, Progress.none()));
        assertTrue(e.getMessage().contains("cat.9.jpg") && e.getMessage().contains("is not the published"), e.getMessage());
    }

    @Test
    void thePixelCacheIsUsedTheSecondTimeAndRemadeWhenPhotosCountOrSizeChange() throws IOException {
        Path cache = tmp.resolve("cache"), pixels = cache.resolve("kittens");
        List<DataFile> photos = new ArrayList<>();
        for (int n = 0; n < 4; n++) photos.add(photo(cache, n, Color.RED));
        Kittens.Loaded first = Kittens.load(quiet(cache, null), pixels, photos, 8, Progress.none());
        assertFalse(first.fromPixelCache());
        assertTrue(Files.isRegularFile(pixels.resolve("pixels-8-4.u8")));

        // the second load reads the pixels back, without touching the photos (deleted here), and gets the same values
        for (int n = 0; n < 4; n++) Files.delete(pixels.resolve("cat." + n + ".jpg"));
        Kittens.Loaded second = Kittens.load(quiet(cache, null), pixels, photos, 8, Progress.none());
        assertTrue(second.fromPixelCache());
        assertEquals(first.images().pixels(), second.images().pixels());

        // photo 2 is replaced by another (its checksum changes): the cache no longer matches and is remade
        for (int n = 0; n < 4; n++) photos.set(n, photo(cache, n, Color.RED));
        photos.set(2, photo(cache, 2, Color.BLUE));
        Kittens.Loaded third = Kittens.load(quiet(cache, null), pixels, photos, 8, Progress.none());
        assertFalse(third.fromPixelCache());
        assertTrue(third.images().pixels().getDouble(2, 2 * 64 + 3 * 8 + 1) > 0.8, "photo 2 is blue now");
        assertTrue(Kittens.load(quiet(cache, null), pixels, photos, 8, Progress.none()).fromPixelCache());

        // another count or size: other pixels (and files of their own)
        assertFalse(Kittens.load(quiet(cache, null), pixels, photos.subList(0, 3), 8, Progress.none()).fromPixelCache());
        assertFalse(Kittens.load(quiet(cache, null), pixels, photos, 6, Progress.none()).fromPixelCache());
        assertTrue(Kittens.load(quiet(cache, null), pixels, photos, 6, Progress.none()).fromPixelCache());

        // a damaged cache file (one pixel changed, or cut short) is noticed and remade
        Path file = pixels.resolve("pixels-8-4.u8");
        byte[] bytes = Files.readAllBytes(file);
        bytes[100] ^= 1;
        Files.write(file, bytes);
        assertFalse(Kittens.load(quiet(cache, null), pixels, photos, 8, Progress.none()).fromPixelCache());
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 200));
        assertFalse(Kittens.load(quiet(cache, null), pixels, photos, 8, Progress.none()).fromPixelCache());
        assertTrue(Kittens.load(quiet(cache, null), pixels, photos, 8, Progress.none()).fromPixelCache());
    }

    @Test
    void imagesCanBeResizedDownAndUp() throws IOException {
        Path cache = tmp.resolve("cache");
        List<DataFile> photos = List.of(photo(cache, 0, Color.GREEN), photo(cache, 1, Color.BLACK));
        Images cats = Kittens.load(quiet(cache, null), cache.resolve("kittens"), photos, 16, Progress.none()).images();
        Images small = cats.resized(8), back = small.resized(16);
        assertArrayEquals(new long[] {2, 3 * 64}, small.pixels().shape());
        assertArrayEquals(new long[] {2, 3 * 256}, back.pixels().shape());
        assertEquals(16, back.height());
        assertEquals(cats.pixels().meanNumber().doubleValue(), back.pixels().meanNumber().doubleValue(), 0.03);
    }
}
