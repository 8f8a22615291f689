package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class PixelsTest {

    @Test
    void bytesAndFloatsRoundTripAndOutOfRangeValuesAreClipped() {
        byte[] bytes = {0, 1, (byte) 128, (byte) 255};
        float[] floats = new float[6];
        Pixels.toFloats(bytes, 0, floats, 2, 4);
        assertArrayEquals(new float[] {0, 0, 0, 1 / 255f, 128 / 255f, 1}, floats);
        assertArrayEquals(bytes, Pixels.toBytes(new float[] {0, 1 / 255f, 128 / 255f, 1}));
        assertEquals(0, Pixels.toByte(-0.5f));
        assertEquals(255, Pixels.toByte(1.7f));
        assertEquals(128, Pixels.toByte(0.5f));   // 127.5 rounds up
    }

    @Test
    void rgbImagesArePlanarBothWays() {
        // a 2 x 2 image: red plane, green plane, blue plane, each row by row
        float[] values = {1, 0, 0, 0,   0, 1, 0, 0,   0, 0, 1, 0.5f};
        BufferedImage img = Pixels.toImage(values, 3, 2, 2);
        assertEquals(0xFF0000, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF00, img.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0x0000FF, img.getRGB(0, 1) & 0xFFFFFF);
        assertEquals(0x000080, img.getRGB(1, 1) & 0xFFFFFF);
        byte[] planes = new byte[1 + 12];
        Pixels.toPlanes(img, planes, 1);
        float[] back = new float[12];
        Pixels.toFloats(planes, 1, back, 0, 12);
        for (int i = 0; i < 12; i++) assertEquals(values[i], back[i], 0.5 / 255 + 1e-6, "value " + i);
    }

    @Test
    void grayImagesAreDrawnAsEqualRedGreenAndBlue() {
        BufferedImage img = Pixels.toImage(new float[] {0.2f, 0.8f}, 1, 1, 2);
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType(), "8-bit RGB, not Java's linear gray");
        assertEquals(0x333333, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xCCCCCC, img.getRGB(1, 0) & 0xFFFFFF);
        var e = assertThrows(IllegalArgumentException.class, () -> Pixels.toImage(new float[5], 1, 2, 2));
        assertTrue(e.getMessage().contains("5 values"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pixels.toImage(new float[8], 2, 2, 2));
    }

    @Test
    void resizingKeepsAFlatColourAndChangesTheSize() {
        float[] orange = new float[3 * 16];
        java.util.Arrays.fill(orange, 0, 16, 1f);
        java.util.Arrays.fill(orange, 16, 32, 0.5f);
        float[] into = new float[1 + 3 * 4];
        Pixels.resize(orange, 4, 2, into, 1);
        for (int i = 0; i < 4; i++) {
            assertEquals(1f, into[1 + i], 1e-6);
            assertEquals(128 / 255f, into[1 + 4 + i], 1e-6);
            assertEquals(0f, into[1 + 8 + i], 1e-6);
        }
        BufferedImage wide = new BufferedImage(40, 10, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage square = Pixels.scaled(wide, 6);
        assertEquals(6, square.getWidth());
        assertEquals(6, square.getHeight());
        assertThrows(IllegalArgumentException.class, () -> Pixels.scaled(wide, 0));
    }
}
