package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

class QuietTest {

    @Test
    void sameDiffDerivesItsGradientsWithoutItsLinesAndStandardOutputComesBack() {
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        try {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
            SDVariable w = sd.var("w", DataType.FLOAT, 3, 2);
            sd.mean("loss", x.mmul(w).mul(x.mmul(w)));
            sd.setLossVariables("loss");
            Quiet.run(sd::createGradFunction);
            assertSame(capture, System.out);
            System.out.println("after");
            assertNotNull(sd.getFunction("grad"), "the gradients were derived");
            assertThrows(IllegalStateException.class, () -> Quiet.run(() -> { throw new IllegalStateException("x"); }));
            assertSame(capture, System.out, "put back after an exception too");
        } finally {
            System.setOut(before);
        }
        assertEquals("after" + System.lineSeparator(), out.toString(StandardCharsets.UTF_8));
    }
}
