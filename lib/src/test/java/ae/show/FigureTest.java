package ae.show;

import ae.JupyterKernel;
import ae.RecordingKernel;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.traces.BarTrace;
import tech.tablesaw.plotly.traces.HistogramTrace;
import tech.tablesaw.plotly.traces.ScatterTrace;

/** Plot: the Plotly JSON it makes, the PNG beside it, and the one output bundle both kernels send. */
class PlotTest {

    @AfterEach
    void restore() {
        JupyterKernel.use(null);
    }

    private static Plot iris() {
        double[] x = {1, 2, 3, 4}, y = {0.5, -0.25, 1.0 / 3, Double.NaN};
        String[] species = {"setosa", "versicolor", "setosa", "virginica"};
        String[] hover = {"flower 1\nsepal 5.1", "flower 2 <b>", "flower 3", "flower 4"};
        return Plot.scatter("Codes of the flowers", "flower number", "code").groups(x, y, species, hover);
    }

    private static Map<String, Object> parse(String json) {
        return PlotJson.cast(PlotJson.read(json));   // strict JSON: throws on anything else
    }

    private static List<Map<String, Object>> traces(Map<String, Object> figure) {
        return PlotJson.cast(figure.get("data"));
    }

    private static Object at(Map<String, Object> m, String... path) {
        Object o = m;
        for (String p : path) o = ((Map<?, ?>) o).get(p);
        return o;
    }

    @Test
    void aScatterIsOneTracePerGroupWithHoverTextPerPointAndTitles() {
        Map<String, Object> fig = parse(iris().json());
        List<Map<String, Object>> traces = traces(fig);
        assertEquals(List.of("setosa", "versicolor", "virginica"), traces.stream().map(t -> t.get("name")).toList());
        Map<String, Object> setosa = traces.get(0);
        assertEquals("scatter", setosa.get("type"));
        assertEquals("markers", setosa.get("mode"));
        assertEquals(List.of(1.0, 3.0), setosa.get("x"));
        assertEquals(List.of(0.5, 0.333333), setosa.get("y"), "6 significant digits");
        List<?> hover = (List<?>) setosa.get("hovertext");
        assertEquals("flower 1<br>sepal 5.1<br>flower number: 1<br>code: 0.5", hover.get(0));
        assertTrue(((String) traces.get(1).get("hovertext").toString()).contains("flower 2 &lt;b&gt;"), "plain text is escaped for Plotly's HTML");
        assertEquals(java.util.Collections.singletonList(null), traces.get(2).get("y"), "NaN is a gap (null), not invalid JSON");
        assertTrue(((String) setosa.get("hovertemplate")).contains("%{hovertext}"));
        assertEquals("Codes of the flowers", at(fig, "layout", "title", "text"));
        assertEquals("flower number", at(fig, "layout", "xaxis", "title", "text"));
        assertEquals("code", at(fig, "layout", "yaxis", "title", "text"));
    }

    @Test
    void classesByLabelComeInTheOrderOfTheirNames() {
        Plot p = Plot.scatter("Codes", "component 1", "component 2")
                .groups(new double[] {1, 2, 3}, new double[] {1, 2, 3}, new int[] {2, 0, 2}, List.of("zero", "one", "two"), null);
        assertEquals(List.of("zero", "two"), traces(parse(p.json())).stream().map(t -> t.get("name")).toList());
        var e = assertThrows(IllegalArgumentException.class, () -> Plot.scatter("t", "x", "y")
                .groups(new double[1], new double[1], new int[] {3}, List.of("a"), null));
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
    }

