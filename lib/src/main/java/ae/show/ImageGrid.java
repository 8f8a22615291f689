package ae.show;

import ae.Pixels;
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
    private final List<Row> rows = new ArrayList<>();
    private double codeLow = 0, codeHigh = 1;
    private String codeLegend;

    /** One row of the grid: images (height × width pixels) or codes drawn as heat maps (codeHeight × codeWidth cells). */
    private record Row(String label, INDArray values, boolean code, int codeHeight, int codeWidth) {}

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

    /** A caption under each column, e.g. the class names (wrapped onto two lines where a word does not fit). */
    public ImageGrid columnLabels(List<String> labels) { this.columnLabels = labels; return this; }

    /** Adds a row of images (rows of {@code images}, each channels·height·width pixels in [0, 1]). */
    public ImageGrid row(String label, INDArray images) {
        long per = (long) channels * height * width;
        INDArray flat = images.rank() == 2 ? images : images.reshape(images.size(0), per);
        if (flat.size(1) != per) {
            throw new IllegalArgumentException("row '" + label + "' has images of " + flat.size(1) + " values, expected "
                    + channels + "x" + height + "x" + width + " = " + per);
        }
        rows.add(new Row(label, flat, false, 0, 0));
        return this;
    }

    /**
     * Adds a row of codes, each drawn under its column as a small heat map of {@code codeHeight × codeWidth} cells
     * (row by row), as wide as an image. Colours follow the grid's code scale ({@link #codeScale}), drawn as a
     * colour bar under the grid.
     *
     * <pre>
     *   ImageGrid.of(28, 28).scale(4).row("digit", digits)
     *           .codes("code", codes, 8, 16)          // 128 numbers per digit, as 8 rows of 16
     *           .codeScale(0, 1, "code value").show();
     * </pre>
     */
    public ImageGrid codes(String label, INDArray codes, int codeHeight, int codeWidth) {
        if (codes.rank() != 2 || codes.size(1) != (long) codeHeight * codeWidth) {
            throw new IllegalArgumentException("row '" + label + "' needs codes of " + codeHeight + "x" + codeWidth + " = "
                    + codeHeight * codeWidth + " numbers per row, got shape " + java.util.Arrays.toString(codes.shape()));
        }
        rows.add(new Row(label, codes, true, codeHeight, codeWidth));
        return this;
    }

    /** The values at the two ends of the code colours (default 0 and 1) and the colour bar's caption. */
    public ImageGrid codeScale(double low, double high, String legend) {
        if (!(high > low)) throw new IllegalArgumentException("the code scale needs low < high, got " + low + " and " + high);
        this.codeLow = low;
        this.codeHigh = high;
        this.codeLegend = legend;
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
    BufferedImage image() {
        if (rows.isEmpty()) throw new IllegalStateException("add at least one row() before drawing the grid");
        int cols = (int) Math.min(columns, rows.stream().mapToLong(r -> r.values().rows()).max().orElse(0));
        int cellW = width * scale, gap = 4;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        Font bold = font.deriveFont(Font.BOLD, 15f);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        FontMetrics fm = probe.createGraphics().getFontMetrics(font), fmBold = probe.createGraphics().getFontMetrics(bold);
        int labelW = rows.stream().mapToInt(r -> fm.stringWidth(r.label())).max().orElse(0) + 12;
        int titleH = title == null ? 6 : 28;
        List<List<String>> captions = new ArrayList<>();
        if (columnLabels != null) {
            for (int c = 0; c < cols && c < columnLabels.size(); c++) captions.add(wrap(columnLabels.get(c), fm, cellW + gap - 2));
        }
        int captionH = captions.stream().mapToInt(List::size).max().orElse(0) * 15 + (captions.isEmpty() ? 0 : 3);
        boolean anyCode = rows.stream().anyMatch(Row::code);
        int legendH = anyCode ? 44 : 0;
        int rowsH = rows.stream().mapToInt(r -> rowHeight(r, cellW) + gap).sum();
        int gridW = labelW + cols * (cellW + gap) + 6;
        int titleW = title == null ? 0 : fmBold.stringWidth(title) + 12;
        int w = Math.max(Math.max(gridW, titleW), anyCode ? 260 : 0), h = titleH + rowsH + captionH + legendH + 6;
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
        int y = titleH;
        for (Row r : rows) {
            int cellH = rowHeight(r, cellW);
            g.setColor(Color.BLACK);
            g.drawString(r.label(), 6, y + cellH / 2 + fm.getAscent() / 2);
            for (int c = 0; c < cols && c < r.values().rows(); c++) {
                BufferedImage cell = r.code() ? heatMap(r.values().getRow(c), r.codeHeight(), r.codeWidth()) : Pixels.toImage(r.values().getRow(c).toFloatVector(), channels, height, width);
                g.drawImage(cell, labelW + c * (cellW + gap), y, cellW, cellH, null);
            }
            y += cellH + gap;
        }
        g.setColor(Color.BLACK);
        for (int c = 0; c < captions.size(); c++) {
            List<String> lines = captions.get(c);
            for (int l = 0; l < lines.size(); l++) {
                int x = labelW + c * (cellW + gap) + Math.max(0, (cellW - fm.stringWidth(lines.get(l))) / 2);
                g.drawString(lines.get(l), x, y + 13 + 15 * l);
            }
        }
        if (anyCode) drawColourBar(g, fm, 6, y + captionH + 6);
        g.dispose();
        return out;
    }

    private int rowHeight(Row r, int cellW) {
        return r.code() ? Math.max(1, Math.round((float) cellW * r.codeHeight() / r.codeWidth())) : height * scale;
    }

    /** A horizontal colour bar with the scale's ends and middle, and its caption. */
    private void drawColourBar(Graphics2D g, FontMetrics fm, int x0, int y0) {
        int barW = 200, barH = 12;
        g.setColor(Color.BLACK);
        g.drawString(codeLegend == null ? "code value" : codeLegend, x0, y0 + 10);
        int bx = x0, by = y0 + 14;
        for (int i = 0; i < barW; i++) {
            g.setColor(new Color(colour((double) i / (barW - 1))));
            g.drawLine(bx + i, by, bx + i, by + barH);
        }
        g.setColor(Color.BLACK);
        g.drawRect(bx, by, barW, barH);
        String lo = number(codeLow), mid = number((codeLow + codeHigh) / 2), hi = number(codeHigh);
        g.drawString(lo, bx, by + barH + 13);
        g.drawString(mid, bx + barW / 2 - fm.stringWidth(mid) / 2, by + barH + 13);
        g.drawString(hi, bx + barW - fm.stringWidth(hi), by + barH + 13);
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** One code as a heat map, one cell per number, coloured on the grid's code scale. */
    BufferedImage heatMap(INDArray code, int rowsOfCells, int columnsOfCells) {
        float[] v = code.toFloatVector();
        BufferedImage img = new BufferedImage(columnsOfCells, rowsOfCells, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < v.length; i++) {
            img.setRGB(i % columnsOfCells, i / columnsOfCells, colour((v[i] - codeLow) / (codeHigh - codeLow)));
        }
        return img;
    }

    /** Viridis-like colours: dark purple at 0, through blue and green, to yellow at 1 (clipped outside). */
    static int colour(double t) {
        double[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        double u = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) Math.floor(u));
        double f = u - i;
        int rgb = 0;
        for (int k = 0; k < 3; k++) rgb = (rgb << 8) | (int) Math.round(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
        return rgb;
    }

    /** The label on up to two lines of at most {@code width} pixels, the second shortened with "…" if needed. */
    static List<String> wrap(String label, FontMetrics fm, int width) {
        if (fm.stringWidth(label) <= width || !label.contains(" ")) return List.of(fit(label, fm, width));
        String[] words = label.split(" ");
        StringBuilder first = new StringBuilder(words[0]);
        int k = 1;
        while (k < words.length && fm.stringWidth(first + " " + words[k]) <= width) first.append(' ').append(words[k++]);
        String rest = String.join(" ", java.util.Arrays.copyOfRange(words, k, words.length));
        return List.of(fit(first.toString(), fm, width), fit(rest, fm, width));
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
}
