package ae;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A labelled grid of images: one row per set (originals, noisy, reconstructions…), one column per example.
 *
 * <pre>
 *   ImageGrid.of(28, 28).title("Originals and reconstructions")
 *           .row("original", test.pixels())     // [n, 784] in [0, 1]; the first columns() images are used
 *           .row("decoded", decoded)
 *           .show();
 * </pre>
 * Images are rows of pixels in [0, 1]: grayscale (channels = 1) or planar RGB (channels = 3, red plane first).
 */
public final class ImageGrid {

    private final int height, width, channels;
    private int columns = 10;
    private int scale = 2;
    private String title;
    private List<String> columnLabels;
    private final List<String> rowLabels = new ArrayList<>();
    private final List<INDArray> rows = new ArrayList<>();

    private ImageGrid(int height, int width, int channels) {
        this.height = height;
        this.width = width;
        this.channels = channels;
    }

    /** A grid of grayscale images of this size. */
    public static ImageGrid of(int height, int width) {
        return new ImageGrid(height, width, 1);
    }

    /** A grid of images with 1 (grayscale) or 3 (RGB) channels. */
    public static ImageGrid of(int height, int width, int channels) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
        return new ImageGrid(height, width, channels);
    }

    public ImageGrid title(String title) { this.title = title; return this; }

    /** How many images per row (default 10). */
    public ImageGrid columns(int columns) { this.columns = columns; return this; }

    /** Pixels per image pixel (default 2). */
    public ImageGrid scale(int scale) { this.scale = scale; return this; }

    /** A caption under each column, e.g. the class names. */
    public ImageGrid columnLabels(List<String> labels) { this.columnLabels = labels; return this; }

    /** Adds a row of images (rows of {@code images}, each channels·height·width pixels in [0, 1]). */
    public ImageGrid row(String label, INDArray images) {
        long per = (long) channels * height * width;
        INDArray flat = images.rank() == 2 ? images : images.reshape(images.size(0), per);
        if (flat.size(1) != per) {
            throw new IllegalArgumentException("row '" + label + "' has images of " + flat.size(1) + " values, expected "
                    + channels + "x" + height + "x" + width + " = " + per);
        }
        rowLabels.add(label);
        rows.add(flat);
        return this;
    }

    /**
     * Adds the images as rows of {@link #columns(int)} images each, without row labels: 25 images with 5 columns
     * make a 5×5 block. Set the columns first.
     */
    public ImageGrid block(INDArray images) {
        for (long start = 0; start < images.size(0); start += columns) {
            row("", images.get(NDArrayIndex.interval(start, Math.min(images.size(0), start + columns))));
        }
        return this;
    }

    /** Shows several grids next to each other, in one picture. */
    public static void showBeside(String caption, ImageGrid... grids) {
        List<BufferedImage> images = new ArrayList<>();
        for (ImageGrid grid : grids) images.add(grid.image());
        int gap = 24, w = images.stream().mapToInt(BufferedImage::getWidth).sum() + gap * (images.size() - 1);
        int h = images.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int x = 0;
        for (BufferedImage image : images) {
            g.drawImage(image, x, 0, null);
            x += image.getWidth() + gap;
        }
        g.dispose();
        Show.image(out, caption);
    }

    /** Draws the grid. */
    public BufferedImage image() {
        if (rows.isEmpty()) throw new IllegalStateException("add at least one row() before drawing the grid");
        int cols = (int) Math.min(columns, rows.stream().mapToLong(INDArray::rows).max().orElse(0));
        int cellW = width * scale, cellH = height * scale, gap = 4;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        Font bold = font.deriveFont(Font.BOLD, 15f);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        FontMetrics fm = probe.createGraphics().getFontMetrics(font);
        int labelW = rowLabels.stream().mapToInt(fm::stringWidth).max().orElse(0) + 12;
        int titleH = title == null ? 6 : 28;
        int captionH = columnLabels == null ? 0 : 18;
        int w = labelW + cols * (cellW + gap) + 6, h = titleH + rows.size() * (cellH + gap) + captionH + 6;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        if (title != null) {
            g.setFont(bold);
            g.drawString(title, 6, 20);
        }
        g.setFont(font);
        for (int r = 0; r < rows.size(); r++) {
            int y = titleH + r * (cellH + gap);
            g.setColor(Color.BLACK);
            g.drawString(rowLabels.get(r), 6, y + cellH / 2 + fm.getAscent() / 2);
            INDArray set = rows.get(r);
            for (int c = 0; c < cols && c < set.rows(); c++) {
                g.drawImage(toImage(set.getRow(c)), labelW + c * (cellW + gap), y, cellW, cellH, null);
            }
        }
        if (columnLabels != null) {
            int y = titleH + rows.size() * (cellH + gap) + 13;
            for (int c = 0; c < cols && c < columnLabels.size(); c++) {
                String s = fit(columnLabels.get(c), fm, cellW + gap - 2);
                int x = labelW + c * (cellW + gap) + Math.max(0, (cellW - fm.stringWidth(s)) / 2);
                g.drawString(s, x, y);
            }
        }
        g.dispose();
        return out;
    }

    /** The label, shortened with "…" until it fits {@code width} pixels. */
    static String fit(String label, FontMetrics fm, int width) {
        if (fm.stringWidth(label) <= width) return label;
        String s = label;
        while (s.length() > 1 && fm.stringWidth(s + "…") > width) s = s.substring(0, s.length() - 1);
        return s + "…";
    }

    /** Shows the grid as a PNG in the notebook. */
    public void show() {
        Show.image(image(), title);
    }

    /** One image (channels·height·width values in [0, 1]) as a picture. */
    public BufferedImage toImage(INDArray pixels) {
        float[] v = pixels.toFloatVector();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                int r = byteOf(v[i]), gr = channels == 3 ? byteOf(v[plane + i]) : r, b = channels == 3 ? byteOf(v[2 * plane + i]) : r;
                img.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return img;
    }

    static int byteOf(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}
