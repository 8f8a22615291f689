package ae.show;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.traces.Trace;

/**
 * A Tablesaw figure as Plotly's JSON, {@code {"data": [...], "layout": {...}}}, a tree of Maps, Lists, Strings,
 * numbers and booleans that both Java kernels send as a JSON object. tablesaw-jsplot writes each trace and the layout
 * as a JavaScript object literal for a web page; this reads them (Jackson, lenient) and adds what a notebook output
 * needs and Tablesaw does not do:
 * <ul>
 *   <li>titles in the form plotly.js 3 reads ({@code title: {text: …}}, Tablesaw writes {@code title: '…'});</li>
 *   <li>data as numbers (Tablesaw writes a scatter's x and y as strings), to a float's precision, NaN as a gap;</li>
 *   <li>hover texts as plain text: {@code <}, {@code >} and {@code &} shown as such, a line break where the text has
 *       {@code \n} (Tablesaw passes them on raw, and Plotly reads its pseudo-HTML);</li>
 *   <li>the size left to the notebook when it is Tablesaw's default (800 × 600), which is wider than most outputs;</li>
 *   <li>a title and axis titles, required: every chart of the course is titled and its axes labelled.</li>
 * </ul>
 */
final class FigureJson {

    /** The MIME type JupyterLab's Plotly renderer draws. */
    static final String MIME = "application/vnd.plotly.v1+json";

    /** Reads JavaScript object literals as Tablesaw writes them: bare keys, 'single quotes', trailing commas. */
    private static final JsonMapper JS = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS,
                    JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .build();

    private FigureJson() {}

    /** The figure as Plotly's JSON tree, with the additions above; a figure without titles is refused. */
    static Map<String, Object> of(Figure figure) {
        Trace[] traces = figure.getTraces();
        if (traces == null || traces.length == 0) throw new IllegalArgumentException("the figure has no traces: nothing to draw");
        List<Object> data = new ArrayList<>();
        for (int i = 0; i < traces.length; i++) data.add(trace(object(traces[i].asJavascript(i))));
        Map<String, Object> layout = figure.getLayout() == null ? new LinkedHashMap<>() : object(figure.getLayout().asJavascript());
        retitle(layout);
        for (var e : layout.entrySet()) if (e.getKey().matches("[xyz]axis\\d*") && e.getValue() instanceof Map<?, ?> axis) retitle(cast(axis));
        if (Integer.valueOf(800).equals(layout.get("width")) && Integer.valueOf(600).equals(layout.get("height"))) {
            layout.remove("width");   // Tablesaw's default size: the notebook's width instead, and a PNG of 640 x 420
            layout.remove("height");
        }
        required(titleText(layout.get("title")), "a title");
        required(titleText(axis(layout, "xaxis").get("title")), "an x axis title");
        required(titleText(axis(layout, "yaxis").get("title")), "a y axis title");
        Map<String, Object> fig = new LinkedHashMap<>();
        fig.put("data", data);
        fig.put("layout", layout);
        return cast(clean(fig));
    }

    private static void required(String title, String what) {
        if (FigureImage.plain(title).isBlank()) {
            throw new IllegalArgumentException("the figure needs " + what + ": every chart is titled and its axes labelled"
                    + " (Layout.builder(title, xTitle, yTitle))");
        }
    }

    /** A trace with numbers as numbers and hover texts as plain text. */
    private static Map<String, Object> trace(Map<String, Object> t) {
        for (String key : new String[] {"x", "y", "z"}) {
            if (t.get(key) instanceof List<?> values && numeric(values)) t.put(key, numbers(values));
        }
        for (String key : new String[] {"text", "hovertext"}) {
            if (t.get(key) instanceof List<?> texts) t.put(key, texts.stream().map(s -> s == null ? null : escape(String.valueOf(s))).toList());
            else if (t.get(key) instanceof String s) t.put(key, escape(s));
        }
        return t;
    }

