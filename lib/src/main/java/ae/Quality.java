package ae;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * How close a reconstruction is to the original, for images with pixels in [0, 1]:
 * <ul>
 *   <li>{@link #mse}: mean squared error per pixel;</li>
 *   <li>{@link #bce}: binary cross-entropy per pixel, −[x·ln(y) + (1−x)·ln(1−y)] averaged (what Keras reports as loss);</li>
 *   <li>{@link #psnr}: peak signal-to-noise ratio in dB, 10·log10(1 / MSE); higher is better.</li>
 * </ul>
 */
public final class Quality {

    private static final double EPS = 1e-7; // Keras clips predictions to [1e-7, 1 - 1e-7] the same way

    private Quality() {}

    public static double mse(INDArray original, INDArray reconstruction) {
        INDArray r = reconstruction.castTo(original.dataType());
        double mse = original.squaredDistance(r) / original.length();
        if (r != reconstruction) r.close();
        return mse;
    }

    public static double bce(INDArray original, INDArray reconstruction) {
        // -mean(t·log p + (1 - t)·log(1 - p)) with few full-size temporaries (these arrays can be 10,000 images):
        // sum(t·log p) + sum(log(1 - p)) - sum(t·log(1 - p)). The temporaries are freed at once, not at the next
        // garbage collection: a chapter computes this for many reconstructions.
        INDArray r = reconstruction.castTo(original.dataType());
        INDArray p = Transforms.min(Transforms.max(r, EPS, true), 1 - EPS, false);   // a copy, clipped in place
        if (r != reconstruction) r.close();
        INDArray logP = Transforms.log(p, true);
        double tLogP = logP.muli(original).sumNumber().doubleValue();
        logP.close();
        INDArray log1mP = Transforms.log(p.rsubi(1), false);   // p's memory reused
        double sum = tLogP + log1mP.sumNumber().doubleValue() - log1mP.muli(original).sumNumber().doubleValue();
        p.close();
        return -sum / original.length();
    }

    public static double psnr(INDArray original, INDArray reconstruction) {
        return psnrOfMse(mse(original, reconstruction));
    }

    public static double psnrOfMse(double mse) {
        return 10 * Math.log10(1 / mse);
    }
}
