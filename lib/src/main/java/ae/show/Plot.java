package ae.show;

import ae.JupyterKernel;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.None;
import tech.tablesaw.plotly.components.Figure;

/**
 * Interactive charts: hover over a point to see which flower, digit or photo it is, zoom into a region, click a
 * legend entry to hide a series. JupyterLab draws them with Plotly, offline: the output has the MIME type
 * {@code application/vnd.plotly.v1+json}, whose renderer comes with the {@code plotly} Python package (pinned in
 * requirements.txt). The same output holds a PNG of the same chart for viewers that cannot run Plotly (nbconvert's
 * HTML, GitHub) and a line of text for a console.
 *
 * <pre>
 *   Plot.scatter("Codes of the 150 flowers", "flower number", "code")
 *       .groups(number, code, species, hover)          // one colour per species; hover text per point
 *       .show();
 *   Plot.scatter("Codes of the test images", "component 1", "component 2")
 *       .groups(pc1, pc2, test.labels(), test.classNames(), hover)   // classes in their order
 *       .show();
 *   Plot.lines("Loss per epoch", "epoch", "MSE").line("training", epochs, loss).show();
 *   Plot.bars("Error per class", "class", "MSE").bar("test", classNames, errors).show();
 *   Plot.show(figure);                                  // a Tablesaw Figure (tablesaw-jsplot)
 *   Plot.of(lossChart.chart()).show();                  // an XChart XY chart, e.g. a LossChart's
 *   loss.finishInteractive();                           // a LossChart: its live picture becomes interactive
 * </pre>
 * Hover texts are plain text; "\n" starts a new line. Every chart needs a title and axis titles.
 */
public final class Plot {

    /** The MIME type JupyterLab's Plotly renderer draws. */
    public static final String MIME = "application/vnd.plotly.v1+json";

    private final boolean bars;
    private final Map<String, Object> layout;
    private final List<Map<String, Object>> traces = new ArrayList<>();
    private final String xTitle, yTitle;
    private int width = 640, height = 420;

    private Plot(String kind, String title, String xTitle, String yTitle, String hovermode) {
        this.bars = kind.equals("bars");
        required(title, kind, "title");
        this.xTitle = required(xTitle, kind, "x axis title");
        this.yTitle = required(yTitle, kind, "y axis title");
        layout = new LinkedHashMap<>();
        layout.put("title", Map.of("text", escape(title)));
        layout.put("xaxis", Map.of("title", Map.of("text", escape(xTitle)), "automargin", true));
        layout.put("yaxis", Map.of("title", Map.of("text", escape(yTitle)), "automargin", true));
        layout.put("colorway", PlotImage.COLORWAY);
        layout.put("height", height);
        layout.put("hovermode", hovermode);
        if (bars) layout.put("barmode", "group");
    }

    private Plot(Map<String, Object> figure) {
        bars = false;
        layout = PlotJson.cast(figure.get("layout"));
        for (Object t : (List<?>) figure.get("data")) traces.add(PlotJson.cast(t));
        xTitle = PlotImage.plain(PlotJson.titleText(axis("xaxis").get("title")));
        yTitle = PlotImage.plain(PlotJson.titleText(axis("yaxis").get("title")));
        if (layout.get("width") instanceof Number w) width = Math.max(320, Math.min(1000, w.intValue()));
        if (layout.get("height") instanceof Number h) height = Math.max(240, Math.min(800, h.intValue()));
    }

    /** Points, one series per {@link #points} or per group of {@link #groups}; hover shows each point's text. */
    public static Plot scatter(String title, String xTitle, String yTitle) {
        return new Plot("scatter", title, xTitle, yTitle, "closest");
    }

    /** Lines through points, one series per {@link #line}; hover shows every series' exact value at that x. */
    public static Plot lines(String title, String xTitle, String yTitle) {
        return new Plot("lines", title, xTitle, yTitle, "x unified");
    }

    /** Bars, one series per {@link #bar} (several series stand side by side); hover shows the exact value. */
    public static Plot bars(String title, String xTitle, String yTitle) {
        return new Plot("bars", title, xTitle, yTitle, "closest");
    }

