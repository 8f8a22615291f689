package ae;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String notebook;
    private final long started = System.nanoTime();
    private final ObjectNode values = JSON.createObjectNode();

    private Metrics(String notebook) {
        this.notebook = notebook;
        values.put("notebook", notebook);
        values.put("mode", Settings.mode().name().toLowerCase(Locale.ROOT));
    }

    /** Starts the clock for a notebook's metrics. */
    public static Metrics start(String notebook) {
        return new Metrics(notebook);
    }

    /** Records a number, string, boolean, array of numbers, list or map (maps and lists nest); NaN and ±∞ as null. */
    public void put(String key, Object value) {
        values.set(key, tree(value));   // refuses what cannot be written now, not at save()
    }

    /**
     * Records a model: its parameter count, the fingerprint of its whole configuration (layers, sizes, activations,
     * initialisation, updater, loss; not the seed or the training counters) and the configuration itself (DL4J's
     * JSON, with the seed), so that {@code make bench} trains exactly the notebook's model (bench/Bench.java builds
     * its networks from these configurations, and a test compares the fingerprints). Stored as {@code
     * model_configs.<name>.params}, {@code .config} and {@code .configuration}.
     */
    public void model(String name, MultiLayerNetwork net) {
        ObjectNode models = values.has("model_configs") ? (ObjectNode) values.get("model_configs") : values.putObject("model_configs");
        ObjectNode m = models.putObject(name);
        m.put("params", net.numParams());
        m.put("config", fingerprint(net));
        try {
            m.set("configuration", JSON.readTree(untrained(net, false).toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("DL4J wrote a configuration that is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** SHA-256 (first 16 hex digits) of the network's JSON configuration without its seed and training counters. */
    public static String fingerprint(MultiLayerNetwork net) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(untrained(net, true).toJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the network's configuration with the training counters at 0 (and the seeds too, if asked). */
    private static MultiLayerConfiguration untrained(MultiLayerNetwork net, boolean withoutSeed) {
        MultiLayerConfiguration c = net.getLayerWiseConfigurations().clone();
        c.setIterationCount(0);
        c.setEpochCount(0);
        for (NeuralNetConfiguration layer : c.getConfs()) {
            if (withoutSeed) layer.setSeed(0);
            layer.setIterationCount(0);
            layer.setEpochCount(0);
        }
        return c;
    }

    JsonNode get(String key) {
        return values.get(key);
    }

    /** Writes the JSON file (atomically) and says where. */
    public void save() {
        Path file = write();
        List<String> keys = new ArrayList<>();
        values.fieldNames().forEachRemaining(keys::add);
        System.out.println("Saved " + keys.size() + " results to " + Settings.shown(file) + " (the tests and the records read them)");
    }

    /** Where {@link #save} writes. */
    Path path() {
        return Settings.metricsDir().resolve(notebook + ".json");
    }

    Path write() {
        values.put("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
        values.put("kernel", JupyterKernel.current().name());
        values.put("display", JupyterKernel.current().rich() ? "rich" : "text");   // "text": charts became text (tests refuse it)
        Path file = path();
        try (AtomicFile json = AtomicFile.create(file)) {
            JSON.writeValue(json.path().toFile(), values);
            json.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write metrics to " + file + " (set AE_METRICS_DIR to a writable folder)", e);
        }
        return file;
    }

    /** What {@link #put} accepts as a JSON tree. */
    private static JsonNode tree(Object v) {
        if (v == null) return NullNode.getInstance();
        if (v instanceof JsonNode n) return n;
        if (v instanceof String || v instanceof Boolean) return JSON.valueToTree(v);
        if (v instanceof Double d) return Double.isFinite(d) ? JSON.valueToTree(d) : NullNode.getInstance();
        if (v instanceof Float f) return Float.isFinite(f) ? JSON.valueToTree(f.doubleValue()) : NullNode.getInstance();
        if (v instanceof Number) return JSON.valueToTree(v);
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = JSON.createObjectNode();
            for (var e : m.entrySet()) o.set(String.valueOf(e.getKey()), tree(e.getValue()));
            return o;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = JSON.createArrayNode();
            for (Object x : c) a.add(tree(x));
            return a;
        }
        if (v.getClass().isArray()) {
            ArrayNode a = JSON.createArrayNode();
            for (int i = 0; i < Array.getLength(v); i++) a.add(tree(Array.get(v, i)));
            return a;
        }
        throw new IllegalArgumentException("metrics take numbers, strings, booleans, arrays, lists and maps, not "
                + v.getClass().getName() + " (convert it first, e.g. INDArray.toDoubleVector())");
    }
}
