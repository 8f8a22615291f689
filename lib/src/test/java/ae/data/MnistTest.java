package ae.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {

    @TempDir Path tmp;

    /** Writes a tiny IDX pair: image i has every pixel equal to 10·i, label i % 10. */
    Path[] write(int n, int rows, int cols) throws IOException {
        Path images = tmp.resolve("images.gz"), labels = tmp.resolve("labels.gz");
        try (var out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(images)))) {
            out.writeInt(2051); out.writeInt(n); out.writeInt(rows); out.writeInt(cols);
            for (int i = 0; i < n; i++) for (int j = 0; j < rows * cols; j++) out.writeByte(10 * i);
        }
        try (var out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(labels)))) {
            out.writeInt(2049); out.writeInt(n);
            for (int i = 0; i < n; i++) out.writeByte(i % 10);
        }
        return new Path[] {images, labels};
    }

    @Test
    void readsIdxImagesScaledToUnitRange() throws IOException {
        Path[] f = write(5, 3, 2);
        Images im = Mnist.read(f[0], f[1], 100, Mnist.DIGITS);
        assertEquals(5, im.size());
        assertArrayEquals(new long[] {5, 6}, im.pixels().shape());
        assertEquals(40 / 255f, im.pixels().getFloat(4, 5), 1e-6);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, im.labels());
        assertEquals(1, im.channels());
        assertEquals(3, im.height());
        assertEquals(2, im.width());
        assertEquals("3", im.className(3));
    }

    @Test
    void aLimitKeepsTheFirstImages() throws IOException {
        Path[] f = write(5, 2, 2);
        Images im = Mnist.read(f[0], f[1], 2, Mnist.FASHION);
        assertEquals(2, im.size());
        assertEquals(10 / 255f, im.pixels().getFloat(1, 0), 1e-6);
        assertEquals("Trouser", im.className(1));
        assertEquals(1, im.slice(1, 2).size());
    }

    @Test
    void aFileOfTheWrongKindIsNamedInTheError() throws IOException {
        Path[] f = write(2, 2, 2);
        var e = assertThrows(DataException.class, () -> Mnist.read(f[1], f[0], 10, Mnist.DIGITS));
        assertTrue(e.getMessage().contains("labels.gz") && e.getMessage().contains("2051"), e.getMessage());
    }
}
