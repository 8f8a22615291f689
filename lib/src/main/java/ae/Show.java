package ae;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * Shows pictures, charts and tables as notebook outputs (PNG and HTML, so they render in JupyterLab, in
 * nbconvert's HTML and on GitHub). Works the same on every supported Java kernel.
 *
 * <pre>
 *   Show.chart(chart);                    // an XChart chart, as a PNG
 *   Show.image(picture, "three digits");  // any BufferedImage
 *   Show.Output live = Show.live("waiting…");  ...  live.update(chart);   // one output, redrawn in place
 * </pre>
 * These methods return nothing on purpose: a Java kernel would print a returned object under the picture.
 */
public final class Show {

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private Show() {}

    /** One output cell area, which can be redrawn in place. */
    public static final class Output {
        private final String id;

        private Output(String id) {
            this.id = id;
        }

        public void update(Chart<?, ?> chart) {
            JupyterKernel.current().update(id, pngBundle(render(chart), title(chart)));
        }

        public void update(BufferedImage image, String caption) {
            JupyterKernel.current().update(id, pngBundle(image, caption));
        }

        public void updateText(String text) {
            JupyterKernel.current().update(id, JupyterKernel.bundle(text, null, null));
        }

        /** Replaces this output with an interactive chart (and its PNG): see {@link Plot}. */
        public void update(Plot plot) {
            JupyterKernel.current().updateObjects(id, plot.bundle());
        }
    }

    /** Shows an XChart chart (XY, category, pie…) as a PNG. */
    public static void chart(Chart<?, ?> chart) {
        image(render(chart), title(chart));
    }

    /** Shows an image; {@code caption} is what a text-only viewer sees instead. */
    public static void image(BufferedImage image, String caption) {
        JupyterKernel.current().display(pngBundle(image, caption));
    }

    /** Shows a Tablesaw table as an HTML table (plain text where HTML is not shown). */
    public static void table(Table table) {
        JupyterKernel.current().display(JupyterKernel.bundle(table.print(), "text/html", html(table)));
    }

    /** Shows {@code text} in an output that can be redrawn later with {@link Output#update}. */
    public static Output live(String text) {
        return new Output(JupyterKernel.current().display(JupyterKernel.bundle(text, null, null)));
    }

    /** Which kernel the notebook runs in, as far as the helper jar can tell. */
    public static String kernel() {
        return JupyterKernel.current().name();
    }

    /** Renders a chart to an image, e.g. to save it or to put it in a grid. */
    public static BufferedImage render(Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** PNG bytes of an image. */
    public static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.util.Map<String, String> pngBundle(BufferedImage image, String caption) {
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

    /** A table cell as a reader wants it: floats as written (5.1, not 5.099999904632568), doubles to 6 digits. */
    static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Float f) return Float.toString(f);
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) return d.toString();
            String t = new java.math.BigDecimal(d).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
            return t.contains(".") ? t : t + ".0";   // 22.0 beside 4.5, not 22
        }
        return String.valueOf(v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
