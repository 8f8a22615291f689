package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SettingsTest {

    /** The banner's limits lines are LimitsTest's: here a machine where every chapter fits. */
    @org.junit.jupiter.api.BeforeEach
    void roomy() {
        Limits.use(LimitsTest.ROOMY);
    }

    @AfterEach
    void restore() {
        Settings.useEnvironment(System.getenv());
        Limits.use(null);
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

    /** A project folder with notebooks/, pom.xml and, if json is not null, runs/<stem>.json holding it. */
    private static Path project(Path tmp, String stem, String json) throws java.io.IOException {
        java.nio.file.Files.createDirectories(tmp.resolve("notebooks"));
        java.nio.file.Files.writeString(tmp.resolve("pom.xml"), "<project/>");
        if (json != null) {
            java.nio.file.Files.createDirectories(tmp.resolve("runs"));
            java.nio.file.Files.writeString(tmp.resolve("runs").resolve(stem + ".json"), json);
        }
        return tmp;
    }

    private static final String RECORD = "{\"notebook\": \"01-iris\", \"recorded\": \"2026-12-03T11:13:03Z\", \"wall_seconds\": 407.3,"
            + " \"kernel_peak_rss_mb\": 784.4, \"load_at_start\": 0.1,"
            + " \"machine\": {\"cpu\": \"AMD EPYC\", \"cores\": 2, \"memory_mb\": 24105, \"os\": \"Linux x86_64\"}}";

    @Test
    void theFastBannerGivesTheRecordedFullRunRoundedWithItsCpuAndDate(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path home = project(tmp, "01-iris", RECORD);
        Settings.useEnvironment(Map.of("AE_MODE", "fast", "AE_HOME", home.toString()));
        String banner = Settings.banner("01-iris", "the 150 flowers, 100 epochs", "250 epochs per run");
        String[] lines = banner.split("\n");
        assertEquals("FAST mode: this run trains on the 150 flowers, 100 epochs.", lines[0]);
        assertEquals("The full run (the tutorial's): 250 epochs per run.", lines[1]);
        assertEquals("Recorded full run: 6.8 min, kernel peak memory 0.77 GB (AMD EPYC, 2 cores, 2026-12-03).", lines[2]);
        assertTrue(lines[3].startsWith("Start it with AE_MODE=full"), banner);
        assertFalse(banner.contains(tmp.toString()), "no machine path: " + banner);
    }

    @Test
    void aBusyMachineAndShortOrLongRunsAreSaidSo(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path home = project(tmp, "02-cifar-horses", RECORD.replace("407.3", "42.4").replace("\"load_at_start\": 0.1", "\"load_at_start\": 1.76"));
        Settings.useEnvironment(Map.of("AE_HOME", home.toString()));
        assertEquals("0.7 min, kernel peak memory 0.77 GB (AMD EPYC, 2 cores, 2026-12-03; the machine was busy: slower than alone)",
                Settings.recordedRun("02-cifar-horses"));
        assertEquals("19 min", Settings.duration(1141));
        assertEquals("9.9 min", Settings.duration(594));
    }

    @Test
    void withoutARecordTheBannerSaysNotRecordedYet(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path home = project(tmp, "05-kittens", null);
        Settings.useEnvironment(Map.of("AE_MODE", "fast", "AE_HOME", home.toString()));
        String banner = Settings.banner("05-kittens", "300 photos, 2 epochs", "8,192 photos, 25 epochs");
        assertTrue(banner.contains("\nRecorded full run: not recorded yet (make record NB=05-kittens).\n"), banner);
    }

    @Test
    void theFullBannerHasNoRecordedNumbers(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // the full run is this run: no other run's time or memory, not even a broken record's
        for (String json : new String[] {RECORD, "{not json"}) {
            Path home = project(tmp, "01-iris", json);
            Settings.useEnvironment(Map.of("AE_HOME", home.toString()));
            String banner = Settings.banner("01-iris", "the 150 flowers, 250 epochs", "250 epochs per run");
            assertTrue(banner.startsWith("FULL mode: this run trains on the 150 flowers, 250 epochs.\nThe tutorial's run: 250 epochs per run.\n"), banner);
            assertFalse(banner.contains("Recorded") || banner.contains("min") || banner.contains("GB"), banner);
        }
    }

    @Test
    void aBrokenRecordOrABadStemIsAClearError(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path home = project(tmp, "01-iris", "{\"wall_seconds\": 12");
        Settings.useEnvironment(Map.of("AE_MODE", "fast", "AE_HOME", home.toString()));
        var e = assertThrows(IllegalStateException.class, () -> Settings.banner("01-iris", "a", "b"));
        assertTrue(e.getMessage().startsWith("The record runs/01-iris.json cannot be read") && e.getMessage().contains("make record NB=01-iris"),
                e.getMessage());
        project(tmp, "01-iris", "{\"wall_seconds\": 12}");
        e = assertThrows(IllegalStateException.class, () -> Settings.banner("01-iris", "a", "b"));
        assertTrue(e.getMessage().contains("lacks wall_seconds, kernel_peak_rss_mb"), e.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> Settings.banner("iris", "a", "b"));
        assertTrue(bad.getMessage().contains("'iris'") && bad.getMessage().contains("'01-iris'"), bad.getMessage());
    }

    @Test
    void theCourseRecordsAreReadable() {
        // every record in runs/ gives a banner line (scripts/record.py's format and this reader agree)
        Settings.useEnvironment(Map.of());
        java.io.File[] records = Settings.home().resolve("runs").toFile().listFiles((d, name) -> name.matches("\\d\\d-.*\\.json"));
        assertNotNull(records);
        for (java.io.File f : records) {
            String line = Settings.recordedRun(f.getName().replace(".json", ""));
            assertTrue(line.matches("\\d[\\d.]* min, kernel peak memory \\d\\.\\d\\d GB \\(.+, \\d{4}-\\d\\d-\\d\\d.*\\)"), line);
        }
    }

    @Test
    void aRecordedMetricIsReadByItsDottedKeyOrIsNaN(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path home = project(tmp, "02-cifar-horses", RECORD.replace("\"wall_seconds\"",
                "\"metrics\": {\"test_mse\": 2039.5, \"per_class\": [1, 2.5], \"models\": {\"dense\": {\"val_mse\": 0.0165}}}, \"wall_seconds\""));
        Settings.useEnvironment(Map.of("AE_HOME", home.toString()));
        assertEquals(2039.5, Settings.recordedMetric("02-cifar-horses", "test_mse"));
        assertEquals(2.5, Settings.recordedMetric("02-cifar-horses", "per_class.1"));
        assertEquals(0.0165, Settings.recordedMetric("02-cifar-horses", "models.dense.val_mse"));
        assertTrue(Double.isNaN(Settings.recordedMetric("02-cifar-horses", "no_such_key")));
        assertTrue(Double.isNaN(Settings.recordedMetric("02-cifar-horses", "models.dense")), "an object is not a number");
        assertTrue(Double.isNaN(Settings.recordedMetric("05-kittens", "test_mse")), "not recorded yet");
        assertTrue(Settings.recorded("02-cifar-horses"));
        assertFalse(Settings.recorded("05-kittens"));
    }
}
