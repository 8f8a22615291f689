package ae;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Kitten photos (the cats of Kaggle's Dogs vs. Cats, as the AutoEncatter tutorial uses them), squeezed to a small
 * square in RGB, the way the tutorial prepares them.
 *
 * <pre>
 *   Images cats = Kittens.load(2000, 48);   // cat.0.jpg … cat.1999.jpg as 48×48 RGB, pixels in [0, 1]
 * </pre>
 *
 * <p>Each photo is fetched through the download cache (checked against its SHA-256) and scaled to
 * {@code size × size} with bilinear interpolation, without keeping the aspect ratio (as the tutorial's
 * {@code cv2.resize} does). Rows hold the red, green and blue planes one after another, like {@link Cifar10}'s.
 */
public final class Kittens {

    private Kittens() {}

    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    /** Photos {@code cat.0.jpg} to {@code cat.<count-1>.jpg}, each scaled to {@code size × size} RGB. */
    public static Images load(int count, int size) {
        if (count < 1 || count > Datasets.KITTENS) {
            throw new IllegalArgumentException("ask for 1 to " + Datasets.KITTENS + " kitten photos, not " + count
                    + " (the course knows the checksums of cat.0.jpg to cat." + (Datasets.KITTENS - 1) + ".jpg)");
        }
        if (size < 1) throw new IllegalArgumentException("the image size must be positive, not " + size);
        // One quiet cache: 2,000 "copied from the mirror" lines would bury the notebook; progress is printed here.
        DataCache cache = new DataCache(Settings.dataDir(), Settings.mirror(), new PrintStream(OutputStream.nullOutputStream()));
        int plane = size * size;
        long started = System.nanoTime();
        long[] lastReport = {started};
        INDArray x;
        try {
            x = Rows.fill(count, 3 * plane, (i, into, at) -> {
                planes(scaled(cache.get(Datasets.kitten(i)), size), into, at);
                if (System.nanoTime() - lastReport[0] > PROGRESS_EVERY_NANOS && i + 1 < count) {
                    lastReport[0] = System.nanoTime();
                    System.out.println("  kittens: " + (i + 1) + " of " + count + " photos read");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // scaled() reports unreadable photos as a DataException
        }
        System.out.printf("Kittens: %d photos as %dx%d RGB (%.1f s)%n", count, size, size, (System.nanoTime() - started) / 1e9);
        return new Images(x, new int[count], List.of("cat"), 3, size, size);
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
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, size, size, null);
        g.dispose();
        return out;
    }

    /** Writes an RGB image into {@code into} at {@code offset}: red plane, green plane, blue plane, values in [0, 1]. */
    static void planes(BufferedImage image, float[] into, int offset) {
        int w = image.getWidth(), h = image.getHeight(), plane = w * h;
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            into[offset + i] = ((rgb[i] >> 16) & 0xFF) / 255f;
            into[offset + plane + i] = ((rgb[i] >> 8) & 0xFF) / 255f;
            into[offset + 2 * plane + i] = (rgb[i] & 0xFF) / 255f;
        }
    }
}
