package ae;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {

    @AfterEach
    void restore() {
        Settings.useEnvironment(System.getenv());
    }

    @Test
    void writesJsonWithModeSecondsAndValues(@TempDir Path tmp) throws Exception {
        Settings.useEnvironment(Map.of("AE_METRICS_DIR", tmp.toString(), "AE_MODE", "fast"));
        Metrics m = Metrics.start("01-iris");
        m.put("rmse", 0.25);
        m.put("test_input", new float[] {8, 4, 6, 2});
        m.put("models", Map.of("dense", Map.of("params", 25120)));
        m.put("note", "a \"quoted\"\nline");
        m.save();
        Path file = m.path();
        assertEquals(tmp.resolve("01-iris.json"), file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals(List.of("notebook", "mode", "rmse", "test_input", "models", "note", "seconds", "kernel", "display"), fields(json));
        assertEquals("01-iris", json.get("notebook").asText());
        assertEquals("fast", json.get("mode").asText());
        assertEquals(0.25, json.get("rmse").asDouble());
        assertEquals("[8.0,4.0,6.0,2.0]", json.get("test_input").toString());
        assertEquals(25120, json.get("models").get("dense").get("params").asInt());
        assertEquals("a \"quoted\"\nline", json.get("note").asText());
        assertTrue(json.get("seconds").asDouble() >= 0, json.toString());
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(file), s.toList(), "no temporary file is left");
        }
    }

    @Test
    void nonFiniteNumbersBecomeNullAndUnknownTypesAreRefused() {
        Metrics m = Metrics.start("x");
        m.put("values", List.of(Double.NaN, 1.5, Float.POSITIVE_INFINITY));
        m.put("array", new double[] {Double.NEGATIVE_INFINITY, 2});
        assertEquals("[null,1.5,null]", m.get("values").toString());
        assertEquals("[null,2.0]", m.get("array").toString());
        var e = assertThrows(IllegalArgumentException.class, () -> Metrics.start("x").put("bad", new Object()));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }

    static List<String> fields(JsonNode json) {
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
