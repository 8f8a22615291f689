package ae.show;

import static org.junit.jupiter.api.Assertions.*;

import ae.JupyterKernel;
import ae.RecordingKernel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.api.ScatterPlot;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.traces.BarTrace;
import tech.tablesaw.plotly.traces.HistogramTrace;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/** Tablesaw's figures as notebook outputs: the Plotly JSON, the PNG beside it, the text, and the one bundle both kernels send. */
class FigureTest {

    @AfterEach
    void restore() {
        JupyterKernel.use(null);
    }

    /** Flowers by species, built the way a notebook builds them: one Tablesaw trace per group, with hover texts. */
    static Figure iris() {
        Table t = Table.create("flowers").addColumns(DoubleColumn.create("number", 1, 2, 3, 4),
                DoubleColumn.create("code", 0.5, -0.25, 1.0 / 3, Double.NaN),
                StringColumn.create("species", "setosa", "versicolor", "setosa", "virginica"),
                StringColumn.create("about", "flower 1\nsepal 5.1", "flower 2 <b>", "flower 3", "flower 4"));
        Trace[] traces = t.splitOn("species").asTableList().stream()
                .map(s -> ScatterTrace.builder(s.numberColumn("number"), s.numberColumn("code")).name(s.name())
                        .text(s.stringColumn("about").asObjectArray()).build())
                .toArray(Trace[]::new);
        return new Figure(Layout.builder("Codes of the flowers", "flower number", "code").build(), traces);
    }

    private static List<Map<String, Object>> traces(Map<String, Object> figure) {
        return FigureJson.cast(figure.get("data"));
    }

    private static Object at(Map<String, Object> m, String... path) {
        Object o = m;
        for (String p : path) o = ((Map<?, ?>) o).get(p);
        return o;
    }

    @Test
    void aTablesawFigureBecomesPlotlyJsonWithNumbersTitlesAndPlainHoverText() {
        Map<String, Object> fig = FigureJson.of(iris());
        List<Map<String, Object>> traces = traces(fig);
        assertEquals(List.of("setosa", "versicolor", "virginica"), traces.stream().map(t -> t.get("name")).toList());
        Map<String, Object> setosa = traces.get(0);
        assertEquals("scatter", setosa.get("type"));
        assertEquals("markers", setosa.get("mode"));
        assertEquals(List.of(1.0, 3.0), setosa.get("x"), "numbers, not Tablesaw's strings");
        assertEquals(List.of(0.5, 0.33333334), setosa.get("y"), "a float's precision");
        assertEquals(List.of("flower 1<br>sepal 5.1", "flower 3"), setosa.get("text"), "a line break where the text has \\n");
        assertEquals(List.of("flower 2 &lt;b&gt;"), traces.get(1).get("text"), "plain text is escaped for Plotly's HTML");
        assertEquals(java.util.Collections.singletonList(null), traces.get(2).get("y"), "NaN is a gap (null), not invalid JSON");
        assertEquals("Codes of the flowers", at(fig, "layout", "title", "text"), "plotly.js 3 reads {text: ...}");
        assertEquals("flower number", at(fig, "layout", "xaxis", "title", "text"));
        assertEquals("code", at(fig, "layout", "yaxis", "title", "text"));
        assertNull(at(fig, "layout", "width"), "Tablesaw's default size (800 x 600) is left to the notebook");
    }