    @Test
    void theOutputBundleHasTextPngAndPlotlyJsonAsAnObject() throws Exception {
        RecordingKernel k = new RecordingKernel();
        JupyterKernel.use(k);
        iris().show();
        assertEquals(List.of("display [text/plain, image/png, " + Plot.MIME + "]"), k.calls);
        Map<String, ?> bundle = k.shown.get(0);
        assertEquals(List.of("text/plain", "image/png", Plot.MIME), new ArrayList<>(bundle.keySet()));
        assertEquals("[chart \"Codes of the flowers\": code against flower number; setosa (2 points), versicolor (1 points), "
                + "virginica (1 points)]", bundle.get("text/plain"));
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) bundle.get("image/png"))));
        assertEquals(640, png.getWidth());
        assertEquals(420, png.getHeight());
        assertTrue(bundle.get(Plot.MIME) instanceof Map<?, ?>, "a JSON tree, which kernels send as a JSON object");
        assertEquals(3, traces(PlotJson.cast(bundle.get(Plot.MIME))).size());

        // what the kernels do with it: Gson writes DisplayData's Map<String, Object>; the Plotly value must be an object
        var gson = new com.google.gson.Gson();
        var written = new com.google.gson.JsonParser().parse(gson.toJson(Map.of("data", bundle))).getAsJsonObject().getAsJsonObject("data");
        assertTrue(written.get(Plot.MIME).isJsonObject(), written.get(Plot.MIME).toString().substring(0, 40));
        assertTrue(written.getAsJsonObject(Plot.MIME).getAsJsonArray("data").size() == 3);
        assertTrue(written.get("image/png").isJsonPrimitive());
    }

    @Test
    void thePngDrawsTheSeriesInPlotlysColours() {
        BufferedImage img = iris().image();
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
    void lossCurvesShowExactValuesOnHover() {
        Map<String, Object> fig = parse(Plot.lines("Loss per epoch", "epoch", "MSE")
                .line("training", new double[] {1, 2, 3}, new double[] {0.1234567, 0.0912345678, 0.08})
                .line("validation", new double[] {1, 2, 3}, new double[] {0.2, 0.15, 0.1}).json());
        assertEquals("x unified", at(fig, "layout", "hovermode"));
        Map<String, Object> training = traces(fig).get(0);
        assertEquals("lines+markers", training.get("mode"));
        assertEquals(List.of("0.123457", "0.0912346", "0.08"), training.get("hovertext"));
        assertEquals("training: %{hovertext}<extra></extra>", training.get("hovertemplate"));
    }

    @Test
    void barsHaveOneBarPerCategoryAndCheckTheirInput() throws Exception {
        Plot p = Plot.bars("Error per class", "class", "MSE").bar("test", new String[] {"airplane", "horse"}, new double[] {0.02, 0.031});
        Map<String, Object> bar = traces(parse(p.json())).get(0);
        assertEquals("bar", bar.get("type"));
        assertEquals(List.of("airplane", "horse"), bar.get("x"));
        assertEquals(List.of(0.02, 0.031), bar.get("y"));
        assertEquals("horse<br>MSE: 0.031", ((List<?>) bar.get("hovertext")).get(1));
        assertEquals(640, p.image().getWidth());
        assertThrows(IllegalStateException.class, () -> p.line("x", new double[1], new double[1]));
        assertThrows(IllegalStateException.class, () -> Plot.scatter("t", "x", "y").bar("b", new String[1], new double[1]));
        var e = assertThrows(IllegalArgumentException.class, () -> Plot.bars("t", "x", "y").bar("b", new String[] {"a", "b"}, new double[1]));
        assertTrue(e.getMessage().contains("1 values but x has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plot.scatter("t", " ", "y"));
        assertTrue(e.getMessage().contains("x axis title"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Plot.scatter("t", "x", "y").show(), "no series yet");
    }

    @Test
    void aTablesawFigureBecomesPlotlyJsonWithItsTitles() {
        Layout layout = Layout.builder("It's a <test>", "sepal length", "sepal width").build();
        Figure figure = new Figure(layout,
                ScatterTrace.builder(new double[] {5.1, 4.9}, new double[] {3.5, 3.0}).name("setosa")
                        .text(new String[] {"flower \"1\"", "flower 2"}).mode(ScatterTrace.Mode.MARKERS).build(),
                ScatterTrace.builder(new double[] {7.0}, new double[] {3.2}).name("versicolor").build());
        Plot p = Plot.of(figure);
        Map<String, Object> fig = parse(p.json());
        List<Map<String, Object>> traces = traces(fig);
        assertEquals(2, traces.size());
        assertEquals(List.of("5.1", "4.9"), traces.get(0).get("x"), "Tablesaw writes scatter data as strings; Plotly reads them");
        assertEquals(List.of("flower \"1\"", "flower 2"), traces.get(0).get("text"));
        assertEquals("It&#39;s a &lt;test&gt;", at(fig, "layout", "title", "text"), "Tablesaw's escaping, which Plotly decodes");
        assertEquals("sepal length", at(fig, "layout", "xaxis", "title", "text"), "plotly.js 3 reads {text: ...}");
        assertTrue(p.text().startsWith("[chart \"It's a <test>\": sepal width against sepal length; setosa (2 points)"), p.text());
        assertEquals(2 + 1, traces.stream().mapToInt(t -> ((List<?>) t.get("y")).size()).sum());

        Figure bars = new Figure(Layout.builder("Counts", "animal", "count").build(),
                BarTrace.builder(new String[] {"cat", "dog"}, new double[] {3, 4}).build());
        assertEquals("bar", traces(parse(Plot.of(bars).json())).get(0).get("type"));
    }

    @Test
    void aTablesawFigureWithoutTitlesOrWithTracesThePngCannotDrawIsRefused() {
        Figure untitled = new Figure(ScatterTrace.builder(new double[] {1}, new double[] {2}).build());
        var e = assertThrows(IllegalArgumentException.class, () -> Plot.of(untitled));
        assertTrue(e.getMessage().contains("title"), e.getMessage());
        Figure histogram = new Figure(Layout.builder("Histogram", "x", "count").build(), HistogramTrace.builder(new double[] {1, 2, 2}).build());
        e = assertThrows(IllegalArgumentException.class, () -> Plot.of(histogram));
        assertTrue(e.getMessage().contains("[histogram]"), e.getMessage());
    }

    @Test
    void aLossChartFinishesAsAnInteractiveChartInPlaceOfItsLivePicture() {
        RecordingKernel k = new RecordingKernel();
        JupyterKernel.use(k);
        LossChart loss = LossChart.live("Iris autoencoder", "RMSE", 2);
        loss.add("training", 1, 0.5).add("training", 2, 0.25);
        loss.finishInteractive();
        assertTrue(k.calls.get(k.calls.size() - 1).startsWith("update id-1 [text/plain, image/png, " + Plot.MIME + "]"), k.calls.toString());
        Map<String, Object> fig = PlotJson.cast(k.shown.get(k.shown.size() - 1).get(Plot.MIME));
        assertEquals("Iris autoencoder", at(fig, "layout", "title", "text"));
        assertEquals("epoch", at(fig, "layout", "xaxis", "title", "text"));
        assertEquals(List.of("0.5", "0.25"), traces(fig).get(0).get("hovertext"));
    }

    @Test
    void withoutAKernelAChartIsItsLineOfText() {
        JupyterKernel.use(new JupyterKernel.Text());
        var out = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(out, true));
        try {
            iris().show();
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString().startsWith("[chart \"Codes of the flowers\""), out.toString());
    }

    @Test
    void jsonTextsAreEscapedAndNumbersStayNumbers() {
        String json = PlotJson.write(Map.of("a", List.of("quote \" backslash \\ tab \t", 1.5, Double.NaN, true)));
        assertEquals("{\"a\":[\"quote \\\" backslash \\\\ tab \\t\",1.5,null,true]}", json);
    }
}
