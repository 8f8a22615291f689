package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @AfterEach
    void restore() {
        JupyterKernel.use(null);
    }

    @Test
    void aShortJobShowsNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Progress p = Progress.lines(new PrintStream(out, true, StandardCharsets.UTF_8));
        for (int i = 0; i <= 10; i++) p.report("job: " + i + " of 10", i == 10);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aLongJobInANotebookRedrawsOneLineAndEndsOnItsLastState() throws InterruptedException {
        RecordingKernel k = new RecordingKernel();
        JupyterKernel.use(k);
        Progress p = Progress.inNotebook();
        Thread.sleep(2_100);   // past the quiet start
        p.report("job: 1 of 3", false);
        p.report("job: 2 of 3", false);   // within the second: not drawn
        p.report("job: 3 of 3", true);    // the end: drawn at once
        assertEquals(2, k.calls.size(), k.calls.toString());
        assertTrue(k.calls.get(0).equals("display [text/plain]"), k.calls.toString());
        assertTrue(String.valueOf(k.shown.get(0).get("text/plain")).matches("  job: 1 of 3 \\(2 s\\)"), k.shown.toString());
        assertTrue(k.calls.get(1).startsWith("update id-1 [text/plain]   job: 3 of 3 ("), k.calls.toString());
    }

    @Test
    void outsideANotebookItIsALineNowAndThenAndNoneAtTheEnd() throws InterruptedException {
        JupyterKernel.use(new JupyterKernel.Text());
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Progress p = Progress.inNotebook();
            Thread.sleep(2_100);
            p.report("job: 1 of 2", false);
            p.report("job: 2 of 2", true);
        } finally {
            System.setOut(before);
        }
        assertEquals("  job: 1 of 2 (2 s)\n", out.toString(StandardCharsets.UTF_8).replace("\r", ""));
    }
}