    /** A Tablesaw figure (scatter, line and vertical bar traces; its layout needs a title and axis titles). */
    public static Plot of(Figure figure) {
        Plot p = new Plot(PlotJson.fromTablesaw(figure));
        required(PlotImage.plain(PlotJson.titleText(p.layout.get("title"))), "Tablesaw figure", "title (Layout.builder(title, xTitle, yTitle))");
        required(p.xTitle, "Tablesaw figure", "x axis title (Layout.builder(title, xTitle, yTitle))");
        required(p.yTitle, "Tablesaw figure", "y axis title (Layout.builder(title, xTitle, yTitle))");
        p.image();   // a figure the static picture cannot draw fails here, not in the notebook's output
        return p;
    }

    /** Shows a Tablesaw figure as an interactive chart (with its PNG). */
    public static void show(Figure figure) {
        of(figure).show();
    }

    /** An XChart XY chart (e.g. {@link LossChart#chart()}): same title, axis titles, series and points. */
    public static Plot of(XYChart chart) {
        var fallback = chart.getStyler().getDefaultSeriesRenderStyle();
        java.util.function.Predicate<XYSeries> scatter = s -> (s.getXYSeriesRenderStyle() == null ? fallback : s.getXYSeriesRenderStyle())
                == XYSeries.XYSeriesRenderStyle.Scatter;
        boolean lines = !chart.getSeriesMap().values().stream().allMatch(scatter);
        Plot p = lines ? lines(chart.getTitle(), chart.getXAxisTitle(), chart.getYAxisTitle())
                : scatter(chart.getTitle(), chart.getXAxisTitle(), chart.getYAxisTitle());
        for (XYSeries s : chart.getSeriesMap().values()) {
            String mode = scatter.test(s) ? "markers" : s.getMarker() instanceof None ? "lines" : "lines+markers";
            p.add(s.getName(), s.getXData(), s.getYData(), mode, null);
        }
        return p;
    }

    /** One series of points; {@code hover} (may be null) is each point's text, shown above its coordinates. */
    public Plot points(String name, double[] x, double[] y, String[] hover) {
        return add(name, x, y, "markers", hover);
    }

    /** One series per distinct value of {@code group} (in order of first appearance), e.g. per species. */
    public Plot groups(double[] x, double[] y, String[] group, String[] hover) {
        return groups(x, y, group, hover, java.util.Arrays.stream(group).distinct().toList());
    }