    /**
     * Whether every value is a number or a number written as a string (a category like "horse" is not); "null" is
     * how Tablesaw writes a column's missing value.
     */
    private static boolean numeric(List<?> values) {
        for (Object v : values) {
            if (v == null || v instanceof Number || "null".equals(v)) continue;
            try {
                Double.parseDouble(String.valueOf(v));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    /** Numbers to a float's precision (what the data held; a smaller output), NaN and ±∞ as null (a gap). */
    private static List<Double> numbers(List<?> values) {
        List<Double> out = new ArrayList<>(values.size());
        for (Object v : values) {
            double d = v == null || "null".equals(v) ? Double.NaN : v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
            out.add(Double.isFinite(d) ? Double.valueOf(Float.toString((float) d)) : null);
        }
        return out;
    }

    /** Plain text → Plotly's pseudo-HTML: & < > escaped, "\n" a line break. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>");
    }

    /** The object of {@code var name = {...};}. */
    static Map<String, Object> object(String javascript) {
        int start = javascript.indexOf('{'), end = javascript.lastIndexOf('}');
        if (start < 0 || end < start) throw new IllegalArgumentException("Tablesaw wrote no object literal: " + javascript);
        try {
            return cast(JS.readValue(javascript.substring(start, end + 1), Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("could not read Tablesaw's figure (" + e.getOriginalMessage() + "): " + javascript, e);
        }
    }

    /** plotly.js 3 reads {@code title: {text: ..., font: ...}}; Tablesaw writes {@code title: '...', titlefont: ...}. */
    private static void retitle(Map<String, Object> m) {
        if (m.get("title") instanceof String s) m.put("title", new LinkedHashMap<>(Map.of("text", s)));
        Object font = m.remove("titlefont");
        if (font != null) {
            Map<String, Object> title = cast(m.computeIfAbsent("title", k -> new LinkedHashMap<String, Object>()));
            title.put("font", font);
        }
    }

    /** The text of a title, whether written {@code {text: ...}} or as a plain string; "" when there is none. */
    static String titleText(Object title) {
        if (title instanceof Map<?, ?> m) title = m.get("text");
        return title == null ? "" : String.valueOf(title);
    }

    /** One axis of a layout ({@code "xaxis"}, {@code "yaxis"}), empty when the layout has none. */
    static Map<String, Object> axis(Map<String, Object> layout, String name) {
        return layout.get(name) instanceof Map<?, ?> m ? cast(m) : Map.of();
    }

    /**
     * What a text console shows instead: the title, the axes and each series with its size, e.g. {@code [chart
     * "Codes": code against flower; setosa (50 points), versicolor (50 points)]}.
     */
    static String text(Map<String, Object> figure) {
        Map<String, Object> layout = cast(figure.get("layout"));
        List<Map<String, Object>> traces = cast(figure.get("data"));
        StringBuilder s = new StringBuilder("[chart \"").append(FigureImage.plain(titleText(layout.get("title"))))
                .append("\": ").append(FigureImage.plain(titleText(axis(layout, "yaxis").get("title"))))
                .append(" against ").append(FigureImage.plain(titleText(axis(layout, "xaxis").get("title")))).append("; ");
        for (int i = 0; i < traces.size(); i++) {
            Map<String, Object> t = traces.get(i);
            int n = t.get("y") instanceof List<?> l ? l.size() : 0;
            Object name = t.get("name") == null || String.valueOf(t.get("name")).isBlank() ? "trace " + i : t.get("name");
            s.append(i > 0 ? ", " : "").append(FigureImage.plain(String.valueOf(name)))
                    .append(" (").append(n).append("bar".equals(t.get("type")) ? " bars)" : " points)");
        }
        return s.append("]").toString();
    }

    /** Copies a tree into LinkedHashMaps and ArrayLists, with NaN and infinite numbers as null (JSON has neither). */
    static Object clean(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) out.put(String.valueOf(e.getKey()), clean(e.getValue()));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) out.add(clean(x));
            return out;
        }
        if (v instanceof Double d && !Double.isFinite(d)) return null;
        if (v instanceof Float f && !Float.isFinite(f)) return null;
        return v;
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }
}
