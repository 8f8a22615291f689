package ae;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class JpegTest {

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
