package ae;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Runs library code that talks on standard output where it has nothing to say to a reader. SameDiff (DL4J
 * 1.0.0-M2.1) prints one "Added differentiated op …" line per operation while it derives a graph's gradients,
 * with {@code System.out.println}, not through a logger that a setting could turn off:
 *
 * <pre>
 *   Quiet.run(sd::createGradFunction);   // derive the gradients now, without those lines; sd.fit(...) reuses them
 * </pre>
 * Only standard output is dropped: errors and warnings on standard error still show, and exceptions still reach the
 * caller.
 */
public final class Quiet {

    private Quiet() {}

    /** Runs {@code code} with standard output dropped, then puts standard output back (also when it throws). */
    public static void run(Runnable code) {
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            code.run();
        } finally {
            System.setOut(out);
        }
    }
}