    /** One series per class, in the order of {@code classNames} (e.g. {@code test.labels(), test.classNames()}). */
    public Plot groups(double[] x, double[] y, int[] labels, List<String> classNames, String[] hover) {
        String[] group = new String[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of point " + i + " is not a class: there are " + classNames.size());
            }
            group[i] = classNames.get(labels[i]);
        }
        return groups(x, y, group, hover, classNames.stream().filter(java.util.Arrays.asList(group)::contains).toList());
    }

    private Plot groups(double[] x, double[] y, String[] group, String[] hover, List<String> order) {
        check("group", group.length, x.length);
        Map<String, List<Integer>> rows = new LinkedHashMap<>();
        for (String g : order) rows.put(g, new ArrayList<>());
        for (int i = 0; i < group.length; i++) rows.get(group[i]).add(i);
        for (var e : rows.entrySet()) {
            int[] r = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            String[] h = hover == null ? null : new String[r.length];
            double[] gx = new double[r.length], gy = new double[r.length];
            for (int i = 0; i < r.length; i++) {
                gx[i] = x[r[i]];
                gy[i] = y[r[i]];
                if (h != null) h[i] = hover[r[i]];
            }
            points(e.getKey(), gx, gy, h);
        }
        return this;
    }

    /** One line through the points (x ascending, e.g. epochs); hover shows the exact value (6 significant digits). */
    public Plot line(String name, double[] x, double[] y) {
        return add(name, x, y, "lines+markers", null);
    }

    /** One series of bars, one bar per category; hover shows the exact value (6 significant digits). */
    public Plot bar(String name, String[] categories, double[] values) {
        if (!bars) throw new IllegalStateException("bar(...) belongs in Plot.bars(...); this chart is made of points or lines");
        required(name, "bar series", "name");
        check("values", values.length, categories.length);
        List<String> hover = new ArrayList<>();
        List<String> cats = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            cats.add(escape(categories[i]));
            hover.add(escape(categories[i]) + "<br>" + escape(yTitle) + ": " + exact(values[i]));
        }
        Map<String, Object> t = trace("bar", name, hover, "%{hovertext}<extra>" + escape(name) + "</extra>");
        t.put("x", cats);
        t.put("y", rounded(values));
        traces.add(t);
        return this;
    }

    /** Shows the chart: interactive in JupyterLab, a PNG elsewhere, a line of text in a console. */
    public void show() {
        JupyterKernel.current().display(bundle());
    }

    /** The figure as Plotly's JSON: {@code {"data": [...], "layout": {...}}}. */
    public String json() {
        return PlotJson.write(figure());
    }

    /** The static picture (also what the output's PNG shows). */
    public BufferedImage image() {
        if (traces.isEmpty()) throw new IllegalStateException("the chart has no series yet: add points, lines or bars before showing it");
        return PlotImage.render(figure(), width, height);
    }

    /** What a text console shows: the title, the axes and each series with its size. */
    public String text() {
        StringBuilder s = new StringBuilder("[chart \"").append(PlotImage.plain(PlotJson.titleText(layout.get("title"))))
                .append("\": ").append(yTitle).append(" against ").append(xTitle).append("; ");
        for (int i = 0; i < traces.size(); i++) {
            Map<String, Object> t = traces.get(i);
            int n = t.get("y") instanceof List<?> l ? l.size() : 0;
            s.append(i > 0 ? ", " : "").append(PlotImage.plain(String.valueOf(t.getOrDefault("name", "trace " + i))))
                    .append(" (").append(n).append("bar".equals(t.get("type")) ? " bars)" : " points)");
        }
        return s.append("]").toString();
    }

    /** The output: text/plain, image/png and Plotly's JSON (as a JSON tree, so that kernels send it as an object). */
    Map<String, Object> bundle() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("text/plain", text());
        b.put("image/png", Base64.getEncoder().encodeToString(Show.png(image())));
        b.put(MIME, figure());
        return b;
    }

    Map<String, Object> figure() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("data", traces);
        f.put("layout", layout);
        return PlotJson.cast(PlotJson.clean(f));
    }

    private Plot add(String name, double[] x, double[] y, String mode, String[] hover) {
        if (bars) throw new IllegalStateException("a bar chart takes bar(...) series; points and lines go into Plot.scatter or Plot.lines");
        required(name, "series", "name");
        check("y", y.length, x.length);
        if (hover != null) check("hover", hover.length, x.length);
        boolean lines = mode.startsWith("lines");
        List<String> text = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            String at = escape(xTitle) + ": " + number(x[i]) + "<br>" + escape(yTitle) + ": " + number(y[i]);
            text.add(lines ? exact(y[i]) : hover == null ? at : escape(hover[i]) + "<br>" + at);
        }
        // a line's hover ("x unified") shows one row per series: its name and exact value
        Map<String, Object> t = trace("scatter", name, text, lines ? escape(name) + ": %{hovertext}<extra></extra>"
                : "%{hovertext}<extra>" + escape(name) + "</extra>");
        t.put("mode", mode);
        t.put("x", rounded(x));
        t.put("y", rounded(y));
        if (!lines) t.put("marker", Map.of("size", x.length > 1000 ? 5 : 7, "opacity", x.length > 200 ? 0.7 : 0.9));
        traces.add(t);
        return this;
    }

    private static Map<String, Object> trace(String type, String name, List<String> hover, String hovertemplate) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("type", type);
        t.put("name", escape(required(name, type + " series", "name")));
        t.put("hovertext", hover);
        t.put("hovertemplate", hovertemplate);
        return t;
    }

    private Map<String, Object> axis(String name) {
        return layout.get(name) instanceof Map<?, ?> m ? PlotJson.cast(m) : Map.of();
    }

    /** Values with 6 significant digits (what a float holds), NaN as a gap. */
    private static List<Double> rounded(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double d : v) out.add(Double.isFinite(d) ? Double.valueOf(exact(d)) : null);
        return out;
    }

    /** 6 significant digits: what a float holds, the "exact value" a hover promises (tables show fewer). */
    private static String exact(double v) {
        return Show.digits(v, 6);
    }

    /** A value for a reader: 12, not 12.0; otherwise 6 significant digits. */
    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : exact(v);
    }

    private static void check(String what, int n, int expected) {
        if (n != expected) throw new IllegalArgumentException(what + " has " + n + " values but x has " + expected + ": give one per point");
    }

    private static String required(String s, String where, String what) {
        if (s == null || s.isBlank()) throw new IllegalArgumentException(where + ": give it a " + what + " (every chart is titled and its axes labelled)");
        return s;
    }

    /** Plain text → Plotly's pseudo-HTML: & < > escaped, "\n" a line break. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>");
    }
}
