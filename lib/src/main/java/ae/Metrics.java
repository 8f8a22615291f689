package ae;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The numbers a notebook reports, saved as JSON in {@code target/metrics/<notebook>.json} for the tests to check.
 *
 * <pre>
 *   Metrics metrics = Metrics.start("01-iris");
 *   metrics.put("rmse", rmse);
 *   metrics.save();
 * </pre>
 * The file also records the mode, the wall seconds since {@code start}, the kernel and whether it showed pictures
 * ({@code "display": "rich"}) or only text ({@code "text"}).
 */
public final class Metrics {

    private final String notebook;
    private final long started = System.nanoTime();
    private final Map<String, Object> values = new LinkedHashMap<>();

    private Metrics(String notebook) {
        this.notebook = notebook;
        values.put("notebook", notebook);
        values.put("mode", Settings.mode().name().toLowerCase(Locale.ROOT));
    }

    /** Starts the clock for a notebook's metrics. */
    public static Metrics start(String notebook) {
        return new Metrics(notebook);
    }

    /** Records a number, string, boolean, array of numbers, list or map (maps nest). */
    public void put(String key, Object value) {
        toJson(value); // refuse what cannot be written now, not at save()
        values.put(key, value);
    }

    /**
     * Records a model: its parameter count and the fingerprint of its whole configuration (layers, sizes,
     * activations, initialisation, updater, loss; not the seed or the training counters), so that a test can check
     * that {@code make bench} trains exactly the notebook's model. Stored as {@code models.<name>.params} and
     * {@code models.<name>.config}.
     */
    @SuppressWarnings("unchecked")
    public void model(String name, org.deeplearning4j.nn.multilayer.MultiLayerNetwork net) {
        Map<String, Object> models = (Map<String, Object>) values.computeIfAbsent("model_configs", k -> new LinkedHashMap<String, Object>());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("params", net.numParams());
        m.put("config", fingerprint(net));
        models.put(name, m);
    }

    /** SHA-256 (first 16 hex digits) of the network's JSON configuration without its seed and training counters. */
    public static String fingerprint(org.deeplearning4j.nn.multilayer.MultiLayerNetwork net) {
        org.deeplearning4j.nn.conf.MultiLayerConfiguration c = net.getLayerWiseConfigurations().clone();
        c.setIterationCount(0);
        c.setEpochCount(0);
        for (org.deeplearning4j.nn.conf.NeuralNetConfiguration layer : c.getConfs()) {
            layer.setSeed(0);
            layer.setIterationCount(0);
            layer.setEpochCount(0);
        }
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(c.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Object get(String key) {
        return values.get(key);
    }

    /** Writes the JSON file (atomically) and says where. */
    public void save() {
        Path file = write();
        System.out.println("Saved " + values.size() + " numbers (" + String.join(", ", values.keySet()) + ") to " + Settings.shown(file));
    }

    /** Where {@link #save} writes. */
    Path path() {
        return Settings.metricsDir().resolve(notebook + ".json");
    }

    Path write() {
        values.put("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
        values.put("kernel", JupyterKernel.current().name());
        values.put("display", JupyterKernel.current().rich() ? "rich" : "text");   // "text": charts became text (tests refuse it)
        Path dir = Settings.metricsDir();
        Path file = path();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + notebook, ".json.part");
            Files.writeString(tmp, toJson(values) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write metrics to " + file + " (set AE_METRICS_DIR to a writable folder)", e);
        }
        return file;
    }

    /** A small JSON writer for what {@link #put} accepts (also used by the benchmark). */
    public static String toJson(Object v) {
        if (v == null) return "null";
        if (v instanceof String s) return quote(s);
        if (v instanceof Boolean) return v.toString();
        if (v instanceof Double d) return number(d);
        if (v instanceof Float f) return number(f.doubleValue());
        if (v instanceof Number n) return n.toString();
        if (v instanceof Map<?, ?> m) {
            StringBuilder s = new StringBuilder("{");
            for (var e : m.entrySet()) {
                if (s.length() > 1) s.append(", ");
                s.append(quote(String.valueOf(e.getKey()))).append(": ").append(toJson(e.getValue()));
            }
            return s.append('}').toString();
        }
        if (v instanceof List<?> list) return toJson(list.toArray());
        if (v.getClass().isArray()) {
            StringBuilder s = new StringBuilder("[");
            for (int i = 0; i < Array.getLength(v); i++) {
                if (i > 0) s.append(", ");
                s.append(toJson(Array.get(v, i)));
            }
            return s.append(']').toString();
        }
        throw new IllegalArgumentException("metrics take numbers, strings, booleans, arrays, lists and maps, not "
                + v.getClass().getName() + " (convert it first, e.g. INDArray.toDoubleVector())");
    }

    private static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return "null";
        return Double.toString(d);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
