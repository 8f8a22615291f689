package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @AfterEach
    void restore() {
        Settings.useEnvironment(System.getenv());
    }

    @Test
    void fullModeIsTheDefault() {
        Settings.useEnvironment(Map.of());
        assertEquals(Settings.Mode.FULL, Settings.mode());
        assertEquals(250, Settings.epochs(250, 20));
        assertEquals(60000, Settings.limit(60000, 2000));
        assertNull(Settings.mirror());
    }

    @Test
    void fastModePicksTheFastNumbers() {
        Settings.useEnvironment(Map.of("AE_MODE", "FAST"));
        assertTrue(Settings.fast());
        assertEquals(20, Settings.epochs(250, 20));
        assertEquals(2000, Settings.limit(60000, 2000));
    }

    @Test
    void explicitEpochsAndLimitOverrideTheMode() {
        Settings.useEnvironment(Map.of("AE_MODE", "fast", "AE_EPOCHS", "7", "AE_LIMIT", " 123 "));
        assertEquals(7, Settings.epochs(250, 20));
        assertEquals(123, Settings.limit(60000, 2000));
        assertTrue(Settings.describe().contains("AE_EPOCHS=7"), Settings.describe());
    }

    @Test
    void badValuesSayWhatIsWrongAndHowToFixIt() {
        Settings.useEnvironment(Map.of("AE_MODE", "quick"));
        var e = assertThrows(IllegalArgumentException.class, Settings::mode);
        assertTrue(e.getMessage().contains("'quick'") && e.getMessage().contains("fast"), e.getMessage());

        Settings.useEnvironment(Map.of("AE_EPOCHS", "ten"));
        e = assertThrows(IllegalArgumentException.class, () -> Settings.epochs(250, 20));
        assertTrue(e.getMessage().startsWith("AE_EPOCHS is 'ten'"), e.getMessage());

        Settings.useEnvironment(Map.of("AE_LIMIT", "0"));
        assertThrows(IllegalArgumentException.class, () -> Settings.limit(10, 5));
    }

    @Test
    void foldersComeFromTheEnvironmentOrTheProject(@org.junit.jupiter.api.io.TempDir Path tmp) {
        Settings.useEnvironment(Map.of("AE_HOME", tmp.toString()));
        assertEquals(tmp.resolve("data"), Settings.dataDir());
        assertEquals(tmp.resolve("target/metrics"), Settings.metricsDir());
        Settings.useEnvironment(Map.of("AE_HOME", tmp.toString(), "AE_DATA", tmp.resolve("cache").toString(),
                "AE_DATA_MIRROR", "https://example.org/mirror/"));
        assertEquals(tmp.resolve("cache"), Settings.dataDir());
        assertEquals("https://example.org/mirror/", Settings.mirror());
    }

    @Test
    void theProjectIsFoundFromTheWorkingDirectory() {
        Settings.useEnvironment(Map.of());
        // Maven runs the tests in lib/, one level below the project folder.
        Path home = Settings.home();
        assertTrue(home.resolve("notebooks").toFile().isDirectory(), home.toString());
    }

    @Test
    void fastLayersAreOnUnlessAeFastLayersIsZero() {
        Settings.useEnvironment(Map.of());
        assertTrue(Settings.fastLayers());
        Settings.useEnvironment(Map.of("AE_FAST_LAYERS", " 1"));
        assertTrue(Settings.fastLayers());
        Settings.useEnvironment(Map.of("AE_FAST_LAYERS", "0"));
        assertFalse(Settings.fastLayers());
        Settings.useEnvironment(Map.of("AE_FAST_LAYERS", "no"));
        var e = assertThrows(IllegalArgumentException.class, Settings::fastLayers);
        assertTrue(e.getMessage().contains("'no'") && e.getMessage().contains("0 (DL4J's own)"), e.getMessage());
    }

    /** The switch itself reads the setting: AE_FAST_LAYERS=0 leaves DL4J's own layers at work. */
    @Test
    void theSwitchHonoursTheSetting() {
        for (String value : new String[] {"0", "1"}) {
            Settings.useEnvironment(Map.of("AE_FAST_LAYERS", value));
            var net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                    .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(3).nOut(2).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(2).nOut(3).build()).build());
            net.init();
            ae.layers.FastLayers.apply(net);
            assertEquals(value.equals("0"), net.getLayer(0).getClass() == org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class,
                    "AE_FAST_LAYERS=" + value + ": " + net.getLayer(0).getClass());
        }
    }
}
