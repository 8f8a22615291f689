package ae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of the course, read from the environment in this one place.
 *
 * <pre>
 *   AE_MODE         full (default: what a reader gets) or fast (small subsets, few epochs; what tests use)
 *   AE_EPOCHS       number of epochs, overrides the mode
 *   AE_LIMIT        number of training samples, overrides the mode
 *   AE_DATA         download cache folder (default: data/ in the project)
 *   AE_DATA_MIRROR  a folder or URL consulted before the official download URL
 *   AE_METRICS_DIR  where notebooks write their metrics JSON (default: target/metrics in the project)
 *   AE_HOME         the project folder (default: found by walking up from the working directory)
 *   AE_FAST_LAYERS  0 keeps DL4J's own layer implementations (ae.layers.FastLayers swaps in faster ones; default 1)
 * </pre>
 *
 * A notebook asks for its numbers with {@code Settings.epochs(250, 25)}: 250 in full mode, 25 in fast
 * mode, or whatever {@code AE_EPOCHS} says.
 */
public final class Settings {

    /** Full mode reproduces the tutorial; fast mode checks that everything runs, in seconds. */
    enum Mode { FULL, FAST }

    private static volatile Map<String, String> env = System.getenv();

    private Settings() {}

    /** The run mode, from {@code AE_MODE}. */
    static Mode mode() {
        String value = get("AE_MODE");
        if (value == null || value.isBlank()) return Mode.FULL;
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "full" -> Mode.FULL;
            case "fast" -> Mode.FAST;
            default -> throw new IllegalArgumentException(
                    "AE_MODE is '" + value + "', but it must be 'full' or 'fast'. "
                    + "Unset it for full mode, or set AE_MODE=fast for a quick check.");
        };
    }

    public static boolean fast() {
        return mode() == Mode.FAST;
    }

    /** Epochs to train: {@code AE_EPOCHS} if set, else {@code full} or {@code fast} by mode. */
    public static int epochs(int full, int fast) {
        int n = positiveInt("AE_EPOCHS", fast() ? fast : full);
        lastEpochs = new Pair(full, fast);
        return n;
    }

    /** Training samples to use: {@code AE_LIMIT} if set, else {@code full} or {@code fast} by mode. */
    public static int limit(int full, int fast) {
        int n = positiveInt("AE_LIMIT", fast() ? fast : full);
        lastLimit = new Pair(full, fast);
        return n;
    }

    /** A size in full and in fast mode, as a notebook asked for it. */
    record Pair(int full, int fast) {}

    /** The last sizes asked for: the banner, which follows them, judges the chapter's needs with them ({@link Limits}). */
    private static volatile Pair lastEpochs, lastLimit;

    /** The project folder: {@code AE_HOME}, or the nearest folder above the working directory holding notebooks/ and pom.xml. */
    public static Path home() {
        String value = get("AE_HOME");
        if (value != null && !value.isBlank()) return Path.of(value).toAbsolutePath().normalize();
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("notebooks")) && Files.isRegularFile(p.resolve("pom.xml"))) return p;
        }
        return dir;
    }

    /** The download cache, {@code AE_DATA} (default {@code data/} in the project). */
    public static Path dataDir() {
        String value = get("AE_DATA");
        Path p = value == null || value.isBlank() ? home().resolve("data") : Path.of(value);
        return p.toAbsolutePath().normalize();
    }

    /** A folder or http(s) URL to try before the official URL, or null. */
    public static String mirror() {
        String value = get("AE_DATA_MIRROR");
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** Where metrics JSON files go: {@code AE_METRICS_DIR}, default {@code target/metrics} in the project. */
    public static Path metricsDir() {
        String value = get("AE_METRICS_DIR");
        Path p = value == null || value.isBlank() ? home().resolve("target").resolve("metrics") : Path.of(value);
        return p.toAbsolutePath().normalize();
    }

    /**
     * Whether {@code ae.layers.FastLayers} swaps in the helper jar's faster layer implementations: yes unless {@code
     * AE_FAST_LAYERS} is 0 (e.g. to time or check DL4J's own layers; the results are the same).
     */
    public static boolean fastLayers() {
        String value = get("AE_FAST_LAYERS");
        if (value == null || value.isBlank()) return true;
        return switch (value.trim()) {
            case "1" -> true;
            case "0" -> false;
            default -> throw new IllegalArgumentException("AE_FAST_LAYERS is '" + value + "', but it must be 1 (the helper jar's"
                    + " faster layers, the default) or 0 (DL4J's own), or unset.");
        };
    }

    /** One line that says how this run is configured, with folders relative to the project (no machine paths). */
    public static String describe() {
        StringBuilder s = new StringBuilder("mode=").append(mode().name().toLowerCase(Locale.ROOT));
        for (String key : new String[] {"AE_EPOCHS", "AE_LIMIT"}) {
            String v = get(key);
            if (v != null && !v.isBlank()) s.append(' ').append(key).append('=').append(v.trim());
        }
        s.append(" data=").append(shown(dataDir()));
        if (mirror() != null) s.append(" mirror=").append(mirror().matches("(?i)https?://.*") ? mirror() : "(a folder, AE_DATA_MIRROR)");
        return s.toString();
    }

    /** A path as a reader should see it: relative to the project when inside it, else only its last name. */
    public static String shown(Path path) {
        Path p = path.toAbsolutePath().normalize(), home = home();
        if (p.startsWith(home)) return home.relativize(p).toString().replace('\\', '/') + (p.equals(home) ? "." : "");
        Path name = p.getFileName();
        return "…/" + (name == null ? "" : name);
    }

    /**
     * The first output of every notebook: which mode this is, what this run trains, what the full run trains and, in
     * fast mode, what the recorded full run took ({@code runs/<stem>.json}, written by {@code make record}).
     *
     * <pre>
     *   Settings.banner("03-fashion-mnist", String.format("%,d images, %d epochs", limit, epochs),
     *                   "60,000 images, 50 epochs per model");
     * </pre>
     *
     * @param stem    the notebook's stem ({@code "01-iris"}), which names its record
     * @param thisRun what this run trains, computed from the numbers the notebook will use
     * @param fullRun what the full run (the tutorial's) trains; its time and memory come from the record, never typed
     */
    public static String banner(String stem, String thisRun, String fullRun) {
        checkStem(stem);
        // In full mode this run is the full run: no other run's numbers. Read first: a broken record stops here.
        String recorded = fast() ? recordedRun(stem) : null;
        return compose(thisRun, fullRun, recorded, limitsAdvice(stem));
    }

    /**
     * What the limits of this machine mean for the chapter ({@link Limits}): nothing where it fits and takes under an
     * hour. In full mode a record that cannot be read gives no advice (the fast banner reports it).
     */
    private static List<String> limitsAdvice(String stem) {
        JsonNode run;
        try {
            run = record(stem);
        } catch (IllegalStateException e) {
            if (fast()) throw e;
            return List.of();
        }
        Limits.Chapter chapter = Limits.chapter(stem, run, lastEpochs, lastLimit);
        return Limits.advice(chapter, Limits.here(), fast(), setInt("AE_EPOCHS"), setInt("AE_LIMIT"));
    }

    private static Integer setInt(String key) {
        String v = get(key);
        return v == null || v.isBlank() ? null : positiveInt(key, 1);
    }

    private static String compose(String thisRun, String fullRun, String recorded, List<String> limits) {
        boolean overridden = (get("AE_EPOCHS") != null && !get("AE_EPOCHS").isBlank())
                || (get("AE_LIMIT") != null && !get("AE_LIMIT").isBlank());
        StringBuilder s = new StringBuilder();
        if (fast()) {
            s.append("FAST mode: this run trains on ").append(thisRun).append(".\n")
             .append("The full run (the tutorial's): ").append(fullRun).append(".\n");
            if (recorded != null) s.append("Recorded full run: ").append(recorded).append(".\n");
            s.append("Start it with AE_MODE=full (e.g. AE_MODE=full make lab); AE_EPOCHS and AE_LIMIT set epochs and samples.");
        } else {
            s.append("FULL mode: this run trains on ").append(thisRun).append(".\n")
             .append("The tutorial's run: ").append(fullRun).append(".\n")
             .append("For a quick look, AE_MODE=fast trains briefly on a small subset.");
        }
        if (overridden) s.append("\nSettings changed from the mode's defaults: ").append(describe()).append('.');
        for (String line : limits) s.append('\n').append(line);
        String text = s.toString();
        System.out.println(text);
        return text;
    }

    /** A load average above this when a record started means other work ran beside it (scripts/records_doc.py's BUSY). */
    private static final double BUSY = 0.5;

    /**
     * The recorded full run of a notebook in one line, from {@code runs/<stem>.json}: wall time, the kernel's peak
     * memory, the CPU and the date; "not recorded yet" without a record. A record that cannot be read is an error
     * that names the file and the fix.
     */
    static String recordedRun(String stem) {
        JsonNode run = record(stem);
        if (run == null) return "not recorded yet (make record NB=" + stem + ")";
        JsonNode seconds = run.path("wall_seconds"), mb = run.path("kernel_peak_rss_mb"),
                machine = run.path("machine"), date = run.path("recorded");
        StringBuilder s = new StringBuilder(duration(seconds.asDouble()))
                .append(", kernel peak memory ").append(String.format(Locale.ROOT, "%.2f GB", mb.asDouble() / 1024))
                .append(" (").append(machine.path("cpu").asText());
        if (machine.path("cores").isInt()) s.append(", ").append(machine.path("cores").asInt()).append(" cores");
        s.append(", ").append(date.asText(), 0, 10);
        if (run.path("load_at_start").asDouble(0) > BUSY) s.append("; the machine was busy: slower than alone");
        return s.append(')').toString();
    }

    /**
     * The recorded full run of a notebook ({@code runs/<stem>.json}), null without one; one that cannot be read or lacks
     * what the banner uses is an error that names the file and the fix.
     */
    static JsonNode record(String stem) {
        checkStem(stem);
        Path file = home().resolve("runs").resolve(stem + ".json");
        if (!Files.isRegularFile(file)) return null;
        JsonNode run;
        try {
            run = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("The record " + shown(file) + " cannot be read (" + e.getClass().getSimpleName()
                    + "): restore it with git (git checkout -- runs/" + stem + ".json) or make it again (make record NB=" + stem + ")", e);
        }
        JsonNode seconds = run.path("wall_seconds"), mb = run.path("kernel_peak_rss_mb"),
                machine = run.path("machine"), date = run.path("recorded");
        if (!seconds.isNumber() || !mb.isNumber() || !machine.path("cpu").isTextual() || !date.isTextual() || date.asText().length() < 10)
            throw new IllegalStateException("The record " + shown(file) + " lacks wall_seconds, kernel_peak_rss_mb, machine.cpu"
                    + " or recorded (scripts/record.py writes them): make it again (make record NB=" + stem + ")");
        return run;
    }

    /** Whether the chapter's full run is recorded ({@code runs/<stem>.json}, written by {@code make record}). */
    public static boolean recorded(String stem) {
        return record(stem) != null;
    }

    /**
     * A number of the recorded full run, from the metrics in {@code runs/<stem>.json}, for a notebook in fast mode to
     * print beside its own (marked as the full run's); NaN when the chapter is not recorded yet or its record lacks the
     * key. A dotted key reaches into objects and lists: {@code "models.dense.val_mse"}, {@code "per_class_test_mse.7"}.
     */
    public static double recordedMetric(String stem, String key) {
        JsonNode node = record(stem);
        if (node == null) return Double.NaN;
        node = node.path("metrics");
        for (String part : key.split("\\.")) node = node.isArray() && part.matches("\\d+") ? node.path(Integer.parseInt(part)) : node.path(part);
        return node.isNumber() ? node.asDouble() : Double.NaN;
    }

    private static void checkStem(String stem) {
        if (stem == null || !stem.matches("\\d\\d-[a-z0-9-]+"))
            throw new IllegalArgumentException("The notebook's stem is '" + stem + "', but it must be like '01-iris' (two digits,"
                    + " a hyphen, the notebook's name): the name of its file in notebooks/ without .ipynb");
    }

    /** A wall time as the README's table shows it (scripts/records_doc.py's minutes()): 6.8 min, 19 min. */
    static String duration(double seconds) {
        double minutes = seconds / 60;
        return String.format(Locale.ROOT, minutes < 10 ? "%.1f min" : "%.0f min", minutes);
    }

    static String get(String key) {
        return env.get(key);
    }

    /** For tests: read settings from this map instead of the process environment (and forget the sizes asked for). */
    static void useEnvironment(Map<String, String> map) {
        env = map;
        lastEpochs = lastLimit = null;
    }

    private static int positiveInt(String key, int otherwise) {
        String value = get(key);
        if (value == null || value.isBlank()) return otherwise;
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException(key + " is '" + value + "', but it must be a whole number above 0 "
                + "(e.g. " + key + "=" + otherwise + "), or unset.");
    }
}
