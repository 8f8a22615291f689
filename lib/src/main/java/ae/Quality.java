package ae;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce3.EuclideanDistance;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * How close a reconstruction is to the original, for images with pixels in [0, 1]:
 * <ul>
 *   <li>{@link #mse}: mean squared error per pixel;</li>
 *   <li>{@link #bce}: binary cross-entropy per pixel, −[x·ln(y) + (1−x)·ln(1−y)] averaged (what Keras reports as loss);</li>
 *   <li>{@link #psnr}: peak signal-to-noise ratio in dB, 10·log10(1 / MSE); higher is better.</li>
 * </ul>
 * Sums are taken image by image (a few thousand numbers each, in the arrays' precision) and the images' sums added in
 * double precision. ND4J's reduction of a whole float array keeps one running float sum per thread, which loses what
 * it adds once the sum is large: over 10,000 × 784 pixels it came out 0.3% low on two threads and 1% low on one (so a
 * chapter's numbers depended on the thread count, and PCA's error by Pythagoras, a small difference of such sums, by 9%).
 */
public final class Quality {

    private static final double EPS = 1e-7; // Keras clips predictions to [1e-7, 1 - 1e-7] the same way

    private Quality() {}

    public static double mse(INDArray original, INDArray reconstruction) {
        INDArray r = reconstruction.castTo(original.dataType());
        double sum = 0;
        if (original.rank() < 2) {
            INDArray a = original.castTo(DataType.DOUBLE), b = r.castTo(DataType.DOUBLE);   // one image: small copies
            sum = Math.pow(a.distance2(b), 2);
            if (a != original) a.close();
            if (b != r) b.close();
        } else {   // each image's Euclidean distance, then the squares added in double precision
            INDArray perImage = Nd4j.getExecutioner().exec(new EuclideanDistance(original, r, imageDimensions(original)));
            for (double d : perImage.toDoubleVector()) sum += d * d;
            perImage.close();
        }
        if (r != reconstruction) r.close();
        return sum / original.length();
    }

    /** The sum of all elements: each image's sum in the array's precision, the images' sums in double precision. */
    static double sum(INDArray a) {
        if (a.rank() < 2) {
            INDArray d = a.castTo(DataType.DOUBLE);
            double sum = d.sumNumber().doubleValue();
            if (d != a) d.close();
            return sum;
        }
        INDArray perImage = a.sum(imageDimensions(a));
        double sum = 0;
        for (double v : perImage.toDoubleVector()) sum += v;
        perImage.close();
        return sum;
    }

    private static int[] imageDimensions(INDArray a) {
        int[] dims = new int[a.rank() - 1];
        for (int i = 0; i < dims.length; i++) dims[i] = i + 1;
        return dims;
    }

    public static double bce(INDArray original, INDArray reconstruction) {
        // -mean(t·log p + (1 - t)·log(1 - p)) with few full-size temporaries (these arrays can be 10,000 images):
        // sum(t·log p) + sum(log(1 - p)) - sum(t·log(1 - p)). The temporaries are freed at once, not at the next
        // garbage collection: a chapter computes this for many reconstructions.
        INDArray r = reconstruction.castTo(original.dataType());
        INDArray p = Transforms.min(Transforms.max(r, EPS, true), 1 - EPS, false);   // a copy, clipped in place
        if (r != reconstruction) r.close();
        INDArray logP = Transforms.log(p, true);
        double tLogP = sum(logP.muli(original));
        logP.close();
        INDArray log1mP = Transforms.log(p.rsubi(1), false);   // p's memory reused
        double sum = tLogP + sum(log1mP) - sum(log1mP.muli(original));
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
