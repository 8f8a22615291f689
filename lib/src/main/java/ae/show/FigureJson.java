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
 * Plotly figures as JSON trees: {@code {"data": [...], "layout": {...}}} made of Maps, Lists, Strings, numbers and
 * booleans, which both Java kernels send as JSON objects. Reads Tablesaw's figures (tablesaw-jsplot writes each
 * trace and the layout as a JavaScript object literal) and writes JSON, both with Jackson. Strings in a figure are
 * Plotly's pseudo-HTML (Tablesaw escapes its titles that way, {@link Plot} escapes what it is given).
 */
final class PlotJson {

    /** Reads JavaScript object literals as Tablesaw writes them: bare keys, 'single quotes', trailing commas. */
    private static final JsonMapper JS = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS,
                    JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PlotJson() {}

    static String write(Object tree) {
        try {
            return JSON.writeValueAsString(clean(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON tree: " + e.getOriginalMessage(), e);
        }
    }

    /** Strict JSON (what {@link #write} gives back). */
    static Object read(String json) {
        try {
            return JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A Tablesaw figure as Plotly's {data, layout}, with titles in the form plotly.js 3 reads. */
    static Map<String, Object> fromTablesaw(Figure figure) {
        Trace[] traces = figure.getTraces();
        if (traces == null || traces.length == 0) throw new IllegalArgumentException("the Tablesaw figure has no traces: nothing to draw");
        List<Object> data = new ArrayList<>();
        for (int i = 0; i < traces.length; i++) data.add(object(traces[i].asJavascript(i)));
        Map<String, Object> layout = figure.getLayout() == null ? new LinkedHashMap<>() : object(figure.getLayout().asJavascript());
        retitle(layout);
        for (var e : layout.entrySet()) if (e.getKey().matches("[xyz]axis\\d*") && e.getValue() instanceof Map<?, ?> axis) retitle(cast(axis));
        Map<String, Object> fig = new LinkedHashMap<>();
        fig.put("data", data);
        fig.put("layout", layout);
        return cast(clean(fig));
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
