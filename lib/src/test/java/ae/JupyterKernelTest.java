package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JupyterKernelTest {

    @AfterEach
    void restore() {
        JupyterKernel.use(null);
        Settings.useEnvironment(System.getenv());
    }

    @Test
    void aKnownKernelWithAnotherDisplayApiIsSaidOnceOnStandardError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // rapaio's kernel object, but no rapaio DisplayData class here: the API the adapter needs is missing
        JupyterKernel k = JupyterKernel.adapt(JupyterKernel.RAPAIO, () -> new JupyterKernel.Rapaio(new Object(), getClass().getClassLoader()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String said = err.toString(StandardCharsets.UTF_8);
        assertFalse(k.rich());
        assertEquals(1, said.lines().count(), said);
        assertTrue(said.startsWith("ae.JupyterKernel: this notebook runs in rapaio-jupyter-kernel, but its display API is not the one"), said);
        assertTrue(said.contains("ClassNotFoundException") && said.contains("shown as text only"), said);
        assertTrue(k.name().contains("display API not recognised"), k.name());
    }

    @Test
    void outsideAnyKernelOutputsAreTextWithoutAWord() {
        PrintStream before = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            JupyterKernel.use(null);
            JupyterKernel k = JupyterKernel.current();
            assertFalse(k.rich());
            assertEquals("none (text only)", k.name());
        } finally {
            System.setErr(before);
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void metricsRecordWhetherTheKernelShowedPictures(@TempDir Path tmp) throws Exception {
        Settings.useEnvironment(Map.of("AE_METRICS_DIR", tmp.toString(), "AE_MODE", "fast"));
        JupyterKernel.use(new JupyterKernel.Text("the API differs"));
        Metrics.start("a").write();
        assertEquals("text", json(tmp.resolve("a.json")).get("display").asText());
        JupyterKernel.use(new RecordingKernel());
        Metrics.start("b").write();
        var b = json(tmp.resolve("b.json"));
        assertEquals("recorder", b.get("kernel").asText());
        assertEquals("rich", b.get("display").asText());
    }

    static com.fasterxml.jackson.databind.JsonNode json(Path file) throws java.io.IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
    }
}
