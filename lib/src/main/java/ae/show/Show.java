package ae.show;

import ae.JupyterKernel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/**
 * Shows pictures, charts, interactive figures and tables as notebook outputs (PNG, Plotly and HTML, so they render in
 * JupyterLab, in nbconvert's HTML and on GitHub). Works the same on every supported Java kernel.
 *
 * <pre>
 *   Show.chart(chart);                    // an XChart chart, as a PNG
 *   Show.figure(figure);                  // a Tablesaw figure (tablesaw-jsplot), interactive, with its PNG
 *   Show.image(picture, "three digits");  // any BufferedImage
 *   Show.table(table);                    // a Tablesaw table, numbers rounded
 * </pre>
 * These methods return nothing on purpose: a Java kernel would print a returned object under the picture.
 */
public final class Show {

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private Show() {}

    /** One output cell area, which can be redrawn in place (a live loss chart). */
    static final class Output {
        private final String id;

        private Output(String id) {
            this.id = id;
        }

        void update(BufferedImage image, String caption) {
            JupyterKernel.current().update(id, pngBundle(image, caption));
        }

        /** Replaces this output with an interactive figure (and its PNG). */
        void update(Figure figure) {
            JupyterKernel.current().update(id, figureBundle(figure));
        }
    }

    /** Shows an XChart chart (XY, category, pie…) as a PNG. */
    public static void chart(Chart<?, ?> chart) {
        image(render(chart), title(chart));
    }

    /**
     * Shows a Tablesaw figure (tablesaw-jsplot: {@code ScatterPlot}, {@code VerticalBarPlot}, {@code LinePlot}, or a
     * {@code Figure} of traces) as an interactive chart: hover over a point to see its text, zoom, hide a series. One
     * output holds three forms: Plotly's JSON (JupyterLab draws it offline, with the renderer of the {@code plotly}
     * Python package), a PNG of the same chart (nbconvert's HTML, GitHub) and a line of text (a console). The figure
     * needs a title and axis titles ({@code Layout.builder(title, xTitle, yTitle)}); hover texts are plain text, "\n"
     * starts a new line; scatter (points, lines) and vertical bar traces have a PNG ({@link FigureJson} says what
     * else the jar adds to Tablesaw's figure).
     */
    public static void figure(Figure figure) {
        JupyterKernel.current().display(figureBundle(figure));
    }

    /** The output of {@link #figure}: text/plain, image/png and Plotly's JSON as a tree (kernels send it as an object). */
    static Map<String, Object> figureBundle(Figure figure) {
        Map<String, Object> json = FigureJson.of(figure);
        Map<String, Object> layout = FigureJson.cast(json.get("layout"));
        int width = layout.get("width") instanceof Number w ? Math.max(320, Math.min(1000, w.intValue())) : 640;
        int height = layout.get("height") instanceof Number h ? Math.max(240, Math.min(800, h.intValue())) : 420;
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put("text/plain", FigureJson.text(json));
        bundle.put("image/png", Base64.getEncoder().encodeToString(png(FigureImage.render(json, width, height))));
        bundle.put(FigureJson.MIME, json);
        return bundle;
    }

    /** Shows an image; {@code caption} is what a text-only viewer sees instead. */
    public static void image(BufferedImage image, String caption) {
        JupyterKernel.current().display(pngBundle(image, caption));
    }

    /**
     * Shows a Tablesaw table as an HTML table (plain text where HTML is not shown). Both forms show every number
     * rounded to {@value #SIGNIFICANT} significant digits (see {@link #cell}).
     */
    public static void table(Table table) {
        JupyterKernel.current().display(JupyterKernel.bundle(text(table), "text/html", html(table)));
    }

    /** Shows {@code text} in an output that can be redrawn later with {@link Output#update}. */
    static Output live(String text) {
        return new Output(JupyterKernel.current().display(JupyterKernel.bundle(text, null, null)));
    }

