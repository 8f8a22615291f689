package ae;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Pixels between their three forms, in one place: bytes 0-255 (files, photos, JPEG), floats in [0, 1] (what the
 * networks take), and pictures ({@link BufferedImage}). An image as floats is one row of {@code channels × height ×
 * width} values, channels one after another (planar: the red plane, then green, then blue), each plane row by row
 * from the top: the layout of CIFAR-10's records and of every data set of the course.
 *
 * <p>The helper jar's data loaders ({@code ae.data}) and pictures ({@code ae.show}) both use it; notebooks do not
 * need it.
 */
public final class Pixels {

    private Pixels() {}

    /** A byte 0-255 as a value in [0, 1]. */
    static float toFloat(byte b) {
        return (b & 0xFF) / 255f;
    }

    /** A value in [0, 1] as the nearest byte 0-255 (values outside are clipped). */
    static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    /** {@code n} bytes from {@code from[offset …]} as values in [0, 1] into {@code into[at …]}. */
    public static void toFloats(byte[] from, int offset, float[] into, int at, int n) {
        for (int j = 0; j < n; j++) into[at + j] = toFloat(from[offset + j]);
    }

    /** Values in [0, 1] as bytes 0-255 (clipped), e.g. for a grayscale raster. */
    static byte[] toBytes(float[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) toByte(values[i]);
        return out;
    }

    /**
     * One image as a picture: {@code values} holds channels·height·width values in [0, 1], planar; 1 channel is
     * drawn gray, 3 channels as red, green and blue. The picture is 8-bit RGB either way (a gray picture in Java's
     * own gray colour space would come out lighter when drawn).
     */
    public static BufferedImage toImage(float[] values, int channels, int height, int width) {
        int plane = height * width;
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("an image has 1 or 3 channels, not " + channels);
        if (values.length != channels * plane) {
            throw new IllegalArgumentException(values.length + " values are not an image of " + channels + "x" + height + "x" + width);
        }
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            int r = toByte(values[i]);
            int g = channels == 3 ? toByte(values[plane + i]) : r, b = channels == 3 ? toByte(values[2 * plane + i]) : r;
            rgb[i] = (r << 16) | (g << 8) | b;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, width, height, rgb, 0, width);
        return img;
    }

    /** A picture's pixels as planar RGB bytes (red plane, green plane, blue plane) into {@code into[offset …]}. */
    public static void toPlanes(BufferedImage image, byte[] into, int offset) {
        int w = image.getWidth(), h = image.getHeight(), plane = w * h;
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            into[offset + i] = (byte) (rgb[i] >> 16);
            into[offset + plane + i] = (byte) (rgb[i] >> 8);
            into[offset + 2 * plane + i] = (byte) rgb[i];
        }
    }

    /**
     * A picture scaled to {@code size × size} with bilinear interpolation, without keeping the aspect ratio (what
     * OpenCV's {@code cv2.resize} does in the tutorials), as 8-bit RGB whatever the source's colour model.
     */
    public static BufferedImage scaled(BufferedImage source, int size) {
        if (size < 1) throw new IllegalArgumentException("the image size must be positive, not " + size);
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, size, size, null);
        g.dispose();
        return out;
    }

    /**
     * One square RGB image (3·side·side values in [0, 1], planar) at another size, through 8-bit pixels as photos
     * are scaled, into {@code into[at …]} (3·size·size values).
     */
    public static void resize(float[] values, int side, int size, float[] into, int at) {
        byte[] bytes = new byte[3 * size * size];
        toPlanes(scaled(toImage(values, 3, side, side), size), bytes, 0);
        toFloats(bytes, 0, into, at, bytes.length);
    }
}
