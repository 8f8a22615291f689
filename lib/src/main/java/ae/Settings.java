package ae;

import java.nio.file.Files;
import java.nio.file.Path;
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
        return positiveInt("AE_EPOCHS", fast() ? fast : full);
    }

    /** Training samples to use: {@code AE_LIMIT} if set, else {@code full} or {@code fast} by mode. */
    public static int limit(int full, int fast) {
        return positiveInt("AE_LIMIT", fast() ? fast : full);
    }

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
     * The first output of every notebook: which mode this is, what this run trains, and what the full run is.
     *
     * <pre>
     *   Settings.banner(String.format("%,d images, %d epochs", limit, epochs),
     *                   "60,000 images, 50 epochs per model: about 90 minutes on 2 cores");
     * </pre>
     *
     * @param thisRun what this run trains, computed from the numbers the notebook will use
     * @param fullRun the tutorial's full run and how long it takes on the course's reference machine
     */
    public static String banner(String thisRun, String fullRun) {
        boolean overridden = (get("AE_EPOCHS") != null && !get("AE_EPOCHS").isBlank())
                || (get("AE_LIMIT") != null && !get("AE_LIMIT").isBlank());
        StringBuilder s = new StringBuilder();
        if (fast()) {
            s.append("FAST mode: this run trains on ").append(thisRun).append(".\n")
             .append("The full run (the tutorial's): ").append(fullRun).append(".\n")
             .append("Start it with AE_MODE=full (e.g. AE_MODE=full make lab); AE_EPOCHS and AE_LIMIT set epochs and samples.");
        } else {
            s.append("FULL mode: this run trains on ").append(thisRun).append(".\n")
             .append("The tutorial's run: ").append(fullRun).append(".\n")
             .append("For a quick look, AE_MODE=fast trains briefly on a small subset.");
        }
        if (overridden) s.append("\nSettings changed from the mode's defaults: ").append(describe()).append('.');
        String text = s.toString();
        System.out.println(text);
        return text;
    }

    static String get(String key) {
        return env.get(key);
    }

    /** For tests: read settings from this map instead of the process environment. */
    static void useEnvironment(Map<String, String> map) {
        env = map;
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
