package ae;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The one line that says how far a long job is (thousands of photos checked, downloaded, decoded), shown now and then
 * while it runs: nothing for a job done within two seconds; then, in a notebook, one output redrawn in place about once
 * a second (ending on the final count), elsewhere a line every five seconds. The job reports as often as it likes,
 * from the notebook's own thread; the elapsed seconds are added to its line.
 *
 * <pre>
 *   Progress progress = Progress.inNotebook();
 *   ... progress.report("kittens: decoded 1,200 of 8,192 photos", false); ... progress.report(..., true);
 * </pre>
 * The data loaders take one as a parameter ({@code ae.data.Kittens}); they do not draw anything themselves.
 */
public abstract class Progress {

    private static final long QUIET_NANOS = 2_000_000_000L;

    private final long everyNanos;
    private final long started = System.nanoTime();
    private long last;
    private boolean shown;

    private Progress(long everyNanos) {
        this.everyNanos = everyNanos;
    }

    /** In a notebook that shows rich outputs, one line redrawn in place; otherwise lines on standard output. */
    public static Progress inNotebook() {
        JupyterKernel kernel = JupyterKernel.current();
        return kernel.rich() ? inPlace(kernel) : lines(System.out);
    }

    /** A line on {@code out} at most every five seconds, none at the end (the job's own result line follows). */
    static Progress lines(PrintStream out) {
        return new Progress(5_000_000_000L) {
            @Override
            void show(String line, boolean end) {
                if (!end) out.println(line);
            }
        };
    }

    /** Nothing at all. */
    public static Progress none() {
        return new Progress(Long.MAX_VALUE) {
            @Override
            void show(String line, boolean end) {}
        };
    }

    private static Progress inPlace(JupyterKernel kernel) {
        return new Progress(1_000_000_000L) {
            private String id;

            @Override
            void show(String line, boolean end) {
                Map<String, Object> bundle = JupyterKernel.bundle(line, null, null);
                if (id == null) id = kernel.display(bundle);
                else kernel.update(id, bundle);
            }
        };
    }

    /**
     * The job's state: shown if the job has run for two seconds and the last line is old enough; {@code end} (the job
     * is done) brings a line already on screen up to date at once.
     */
    public final void report(String state, boolean end) {
        long now = System.nanoTime();
        if (now - started < QUIET_NANOS) return;
        if (!(end && shown) && now - last < everyNanos) return;
        last = now;
        shown = true;
        show(String.format(Locale.ROOT, "  %s (%.0f s)", state, (now - started) / 1e9), end);
    }

    abstract void show(String line, boolean end);
}
