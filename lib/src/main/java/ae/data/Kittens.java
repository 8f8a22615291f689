package ae.data;

import ae.Pixels;
import ae.Progress;
import ae.Settings;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
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
 * ({@link PixelCache}): the next load reads them back in a second or two. One line says how far a long load is
 * ({@link Progress}). If photos are missing and cannot be had, the load stops with a {@link DataException} (it never
 * returns fewer photos than asked for).
 */
public final class Kittens {

    private Kittens() {}

    /** Downloads at a time. */
    static final int DOWNLOADS = 4;

    /** Photos {@code cat.0.jpg} to {@code cat.<count-1>.jpg}, each scaled to {@code size × size} RGB. */
    public static Images load(int count, int size) {
        if (count < 1 || count > Datasets.KITTENS) {
            throw new IllegalArgumentException("ask for 1 to " + Datasets.KITTENS + " kitten photos, not " + count
                    + " (the course knows the checksums of cat.0.jpg to cat." + (Datasets.KITTENS - 1) + ".jpg)");
        }
        List<DataFile> photos = IntStream.range(0, count).mapToObj(Datasets::kitten).toList();
        // One quiet cache: thousands of "copied from the mirror" lines would bury the notebook; one progress line instead.
        DataCache cache = new DataCache(Settings.dataDir(), Settings.mirror(), new PrintStream(OutputStream.nullOutputStream()));
        return load(cache, Settings.dataDir().resolve("kittens"), photos, size, Progress.inNotebook()).images();
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

    /** What {@link #load(DataCache, Path, List, int, Progress)} found: the images, and whether they came from the pixel cache. */
    record Loaded(Images images, boolean fromPixelCache) {}

    static Loaded load(DataCache cache, Path pixelDir, List<DataFile> photos, int size, Progress progress) {
        if (size < 1) throw new IllegalArgumentException("the image size must be positive, not " + size);
        int count = photos.size();
        long started = System.nanoTime();
        PixelCache pixels = new PixelCache(pixelDir, photos, size);
        INDArray x = pixels.read();
        boolean cached = x != null;
        if (!cached) x = decodeAll(fetchAll(cache, photos, progress), size, pixels, progress);
        System.out.printf(Locale.ROOT, "Kittens: %,d photos as %dx%d RGB, %s (%.1f s)%n", count, size, size,
                cached ? "read from the pixel cache " + Settings.shown(pixels.file())
                       : "decoded and kept in the pixel cache " + Settings.shown(pixels.file()), (System.nanoTime() - started) / 1e9);
        return new Loaded(new Images(x, new int[count], List.of("cat"), 3, size, size), cached);
    }

    // --- getting the photos ---------------------------------------------------------------------------------------

    /** A verified local copy of every photo: what the cache and the mirror hold, then the rest downloaded. */
    static List<Path> fetchAll(DataCache cache, List<DataFile> photos, Progress progress) {
        int n = photos.size();
        Path[] paths = new Path[n];
        ExecutorService pool = Executors.newFixedThreadPool(DOWNLOADS, daemon("kittens-fetch"));
        try {
            // the cache and the mirror folder first (each file checked against its SHA-256; mirror copies land in the cache)
            runAll(pool, IntStream.range(0, n).toArray(), i -> paths[i] = cache.find(photos.get(i)),
                    done -> report(progress, "checked in the cache and the mirror:", done, n), new AtomicBoolean());
            int[] missing = IntStream.range(0, n).filter(i -> paths[i] == null).toArray();
            if (missing.length > 0) download(pool, cache, photos, missing, paths, progress);
        } finally {
            pool.shutdownNow();
        }
        return Arrays.asList(paths);
    }

    private static void download(ExecutorService pool, DataCache cache, List<DataFile> photos, int[] missing, Path[] paths,
            Progress progress) {
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentSkipListMap<Integer, DataException> failures = new ConcurrentSkipListMap<>();
        AtomicInteger got = new AtomicInteger();
        runAll(pool, missing, i -> {
            try {
                paths[i] = cache.get(photos.get(i));
                got.incrementAndGet();
            } catch (DataException e) {
                // the first failure stops the downloads that have not started (an offline machine must not try thousands)
                failures.put(i, e);
                stop.set(true);
            }
        }, done -> report(progress, "downloaded (" + DOWNLOADS + " at a time):", done, missing.length), stop);
        int stillMissing = (int) Arrays.stream(paths).filter(p -> p == null).count();
        if (stillMissing == 0) return;
        int first = IntStream.range(0, paths.length).filter(i -> paths[i] == null).findFirst().orElse(0);
        String dataset = photos.get(first).dataset();
        throw new DataException(String.format(Locale.ROOT,
                "%,d of the %,d kitten photos are missing: neither the cache nor the mirror holds them, and they could not be"
                + " downloaded. The first missing photo is %s. Why: downloading stopped at the first failure, %s: %s.%s%nTo fix: set AE_DATA_MIRROR to a folder that holds"
                + " %s/%s and the others (named like the cache: %s/cat.<n>.jpg), or check the network and run again"
                + " (photos already fetched stay in the cache, so a new run resumes)%s.",
                stillMissing, paths.length, photos.get(first).name(), photos.get(failures.firstKey()).name(), why(failures.firstEntry().getValue()),
                got.get() > 0 ? String.format(Locale.ROOT, " %,d photos were downloaded before the first failure and kept.", got.get()) : "",
                dataset, photos.get(first).name(), dataset,
                first > 0 ? String.format(Locale.ROOT, ", or use the %,d photos at hand (cat.0.jpg to %s) with AE_LIMIT=%d",
                        first, photos.get(first - 1).name(), first) : ""));
    }

    /** Why a photo could not be had, without the machine's paths: what each source answered, else the first line. */
    private static String why(DataException e) {
        return e.tried().isEmpty() ? e.getMessage().lines().findFirst().orElse("") : String.join("; ", e.tried());
    }

    private static void report(Progress progress, String what, int done, int total) {
        progress.report(String.format(Locale.ROOT, "kittens: %s %,d of %,d photos", what, done, total), done >= total);
    }

    // --- decoding -----------------------------------------------------------------------------------------------------

    /** Decodes and scales the photos on every core, 1,000 at a time, into one array, and writes the pixel cache. */
    static INDArray decodeAll(List<Path> files, int size, PixelCache cache, Progress progress) {
        int n = files.size(), width = 3 * size * size;
        byte[] chunk = new byte[Math.min(Rows.CHUNK, n) * width];
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemon("kittens-decode"));
        try (PixelCache.Writer writer = cache.writer()) {
            INDArray x = Rows.fill(n, width, (i, into, at) -> {
                int k = i % Rows.CHUNK;
                if (k == 0) {
                    int m = Math.min(Rows.CHUNK, n - i);
                    runAll(pool, IntStream.range(i, i + m).toArray(), r -> Pixels.toPlanes(photo(files.get(r), size), chunk, (r - i) * width),
                            done -> report(progress, "decoded:", i + done, n), new AtomicBoolean());
                    if (writer != null) writer.write(chunk, m * width);
                }
                Pixels.toFloats(chunk, k * width, into, at, width);
            });
            if (writer != null) writer.commit();
            return x;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A photo scaled to size × size (bilinear), as 8-bit RGB whatever its own colour model. */
    static BufferedImage photo(Path file, int size) {
        BufferedImage source;
        try {
            source = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new DataException("Could not decode " + file.getFileName() + " as a JPEG (delete it from the cache folder"
                    + " and run again): " + e, e);
        }
        if (source == null) {
            throw new DataException(file.getFileName() + " is not an image Java can read; delete it from the cache folder and run again");
        }
        return Pixels.scaled(source, size);
    }

    // --- running many small jobs ----------------------------------------------------------------------------------------

    /**
     * Runs {@code task} for every number in {@code items} on the pool; the calling thread waits and reports how many
     * are done every quarter of a second (outputs only ever come from the notebook's own thread). Jobs not yet started
     * are skipped once {@code stop} is set. The first exception of a job is rethrown here.
     */
    static void runAll(ExecutorService pool, int[] items, IntConsumer task, IntConsumer done, AtomicBoolean stop) {
        CountDownLatch left = new CountDownLatch(items.length);
        AtomicInteger finished = new AtomicInteger();
        AtomicReference<RuntimeException> error = new AtomicReference<>();
        for (int item : items) {
            pool.execute(() -> {
                try {
                    if (!stop.get() && error.get() == null) task.accept(item);
                } catch (RuntimeException e) {
                    error.compareAndSet(null, e);
                } finally {
                    finished.incrementAndGet();
                    left.countDown();
                }
            });
        }
        try {
            while (!left.await(250, TimeUnit.MILLISECONDS)) done.accept(finished.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("Loading the kitten photos was interrupted", e);
        }
        done.accept(finished.get());
        if (error.get() != null) throw error.get();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
