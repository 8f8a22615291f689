package ae.show;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The static picture of a Plotly figure ({@link FigureJson}), drawn with XChart: what viewers that cannot run Plotly
 * show (nbconvert's HTML, GitHub). Draws scatter traces (points, lines or both) and vertical bar traces, with the figure's title, axis
 * titles, legend and colours.
 */
final class FigureImage {

    /** Plotly's default colours (D3's category10), used by both pictures so that they match. */
    static final List<String> COLORWAY = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf");

    private FigureImage() {}

    static BufferedImage render(Map<String, Object> figure, int width, int height) {
        List<Map<String, Object>> traces = FigureJson.cast(figure.get("data"));
        Map<String, Object> layout = FigureJson.cast(figure.getOrDefault("layout", Map.of()));
        Set<String> types = new LinkedHashSet<>();
        for (var t : traces) types.add(type(t));
        String title = plain(FigureJson.titleText(layout.get("title")));
        String x = plain(FigureJson.titleText(FigureJson.axis(layout, "xaxis").get("title")));
        String y = plain(FigureJson.titleText(FigureJson.axis(layout, "yaxis").get("title")));
        List<Color> colors = colors(layout);
        if (types.equals(Set.of("bar"))) return Show.render(bars(traces, title, x, y, colors, width, height));
        if (Set.of("scatter", "scattergl").containsAll(types)) return Show.render(xy(traces, title, x, y, colors, width, height));
        throw new IllegalArgumentException("the static picture of an interactive chart is drawn for scatter, line and bar "
                + "traces only; this figure has " + types + " traces. Use ScatterTrace or BarTrace (vertical).");
    }

    private static XYChart xy(List<Map<String, Object>> traces, String title, String xTitle, String yTitle, List<Color> colors, int w, int h) {
        XYChart chart = new XYChartBuilder().width(w).height(h).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(chart.getStyler(), colors, traces.size());
        int points = 0;
        double[] range = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (var t : traces) points += size(t.get("y"));
        chart.getStyler().setMarkerSize(points > 1000 ? 4 : points > 200 ? 5 : 7);
        for (int i = 0; i < traces.size(); i++) {
            Map<String, Object> t = traces.get(i);
            double[] y = numbers(t.get("y"), "y");
            double[] x = t.get("x") == null ? indices(y.length) : numbers(t.get("x"), "x");
            if (x.length != y.length) throw new IllegalArgumentException("trace " + i + " has " + x.length + " x and " + y.length + " y values");
            int n = 0;
            for (int j = 0; j < x.length; j++) if (Double.isFinite(x[j]) && Double.isFinite(y[j])) { x[n] = x[j]; y[n] = y[j]; n++; }
            if (n == 0) continue;   // Plotly draws nothing for it either
            for (int j = 0; j < n; j++) {
                range[0] = Math.min(range[0], x[j]); range[1] = Math.max(range[1], x[j]);
                range[2] = Math.min(range[2], y[j]); range[3] = Math.max(range[3], y[j]);
            }
            XYSeries s = chart.addSeries(name(t, i, chart.getSeriesMap().keySet()), java.util.Arrays.copyOf(x, n), java.util.Arrays.copyOf(y, n));
            String mode = t.get("mode") instanceof String m ? m : (n < 20 ? "lines+markers" : "lines");   // Plotly's default
            s.setXYSeriesRenderStyle(mode.contains("lines") ? XYSeries.XYSeriesRenderStyle.Line : XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(mode.contains("markers") ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            Color c = color(t, colors.get(i % colors.size()));
            s.setLineColor(c);
            double opacity = t.get("marker") instanceof Map<?, ?> m && m.get("opacity") instanceof Number o ? o.doubleValue() : 1;
            s.setMarkerColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), (int) Math.round(255 * Math.max(0, Math.min(1, opacity)))));
        }
        chart.getStyler().setXAxisDecimalPattern(tickPattern(range[0], range[1]));
        chart.getStyler().setYAxisDecimalPattern(tickPattern(range[2], range[3]));
        return chart;
    }

    private static CategoryChart bars(List<Map<String, Object>> traces, String title, String xTitle, String yTitle, List<Color> colors, int w, int h) {
        CategoryChart chart = new CategoryChartBuilder().width(w).height(h).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(chart.getStyler(), colors, traces.size());
        List<String> first = null;
        for (int i = 0; i < traces.size(); i++) {
            Map<String, Object> t = traces.get(i);
            if ("h".equals(t.get("orientation"))) throw new IllegalArgumentException("the static picture draws vertical bars only; trace " + i + " is horizontal");
            List<String> categories = new ArrayList<>();
            for (Object c : (List<?>) t.get("x")) categories.add(plain(String.valueOf(c)));
            if (first == null) first = categories;
            else if (!first.equals(categories)) throw new IllegalArgumentException("every bar series needs the same categories in the same order: " + first + " vs " + categories);
            List<Number> values = new ArrayList<>();
            for (double v : numbers(t.get("y"), "y")) values.add(Double.isFinite(v) ? v : 0.0);
            chart.addSeries(name(t, i, chart.getSeriesMap().keySet()), categories, values).setFillColor(color(t, colors.get(i % colors.size())));
        }
        double low = 0, high = 0;   // bars start at 0
        for (var series : chart.getSeriesMap().values()) {
            for (Number v : series.getYData()) { low = Math.min(low, v.doubleValue()); high = Math.max(high, v.doubleValue()); }
        }
        chart.getStyler().setYAxisDecimalPattern(tickPattern(low, high));
        int longest = first == null ? 0 : first.stream().mapToInt(String::length).max().orElse(0);
        if (first != null && first.size() * Math.max(longest, 3) * 8 > w * 0.8) chart.getStyler().setXAxisLabelRotation(45);
        return chart;
    }

    /**
     * The pattern of an axis's tick labels for values from {@code low} to {@code high}: with a leading zero ("0.04",
     * where XChart's own choice writes ".04"), thousands grouped, and the decimals that ticks about an eighth of the
     * range apart need.
     */
    static String tickPattern(double low, double high) {
        double step = (high - low) / 8;
        if (!(step > 0) || !Double.isFinite(step)) step = Math.abs(high) > 0 && Double.isFinite(high) ? Math.abs(high) / 8 : 1;
        int decimals = Math.max(0, Math.min(8, (int) Math.ceil(-Math.log10(step))));
        return decimals == 0 ? "#,##0" : "#,##0." + "0".repeat(decimals);
    }

    private static void style(Styler s, List<Color> colors, int series) {
        s.setSeriesColors(colors.toArray(new Color[0]));
        s.setLegendVisible(series > 1);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(Color.WHITE);
        s.setPlotBorderVisible(false);
    }

    private static String type(Map<String, Object> trace) {
        return trace.get("type") instanceof String t ? t : "scatter";
    }

    private static String name(Map<String, Object> trace, int i, Set<String> taken) {
        String name = trace.get("name") == null || String.valueOf(trace.get("name")).isBlank() ? "trace " + i : plain(String.valueOf(trace.get("name")));
        String unique = name;
        for (int k = 2; taken.contains(unique); k++) unique = name + " (" + k + ")";
        return unique;
    }

    private static int size(Object list) {
        return list instanceof List<?> l ? l.size() : 0;
    }

    private static double[] indices(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return x;
    }

    /** Numbers of a data array: JSON numbers, or numbers written as strings (Tablesaw's scatter traces); null is NaN. */
    private static double[] numbers(Object list, String what) {
        if (!(list instanceof List<?> l)) throw new IllegalArgumentException("a trace has no " + what + " values");
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            Object o = l.get(i);
            try {
                v[i] = o == null ? Double.NaN : o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the static picture needs numbers as " + what + " values of a scatter or line; got '" + o + "'");
            }
        }
        return v;
    }

    private static List<Color> colors(Map<String, Object> layout) {
        List<Color> out = new ArrayList<>();
        if (layout.get("colorway") instanceof List<?> l) for (Object c : l) {
            Color parsed = parse(String.valueOf(c));
            if (parsed != null) out.add(parsed);
        }
        if (out.isEmpty()) for (String c : COLORWAY) out.add(parse(c));
        return out;
    }

    private static Color color(Map<String, Object> trace, Color fallback) {
        Object c = trace.get("marker") instanceof Map<?, ?> m ? m.get("color") : null;
        if (c == null && trace.get("line") instanceof Map<?, ?> m) c = m.get("color");
        Color parsed = c instanceof String s ? parse(s) : null;
        return parsed == null ? fallback : parsed;
    }

    private static final Pattern RGB = Pattern.compile("rgba?\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*(?:,\\s*([\\d.]+)\\s*)?\\)");

    /** "#rrggbb", "#rgb", "rgb(r, g, b)" or "rgba(r, g, b, a)"; null for anything else (named colours included). */
    static Color parse(String c) {
        c = c.trim();
        if (c.matches("#[0-9a-fA-F]{6}")) return new Color(Integer.parseInt(c.substring(1), 16));
        if (c.matches("#[0-9a-fA-F]{3}")) {
            int r = Integer.parseInt(c.substring(1, 2), 16), g = Integer.parseInt(c.substring(2, 3), 16), b = Integer.parseInt(c.substring(3, 4), 16);
            return new Color(r * 17, g * 17, b * 17);
        }
        Matcher m = RGB.matcher(c);
        if (m.matches()) {
            int a = m.group(4) == null ? 255 : (int) Math.round(255 * Math.min(1, Double.parseDouble(m.group(4))));
            return new Color(Math.min(255, Integer.parseInt(m.group(1))), Math.min(255, Integer.parseInt(m.group(2))), Math.min(255, Integer.parseInt(m.group(3))), a);
        }
        return null;
    }

    /** Plotly's pseudo-HTML as plain text: line breaks become spaces, tags go, entities are decoded. */
    static String plain(String s) {
        String t = s.replaceAll("(?i)<br\\s*/?>", " ").replaceAll("<[^>]*>", "");
        Matcher m = Pattern.compile("&#(x?)([0-9a-fA-F]+);").matcher(t);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(new String(Character.toChars(Integer.parseInt(m.group(2), m.group(1).isEmpty() ? 10 : 16)))));
        m.appendTail(out);
        return out.toString().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&");
    }
}