    @Test
    void theOutputBundleHasTextPngAndPlotlyJsonAsAnObject() throws Exception {
        RecordingKernel k = new RecordingKernel();
        JupyterKernel.use(k);
        Show.figure(iris());
        assertEquals(List.of("display [text/plain, image/png, " + FigureJson.MIME + "]"), k.calls);
        Map<String, ?> bundle = k.shown.get(0);
        assertEquals("[chart \"Codes of the flowers\": code against flower number; setosa (2 points), versicolor (1 points), "
                + "virginica (1 points)]", bundle.get("text/plain"));
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) bundle.get("image/png"))));
        assertEquals(640, png.getWidth());
        assertEquals(420, png.getHeight());
        assertTrue(bundle.get(FigureJson.MIME) instanceof Map<?, ?>, "a JSON tree, which kernels send as a JSON object");

        // what the kernels do with it: Gson writes DisplayData's Map<String, Object>; the Plotly value must be an object
        var gson = new com.google.gson.Gson();
        var written = new com.google.gson.JsonParser().parse(gson.toJson(Map.of("data", bundle))).getAsJsonObject().getAsJsonObject("data");
        assertTrue(written.get(FigureJson.MIME).isJsonObject(), written.get(FigureJson.MIME).toString().substring(0, 40));
        assertEquals(3, written.getAsJsonObject(FigureJson.MIME).getAsJsonArray("data").size());
        assertTrue(written.get("image/png").isJsonPrimitive());
    }

    @Test
    void thePngDrawsTheSeriesInPlotlysColours() {
        BufferedImage img = FigureImage.render(FigureJson.of(iris()), 640, 420);
        int blue = 0, orange = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) {
            int rgb = img.getRGB(x, y) & 0xFFFFFF;
            int r = rgb >> 16, g = rgb >> 8 & 0xFF, b = rgb & 0xFF;
            if (Math.abs(r - 0x1f) + Math.abs(g - 0x77) + Math.abs(b - 0xb4) < 60) blue++;
            if (Math.abs(r - 0xff) + Math.abs(g - 0x7f) + Math.abs(b - 0x0e) < 60) orange++;
        }
        assertTrue(blue > 20 && orange > 20, "points of the first two series: " + blue + " blue, " + orange + " orange pixels");
    }

    @Test
    void tablesawsOwnPlotsBarsAndTitlesComeThrough() {
        Table t = Table.create("flowers").addColumns(DoubleColumn.create("sepal length", 5.1, 4.9, 7.0),
                DoubleColumn.create("sepal width", 3.5, 3.0, 3.2), StringColumn.create("species", "setosa", "setosa", "versicolor"));
        Map<String, Object> fig = FigureJson.of(ScatterPlot.create("It's a <test>", t, "sepal length", "sepal width", "species"));
        assertEquals(2, traces(fig).size());
        assertEquals(List.of(5.1, 4.9), traces(fig).get(0).get("x"));
        assertEquals("It&#39;s a &lt;test&gt;", at(fig, "layout", "title", "text"), "Tablesaw's escaping, which Plotly decodes");
        assertEquals("sepal length", at(fig, "layout", "xaxis", "title", "text"));
        assertTrue(FigureJson.text(fig).startsWith("[chart \"It's a <test>\": sepal width against sepal length; setosa (2 points)"),
                FigureJson.text(fig));

        Figure bars = new Figure(Layout.builder("Error per class", "class", "MSE").build(),
                BarTrace.builder(new String[] {"airplane", "horse"}, new double[] {0.02, 0.031}).name("test").build());
        Map<String, Object> bar = traces(FigureJson.of(bars)).get(0);
        assertEquals("bar", bar.get("type"));
        assertEquals(List.of("airplane", "horse"), bar.get("x"), "categories stay strings");
        assertEquals(List.of(0.02, 0.031), bar.get("y"));
        assertEquals(640, FigureImage.render(FigureJson.of(bars), 640, 420).getWidth());
    }

    @Test
    void figuresWithoutTitlesOrWithTracesThePngCannotDrawAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Show.figure(new Figure(ScatterTrace.builder(new double[] {1}, new double[] {2}).build())));
        assertTrue(e.getMessage().contains("a title") && e.getMessage().contains("Layout.builder(title, xTitle, yTitle)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Show.figure(new Figure(Layout.builder("t", " ", "y").build(),
                ScatterTrace.builder(new double[] {1}, new double[] {2}).build())));
        assertTrue(e.getMessage().contains("an x axis title"), e.getMessage());
        Figure histogram = new Figure(Layout.builder("Histogram", "x", "count").build(), HistogramTrace.builder(new double[] {1, 2, 2}).build());
        e = assertThrows(IllegalArgumentException.class, () -> Show.figure(histogram));
        assertTrue(e.getMessage().contains("[histogram]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Show.figure(new Figure(Layout.builder("t", "x", "y").build())));
        assertTrue(e.getMessage().contains("no traces"), e.getMessage());
    }

    @Test
    void aLossChartFinishesAsAnInteractiveChartInPlaceOfItsLivePicture() {
        RecordingKernel k = new RecordingKernel();
        JupyterKernel.use(k);
        LossChart loss = LossChart.live("Iris autoencoder", "RMSE", 2);
        loss.add("training", 1, 0.5).add("training", 2, 0.25).add("validation", 2, 0.3);
        loss.finishInteractive();
        assertTrue(k.calls.get(k.calls.size() - 1).startsWith("update id-1 [text/plain, image/png, " + FigureJson.MIME + "]"), k.calls.toString());
        Map<String, Object> fig = FigureJson.cast(k.shown.get(k.shown.size() - 1).get(FigureJson.MIME));
        assertEquals("Iris autoencoder", at(fig, "layout", "title", "text"));
        assertEquals("epoch", at(fig, "layout", "xaxis", "title", "text"));
        assertEquals("x", at(fig, "layout", "hovermode"), "every series' value at the epoch under the mouse");
        assertEquals(List.of(0.5, 0.25), traces(fig).get(0).get("y"));
        assertEquals("lines+markers", traces(fig).get(0).get("mode"));
        assertEquals(List.of(2.0), traces(fig).get(1).get("x"));
    }

    @Test
    void withoutAKernelAChartIsItsLineOfText() {
        JupyterKernel.use(new JupyterKernel.Text());
        var out = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(out, true));
        try {
            Show.figure(iris());
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString().startsWith("[chart \"Codes of the flowers\""), out.toString());
    }

    @Test
    void plotlyPseudoHtmlBecomesPlainTextForThePngAndColoursAreRead() {
        assertEquals("a b <c> & 'd' é", FigureImage.plain("a<br>b &lt;c&gt; &amp; &#39;d&#39; &#xe9;"));
        assertEquals(new java.awt.Color(31, 119, 180), FigureImage.parse("#1f77b4"));
        assertEquals(new java.awt.Color(255, 0, 0, 128), FigureImage.parse("rgba(255, 0, 0, 0.5)"));
        assertNull(FigureImage.parse("red"));
    }


    @Test
    void tickLabelsHaveALeadingZeroAndTheDecimalsTheRangeNeeds() {
        assertEquals("#,##0.000", FigureImage.tickPattern(0.01, 0.06));    // ticks 0.010, 0.020, … (XChart's own labels: .01, .02)
        assertEquals("#,##0.00", FigureImage.tickPattern(0.2, 0.9));
        assertEquals("#,##0", FigureImage.tickPattern(0, 60_000));           // 10,000, 20,000, …
        assertEquals("#,##0.00", FigureImage.tickPattern(0.5, 0.5));          // one value: decimals for its size
        var root = java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT);
        assertEquals("0.04", new java.text.DecimalFormat(FigureImage.tickPattern(0, 0.1), root).format(0.04));
    }
}
