package ae;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** MSE and BCE over as many pixels as a chapter's test set, against sums taken in double precision in Java. */
class QualityTest {

    /** 10,000 images of 784 pixels (chapter 3's test set), as float, in [0, 1]. */
    static INDArray images(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, 10_000, 784);
    }

    @Test
    void mseAndBceOfTenThousandImagesAreExactToFloatPrecision() {
        INDArray x = images(1), y = images(2).muli(0.8).addi(0.1);   // predictions inside (0, 1)
        float[] xs = x.data().asFloat(), ys = y.data().asFloat();
        double se = 0, ce = 0;
        for (int i = 0; i < xs.length; i++) {
            double d = xs[i] - ys[i];
            se += d * d;
            ce -= xs[i] * Math.log(ys[i]) + (1 - xs[i]) * Math.log(1 - ys[i]);
        }
        // ND4J's own reduction of the whole array came out 0.3% (two threads) to 1% (one) low here; image by image: ~1e-8
        assertEquals(se / xs.length, Quality.mse(x, y), 1e-6 * se / xs.length);
        assertEquals(ce / xs.length, Quality.bce(x, y), 1e-5 * ce / xs.length);
        // the same images as [n, 1, 28, 28] (the convolutional chapters' shape) and one image alone
        assertEquals(Quality.mse(x, y), Quality.mse(x.reshape(10_000, 1, 28, 28), y.reshape(10_000, 1, 28, 28)), 1e-5 * se / xs.length);
        double first = 0;
        for (int i = 0; i < 784; i++) first += (xs[i] - ys[i]) * (double) (xs[i] - ys[i]);
        assertEquals(first / 784, Quality.mse(x.getRow(0).dup(), y.getRow(0).dup()), 1e-6 * first / 784);
    }

    @Test
    void psnrFollowsFromMse() {
        INDArray x = images(3), y = x.add(0.1);
        assertEquals(20.0, Quality.psnr(x, y), 1e-4);   // MSE 0.01 -> 10 log10(1 / 0.01) dB
    }
}
