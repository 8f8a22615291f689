package ae.data;

import ae.show.Show;
import ae.show.ImageGrid;
import ae.JupyterKernel;
import ae.Settings;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Kitten photos (the cats of Kaggle's Dogs vs. Cats, as the AutoEncatter tutorial uses them), squeezed to a small
 * square in RGB, the way the tutorial prepares them.
 *
 * <pre>
 *   Images cats = Kittens.load(8192, 48);   // cat.0.jpg … cat.8191.jpg as 48×48 RGB, pixels in [0, 1]
 * </pre>
 *
 * <p>Each photo comes through the download cache (from the cache, the mirror, or downloaded, several at a time; each
 * checked against its SHA-256) and is scaled to {@code size × size} with bilinear interpolation, without keeping the
 * aspect ratio (as the tutorial's {@code cv2.resize} does). Rows hold the red, green and blue planes one after
 * another, like {@link Cifar10}'s. Photos are decoded in parallel, and the scaled pixels are kept in the cache
 * ({@code kittens/pixels-<size>-<count>.u8}, one byte per value), tagged with the checksums of the photos they
 * came from: the next load reads them back in a second or two. If photos are missing and cannot be had, the load
 * stops with a {@link DataException} (it never returns fewer photos than asked for).
 */
public final class Kittens {

    private Kittens() {}

    /** Downloads at a time. */
    static final int DOWNLOADS = 4;
    /** The pixel cache's format; the digest below also names how the pixels were made. */
    private static final byte[] MAGIC = "AEKPIX01".getBytes(StandardCharsets.US_ASCII);
    private static final String METHOD = "java2d-bilinear, planar RGB, 8 bits";
    private static final int HEADER = 8 + 4 + 4 + 32, TRAILER = 8;

    /** Photos {@code cat.0.jpg} to {@code cat.<count-1>.jpg}, each scaled to {@code size × size} RGB. */
    public static Images load(int count, int size) {
        if (count < 1 || count > Datasets.KITTENS) {
            throw new IllegalArgumentException("ask for 1 to " + Datasets.KITTENS + " kitten photos, not " + count
                    + " (the course knows the checksums of cat.0.jpg to cat." + (Datasets.KITTENS - 1) + ".jpg)");
        }
        List<DataFile> photos = IntStream.range(0, count).mapToObj(Datasets::kitten).toList();
        // One quiet cache: thousands of "copied from the mirror" lines would bury the notebook; one progress line instead.
        DataCache cache = new DataCache(Settings.dataDir(), Settings.mirror(), new PrintStream(OutputStream.nullOutputStream()));
        return load(cache, Settings.dataDir().resolve("kittens"), photos, size).images();
    }

    /**
     * How many photos, from {@code cat.0.jpg} on without a gap, the cache or the mirror folder holds (the files are
     * only looked for here; {@link #load} checks them). A mirror on the web counts as holding them all.
     */
    public static int atHand() {
        String mirror = Settings.mirror();
        if (mirror != null && mirror.matches("(?i)https?://.*")) return Datasets.KITTENS;
        int n = 0;
        while (n < Datasets.KITTENS) {
            String name = Datasets.kitten(n).name();
            boolean here = Files.isRegularFile(Settings.dataDir().resolve("kittens").resolve(name))
                    || (mirror != null && Files.isRegularFile(Path.of(mirror).resolve("kittens").resolve(name)));
            if (!here) break;
            n++;
        }
        return n;
    }

    /** What {@link #load(DataCache, Path, List, int)} found: the images, and whether they came from the pixel cache. */
    record Loaded(Images images, boolean fromPixelCache) {}

    static Loaded load(DataCache cache, Path pixelDir, List<DataFile> photos, int size) {
        if (size < 1) throw new IllegalArgumentException("the image size must be positive, not " + size);
        int count = photos.size();
        long started = System.nanoTime();
        Path pixelFile = pixelDir.resolve("pixels-" + size + "-" + count + ".u8");
        byte[] digest = digest(photos, size);
        INDArray x = readPixels(pixelFile, count, size, digest);
        boolean cached = x != null;
        if (!cached) x = decodeAll(fetchAll(cache, photos), size, pixelFile, digest);
        System.out.printf(Locale.ROOT, "Kittens: %,d photos as %dx%d RGB, %s (%.1f s)%n", count, size, size,
                cached ? "read from the pixel cache " + Settings.shown(pixelFile)
                       : "decoded and kept in the pixel cache " + Settings.shown(pixelFile), (System.nanoTime() - started) / 1e9);
        return new Loaded(new Images(x, new int[count], List.of("cat"), 3, size, size), cached);
    }

    // --- getting the photos ---------------------------------------------------------------------------------------

    /** A verified local copy of every photo: what the cache and the mirror hold, then the rest downloaded. */
    static List<Path> fetchAll(DataCache cache, List<DataFile> photos) {
        int n = photos.size();
        Path[] paths = new Path[n];
        ExecutorService pool = Executors.newFixedThreadPool(DOWNLOADS, daemon("kittens-fetch"));
        try {
            // the cache and the mirror folder first (each file checked against its SHA-256; mirror copies land in the cache)
            runAll(pool, IntStream.range(0, n).toArray(), i -> paths[i] = cache.find(photos.get(i)),
                    new Progress("checked in the cache and the mirror:", n), new AtomicBoolean());
            int[] missing = IntStream.range(0, n).filter(i -> paths[i] == null).toArray();
            if (missing.length > 0) download(pool, cache, photos, missing, paths);
        } finally {
            pool.shutdownNow();
        }
        return Arrays.asList(paths);
    }

    private static void download(ExecutorService pool, DataCache cache, List<DataFile> photos, int[] missing, Path[] paths) {
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.ConcurrentSkipListMap<Integer, String> failures = new java.util.concurrent.ConcurrentSkipListMap<>();
        AtomicInteger got = new AtomicInteger();
        Progress progress = new Progress("downloaded (" + DOWNLOADS + " at a time):", missing.length);
        runAll(pool, missing, i -> {
            try {
                paths[i] = cache.get(photos.get(i));
                got.incrementAndGet();
            } catch (DataException e) {
                // the first failure stops the downloads that have not started (an offline machine must not try thousands)
                failures.put(i, why(e.getMessage()));
                stop.set(true);
            }
        }, progress, stop);
        int stillMissing = (int) Arrays.stream(paths).filter(p -> p == null).count();
        if (stillMissing == 0) return;
        int first = IntStream.range(0, paths.length).filter(i -> paths[i] == null).findFirst().orElse(0);
        String dataset = photos.get(first).dataset();
        throw new DataException(String.format(Locale.ROOT,
                "%,d of the %,d kitten photos are missing: neither the cache nor the mirror holds them, and they could not be"
                + " downloaded. The first missing photo is %s. Why: downloading stopped at the first failure, %s: %s.%s%nTo fix: set AE_DATA_MIRROR to a folder that holds"
                + " %s/%s and the others (named like the cache: %s/cat.<n>.jpg), or check the network and run again"
                + " (photos already fetched stay in the cache, so a new run resumes)%s.",
                stillMissing, paths.length, photos.get(first).name(), photos.get(failures.firstKey()).name(), failures.firstEntry().getValue(),
                got.get() > 0 ? String.format(Locale.ROOT, " %,d photos were downloaded before the first failure and kept.", got.get()) : "",
                dataset, photos.get(first).name(), dataset,
                first > 0 ? String.format(Locale.ROOT, ", or use the %,d photos at hand (cat.0.jpg to %s) with AE_LIMIT=%d",
                        first, photos.get(first - 1).name(), first) : ""));
    }

    /** The reason in one of DataCache's messages, without the machine's paths: what each URL answered. */
    static String why(String message) {
        int tried = message.indexOf("Tried:\n"), fix = message.indexOf("\nTo fix:");
        if (tried < 0 || fix < tried) return message.lines().findFirst().orElse(message);
        List<String> reasons = new ArrayList<>();
        for (String line : message.substring(tried + 7, fix).split("\n")) {
            line = line.trim();
            if (line.matches("(?i)https?://.*")) reasons.add(line);
            else if (line.endsWith("not in the mirror folder")) reasons.add("not in the mirror folder");
            else if (!line.isEmpty()) reasons.add(line);
        }
        return String.join("; ", reasons);
    }

    // --- decoding, and the pixel cache ------------------------------------------------------------------------------

    /** Decodes and scales the photos on every core, 1,000 at a time, into one array, and writes the pixel cache. */
    static INDArray decodeAll(List<Path> files, int size, Path pixelFile, byte[] digest) {
        int n = files.size(), width = 3 * size * size;
        byte[] chunk = new byte[Math.min(Rows.CHUNK, n) * width];
        CRC32C crc = new CRC32C();
        Progress progress = new Progress("decoded:", n);
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemon("kittens-decode"));
        Path tmp = null;
        DataOutputStream out = null;
        try {
            try {
                Files.createDirectories(pixelFile.getParent());
                tmp = Files.createTempFile(pixelFile.getParent(), "." + pixelFile.getFileName(), ".part");
                out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16));
                writeHeader(out, size, n, digest);
            } catch (IOException e) {
                System.out.println("(The pixels cannot be kept in the cache, " + e.getMessage() + "; the photos will be decoded again next time.)");
                out = null;
            }
            DataOutputStream sink = out;
            INDArray x = Rows.fill(n, width, (i, into, at) -> {
                int k = i % Rows.CHUNK;
                if (k == 0) {
                    int m = Math.min(Rows.CHUNK, n - i);
                    int[] rows = IntStream.range(i, i + m).toArray();
                    runAll(pool, rows, r -> planes(scaled(files.get(r), size), chunk, (r - i) * width), progress.from(i), new AtomicBoolean());
                    crc.update(chunk, 0, m * width);
                    if (sink != null) sink.write(chunk, 0, m * width);
                }
                toFloats(chunk, k * width, into, at, width);
            });
            if (out != null) {
                out.writeLong(crc.getValue());
                out.close();
                out = null;
                moveIntoPlace(tmp, pixelFile);
                tmp = null;
            }
            return x;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            pool.shutdownNow();
            try {
                if (out != null) out.close();
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover .part file is ignored and overwritten next time
            }
        }
    }

    /** The cached pixels, or null if there are none or they were made from other photos, at another size, or are damaged. */
    static INDArray readPixels(Path file, int count, int size, byte[] digest) {
        if (!Files.isRegularFile(file)) return null;
        int width = 3 * size * size;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length], stored = new byte[digest.length];
            boolean sameLength = Files.size(file) == HEADER + (long) count * width + TRAILER;
            if (sameLength) {
                in.readFully(magic);
                int s = in.readInt(), c = in.readInt();
                in.readFully(stored);
                sameLength = Arrays.equals(magic, MAGIC) && s == size && c == count && Arrays.equals(stored, digest);
            }
            if (!sameLength) {
                System.out.println("(The pixel cache " + file.getFileName() + " does not match these photos; decoding them again.)");
                return null;
            }
            byte[] chunk = new byte[Math.min(Rows.CHUNK, count) * width];
            CRC32C crc = new CRC32C();
            INDArray x = Rows.fill(count, width, (i, into, at) -> {
                int k = i % Rows.CHUNK;
                if (k == 0) {
                    int m = Math.min(Rows.CHUNK, count - i);
                    in.readFully(chunk, 0, m * width);
                    crc.update(chunk, 0, m * width);
                }
                toFloats(chunk, k * width, into, at, width);
            });
            if (in.readLong() != crc.getValue()) {
                x.close();
                System.out.println("(The pixel cache " + file.getFileName() + " is damaged; decoding the photos again.)");
                return null;
            }
            return x;
        } catch (IOException e) {
            System.out.println("(The pixel cache " + file.getFileName() + " cannot be read, " + e.getMessage() + "; decoding the photos again.)");
            return null;
        }
    }

    /** What the pixels depend on: how they are made, the size, and the name and SHA-256 of every photo, in order. */
    static byte[] digest(List<DataFile> photos, int size) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((METHOD + "\n" + size + "\n" + photos.size() + "\n").getBytes(StandardCharsets.UTF_8));
            for (DataFile p : photos) md.update((p.name() + " " + p.algorithm() + " " + p.checksum() + "\n").getBytes(StandardCharsets.UTF_8));
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeHeader(DataOutputStream out, int size, int count, byte[] digest) throws IOException {
        out.write(MAGIC);
        out.writeInt(size);
        out.writeInt(count);
        out.write(digest);
    }

    private static void toFloats(byte[] from, int offset, float[] into, int at, int n) {
        for (int j = 0; j < n; j++) into[at + j] = (from[offset + j] & 0xFF) / 255f;
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A photo scaled to size × size (bilinear), as 8-bit RGB whatever its own colour model. */
    static BufferedImage scaled(Path photo, int size) {
        BufferedImage source;
        try {
            source = ImageIO.read(photo.toFile());
        } catch (IOException e) {
            throw new DataException("Could not decode " + photo.getFileName() + " as a JPEG (delete it from the cache folder"
                    + " and run again): " + e, e);
        }
        if (source == null) {
            throw new DataException(photo.getFileName() + " is not an image Java can read; delete it from the cache folder and run again");
        }
        return scaled(source, size);
    }

    private static BufferedImage scaled(BufferedImage source, int size) {
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, size, size, null);
        g.dispose();
        return out;
    }

    /** Writes an RGB image into {@code into} at {@code offset}: red plane, green plane, blue plane, values in [0, 1]. */
    static void planes(BufferedImage image, float[] into, int offset) {
        int n = 3 * image.getWidth() * image.getHeight();
        byte[] bytes = new byte[n];
        planes(image, bytes, 0);
        toFloats(bytes, 0, into, offset, n);
    }

    /** The same as bytes 0-255. */
    static void planes(BufferedImage image, byte[] into, int offset) {
        int w = image.getWidth(), h = image.getHeight(), plane = w * h;
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            into[offset + i] = (byte) (rgb[i] >> 16);
            into[offset + plane + i] = (byte) (rgb[i] >> 8);
            into[offset + 2 * plane + i] = (byte) rgb[i];
        }
    }

    /**
     * The same square RGB images at another size (bilinear, through 8-bit pixels, as photos are): e.g. the kittens
     * down to CIFAR-10's 32×32 and back up, so that both sets have been through the same blur.
     */
    public static Images resized(Images images, int size) {
        if (images.channels() != 3 || images.height() != images.width()) {
            throw new IllegalArgumentException("resized() takes square RGB images, not " + images.channels() + "x"
                    + images.height() + "x" + images.width());
        }
        int from = images.height(), width = 3 * size * size;
        ImageGrid painter = ImageGrid.of(from, from, 3);
        INDArray src = images.pixels();
        byte[] bytes = new byte[width];
        try {
            INDArray x = Rows.fill(images.size(), width, (i, into, at) -> {
                planes(scaled(painter.toImage(src.getRow(i)), size), bytes, 0);
                toFloats(bytes, 0, into, at, width);
            });
            return new Images(x, images.labels(), images.classNames(), 3, size, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- running many small jobs, with one progress line --------------------------------------------------------------

    /**
     * Runs {@code task} for every number in {@code items} on the pool; the calling thread waits and updates the one
     * progress line (outputs only ever come from the notebook's own thread). Jobs not yet started are skipped once
     * {@code stop} is set. The first exception of a job is rethrown here.
     */
    static void runAll(ExecutorService pool, int[] items, IntConsumer task, Progress progress, AtomicBoolean stop) {
        CountDownLatch left = new CountDownLatch(items.length);
        AtomicInteger done = new AtomicInteger();
        AtomicReference<RuntimeException> error = new AtomicReference<>();
        for (int item : items) {
            pool.execute(() -> {
                try {
                    if (!stop.get() && error.get() == null) task.accept(item);
                } catch (RuntimeException e) {
                    error.compareAndSet(null, e);
                } finally {
                    done.incrementAndGet();
                    left.countDown();
                }
            });
        }
        try {
            while (!left.await(250, TimeUnit.MILLISECONDS)) progress.at(done.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("Loading the kitten photos was interrupted", e);
        }
        progress.at(done.get());
        if (error.get() != null) throw error.get();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * One progress line for a whole set: nothing for work that takes under two seconds; then, in a notebook, one
     * line redrawn in place about once a second, elsewhere a line every five seconds.
     */
    static final class Progress {
        private static final long QUIET_NANOS = 2_000_000_000L;
        private final String what;
        private final int total;
        private final long started = System.nanoTime();
        private final boolean rich = JupyterKernel.current().rich();
        private int offset;
        private long last;
        private Show.Output live;

        Progress(String what, int total) {
            this.what = what;
            this.total = total;
        }

        /** The same line, with the count starting at {@code offset} (the photos done in earlier chunks). */
        Progress from(int offset) {
            this.offset = offset;
            return this;
        }

        void at(int done) {
            int d = offset + done;
            long now = System.nanoTime();
            if (now - started < QUIET_NANOS) return;
            boolean end = d >= total;
            if (now - last < (rich ? 1_000_000_000L : 5_000_000_000L) && !(end && live != null)) return;
            if (end && !rich) return;
            last = now;
            String text = String.format(Locale.ROOT, "  kittens: %s %,d of %,d photos (%.0f s)", what, d, total, (now - started) / 1e9);
            if (!rich) System.out.println(text);
            else if (live == null) live = Show.live(text);
            else live.updateText(text);
        }
    }
}