    /** Renders a chart to an image, e.g. to save it or to put it in a grid. */
    static BufferedImage render(Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** PNG bytes of an image. */
    static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> pngBundle(BufferedImage image, String caption) {
        String text = "[image " + image.getWidth() + "x" + image.getHeight() + (caption == null || caption.isBlank() ? "" : ": " + caption) + "]";
        return JupyterKernel.bundle(text, "image/png", Base64.getEncoder().encodeToString(png(image)));
    }

    private static String title(Chart<?, ?> chart) {
        return chart.getTitle();
    }

    static String html(Table table) {
        StringBuilder s = new StringBuilder("<table>");
        if (table.name() != null && !table.name().isBlank()) s.append("<caption>").append(escape(table.name())).append("</caption>");
        s.append("<thead><tr>");
        for (String c : table.columnNames()) s.append("<th>").append(escape(c)).append("</th>");
        s.append("</tr></thead><tbody>");
        for (int r = 0; r < table.rowCount(); r++) {
            s.append("<tr>");
            for (int c = 0; c < table.columnCount(); c++) s.append("<td>").append(escape(cell(table.column(c).get(r)))).append("</td>");
            s.append("</tr>");
        }
        return s.append("</tbody></table>").toString();
    }

    /** Significant digits a table shows of a number with a fraction (whole numbers are shown whole). */
    static final int SIGNIFICANT = 4;

    /** The plain-text form of a table: its name, then aligned columns (numbers to the right), cells as in {@link #cell}. */
    static String text(Table table) {
        int columns = table.columnCount(), rows = table.rowCount();
        String[][] cells = new String[rows + 1][columns];
        int[] width = new int[columns];
        boolean[] numeric = new boolean[columns];
        for (int c = 0; c < columns; c++) {
            cells[0][c] = table.column(c).name();
            numeric[c] = rows > 0;
            for (int r = 0; r < rows; r++) {
                Object v = table.column(c).get(r);
                cells[r + 1][c] = cell(v);
                numeric[c] &= v == null || v instanceof Number;
            }
            for (String[] row : cells) width[c] = Math.max(width[c], row[c].length());
        }
        StringBuilder s = new StringBuilder();
        if (table.name() != null && !table.name().isBlank()) s.append(table.name()).append('\n');
        for (int r = 0; r <= rows; r++) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                if (c > 0) line.append(" | ");
                String pad = " ".repeat(width[c] - cells[r][c].length());
                line.append(numeric[c] ? pad + cells[r][c] : cells[r][c] + pad);
            }
            s.append(line.toString().stripTrailing()).append('\n');
            if (r == 0) {
                for (int c = 0; c < columns; c++) s.append(c > 0 ? "-+-" : "").append("-".repeat(width[c]));
                s.append('\n');
            }
        }
        return s.toString();
    }

    /**
     * A table cell as a reader wants it: a number with a fraction to {@value #SIGNIFICANT} significant digits (5.1,
     * not 5.099999904632568; 0.04197, not 0.04197329009779787), with at least one decimal (22.0 beside 4.5), and a
     * whole number in full (50992, 1234.6 → 1235).
     */
    static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Float f) return f.isNaN() || f.isInfinite() ? f.toString() : round(new java.math.BigDecimal(Float.toString(f)), SIGNIFICANT);
        if (v instanceof Double d) return digits(d, SIGNIFICANT);
        return String.valueOf(v);
    }

    /** A number as {@link #cell} writes it, to the given number of significant digits (charts show 6, a float's). */
    static String digits(double v, int significant) {
        return Double.isNaN(v) || Double.isInfinite(v) ? Double.toString(v) : round(new java.math.BigDecimal(v), significant);
    }

    private static String round(java.math.BigDecimal d, int significant) {
        int wholeDigits = d.signum() == 0 ? 1 : d.precision() - d.scale();   // digits before the point (may be <= 0)
        java.math.BigDecimal r = wholeDigits >= significant
                ? d.setScale(0, java.math.RoundingMode.HALF_EVEN)
                : d.round(new java.math.MathContext(significant, java.math.RoundingMode.HALF_EVEN));
        String t = r.stripTrailingZeros().toPlainString();
        return t.contains(".") || wholeDigits >= significant ? t : t + ".0";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
