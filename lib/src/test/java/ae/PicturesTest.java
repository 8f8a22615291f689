package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ImageGrid, Quality and Jpeg. */
class PicturesTest {

    @Test
    void qualityNumbersMatchTheirFormulas() {
        INDArray x = Nd4j.createFromArray(new float[][] {{0f, 1f, 0.5f, 0.25f}});
        INDArray y = Nd4j.createFromArray(new float[][] {{0.1f, 0.9f, 0.5f, 0.25f}});
        assertEquals((0.01 + 0.01) / 4, Quality.mse(x, y), 1e-7);
        assertEquals(10 * Math.log10(1 / 0.005), Quality.psnr(x, y), 1e-4);
        double expected = -(Math.log(0.9) + Math.log(0.9) + (0.5 * Math.log(0.5) + 0.5 * Math.log(0.5))
                + (0.25 * Math.log(0.25) + 0.75 * Math.log(0.75))) / 4;
        assertEquals(expected, Quality.bce(x, y), 1e-6);
        // predictions of exactly 0 or 1 are clipped, as Keras does, instead of giving infinity
        assertTrue(Double.isFinite(Quality.bce(x, x.rsub(1))));
    }

    @Test
    void aGridHasOneRowPerSetAndDrawsThePixels() {
        INDArray white = Nd4j.ones(DataType.FLOAT, 3, 4), black = Nd4j.zeros(DataType.FLOAT, 3, 4);
        ImageGrid grid = ImageGrid.of(2, 2).scale(1).columns(3).row("white", white).row("black", black);
        BufferedImage img = grid.image();
        assertTrue(img.getWidth() > 3 * 2 && img.getHeight() >= 2 * 2, img.getWidth() + "x" + img.getHeight());
        BufferedImage cell = grid.toImage(white.getRow(0));
        assertEquals(0xFFFFFF, cell.getRGB(1, 1) & 0xFFFFFF);
        var fm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13));
        String shortened = ImageGrid.fit("Ankle boot, very long", fm, 56);
        assertTrue(shortened.endsWith("…") && fm.stringWidth(shortened) <= 56, shortened);
        var e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(28, 28).row("wrong", white));
        assertTrue(e.getMessage().contains("784"), e.getMessage());
    }

    @Test
    void rgbImagesArePlanar() {
        INDArray red = Nd4j.zeros(DataType.FLOAT, 1, 3 * 4);
        red.putScalar(0, 0, 1f);   // red plane, pixel (0, 0)
        BufferedImage img = ImageGrid.of(2, 2, 3).toImage(red.getRow(0));
        assertEquals(0xFF0000, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x000000, img.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void jpegRoundTripsAndLowerQualityMeansFewerBytes() {
        Nd4j.getRandom().setSeed(3);
        INDArray img = Nd4j.rand(DataType.FLOAT, 1, 28 * 28);
        Jpeg.RoundTrip best = Jpeg.roundTrip(img, 28, 28, 1.0f), worst = Jpeg.roundTrip(img, 28, 28, 0.05f);
        assertTrue(worst.bytes() < best.bytes(), worst.bytes() + " vs " + best.bytes());
        assertTrue(Quality.psnr(img, best.decoded()) > Quality.psnr(img, worst.decoded()));
        assertTrue(Quality.psnr(img, best.decoded()) > 30, "quality 1.0 is nearly lossless");
        // the scan data is the file minus headers and tables: the same overhead at the same quality
        assertTrue(best.scanBytes() > 0 && best.scanBytes() < best.bytes());
        Jpeg.RoundTrip black = Jpeg.roundTrip(Nd4j.zeros(DataType.FLOAT, 1, 784), 28, 28, 1.0f);
        assertEquals(best.bytes() - best.scanBytes(), black.bytes() - black.scanBytes());
        assertTrue(black.scanBytes() < 40, "a black image has almost no scan data: " + black.scanBytes());
    }
}
