package ae;

import static org.junit.jupiter.api.Assertions.*;

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
        String json = Files.readString(file);
        assertTrue(json.startsWith("{\"notebook\": \"01-iris\", \"mode\": \"fast\", \"rmse\": 0.25"), json);
        assertTrue(json.contains("\"test_input\": [8.0, 4.0, 6.0, 2.0]"), json);
        assertTrue(json.contains("\"models\": {\"dense\": {\"params\": 25120}}"), json);
        assertTrue(json.contains("\"note\": \"a \\\"quoted\\\"\\nline\""), json);
        assertTrue(json.contains("\"seconds\": "), json);
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(file), s.toList(), "no temporary file is left");
        }
    }

    @Test
    void nonFiniteNumbersBecomeNullAndUnknownTypesAreRefused() {
        assertEquals("[null, 1.5]", Metrics.toJson(List.of(Double.NaN, 1.5)));
        var e = assertThrows(IllegalArgumentException.class, () -> Metrics.start("x").put("bad", new Object()));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }
}
