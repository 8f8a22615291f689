package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KittensTest {

    @TempDir Path tmp;

    Path jpeg(String name, int width, int height, int type, Color left, Color right) throws IOException {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(right);
        g.fillRect(width / 2, 0, width - width / 2, height);
        g.dispose();
        Path file = tmp.resolve(name);
        assertTrue(ImageIO.write(image, "jpg", file.toFile()));
        return file;
    }

    @Test
    void aPhotoIsSqueezedToASquareAndSplitIntoRedGreenBluePlanes() throws IOException {
        // 400 x 100: wide, like many photos; the left half orange, the right half blue
        Path file = jpeg("wide.jpg", 400, 100, BufferedImage.TYPE_INT_RGB, new Color(230, 120, 20), new Color(10, 40, 220));
        BufferedImage small = Kittens.scaled(file, 8);
        assertEquals(8, small.getWidth());
        assertEquals(8, small.getHeight());
        float[] planes = new float[3 * 64 + 5];
        Kittens.planes(small, planes, 5);
        int plane = 64;
        // pixel (row 3, column 1) is in the left half, (row 3, column 6) in the right half; JPEG is lossy: 0.04
        assertEquals(230 / 255f, planes[5 + 3 * 8 + 1], 0.04);
        assertEquals(120 / 255f, planes[5 + plane + 3 * 8 + 1], 0.04);
        assertEquals(20 / 255f, planes[5 + 2 * plane + 3 * 8 + 1], 0.04);
        assertEquals(10 / 255f, planes[5 + 3 * 8 + 6], 0.04);
        assertEquals(220 / 255f, planes[5 + 2 * plane + 3 * 8 + 6], 0.04);
    }

    @Test
    void aGrayscalePhotoGivesThreeEqualPlanes() throws IOException {
        Path file = jpeg("gray.jpg", 60, 90, BufferedImage.TYPE_BYTE_GRAY, Color.DARK_GRAY, Color.LIGHT_GRAY);
        float[] planes = new float[3 * 16];
        Kittens.planes(Kittens.scaled(file, 4), planes, 0);
        for (int i = 0; i < 16; i++) {
            assertEquals(planes[i], planes[16 + i], 1e-6);
            assertEquals(planes[i], planes[32 + i], 1e-6);
        }
        assertTrue(planes[3] - planes[0] > 0.3, "the right half is lighter");
    }

    @Test
    void aFileThatIsNoImageIsNamedInTheError() throws IOException {
        Path bad = Files.writeString(tmp.resolve("cat.7.jpg"), "<html>not found</html>");
        var e = assertThrows(DataException.class, () -> Kittens.scaled(bad, 48));
        assertTrue(e.getMessage().contains("cat.7.jpg") && e.getMessage().contains("delete it"), e.getMessage());
    }

    @Test
    void theRegistryKnowsTwoThousandKittensWithTheirChecksums() throws IOException {
        DataFile first = Datasets.kitten(0), last = Datasets.kitten(Datasets.KITTENS - 1);
        assertEquals("kittens/cat.0.jpg", first.relativePath());
        assertEquals("f4471041d9383442389e6fb4c1b05c67876272747c8095d36b43ce81a053122c", first.checksum());
        assertEquals("cat.1999.jpg", last.name());
        assertTrue(last.urls().get(0).startsWith("https://raw.githubusercontent.com/StrikingLoo/AutoEncatter/"), last.urls().toString());
        assertNotEquals(Datasets.kitten(1).checksum(), Datasets.kitten(2).checksum());
        assertThrows(IllegalArgumentException.class, () -> Datasets.kitten(Datasets.KITTENS));
        var e = assertThrows(IllegalArgumentException.class, () -> Kittens.load(5000, 48));
        assertTrue(e.getMessage().contains("5000") && e.getMessage().contains("2000"), e.getMessage());
    }
}
