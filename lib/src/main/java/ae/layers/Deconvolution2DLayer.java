package ae.layers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's transposed convolution ({@link Deconvolution2D}, Keras's {@code Conv2DTranspose}) for stride 1 and {@code
 * Same} mode, computed as what it is then: an ordinary convolution with the kernel turned by 180° and its input and
 * output channels swapped. Same configuration and parameters ({@code W} [nIn, nOut, kH, kW], {@code b}) as the stock
 * layer, same results, but it runs on libnd4j's fast native {@code conv2d} (oneDNN, {@link ConvolutionLayer}) instead
 * of the slow {@code deconv2d}. Named as the stock class, so that {@code net.summary()} lists "Deconvolution2DLayer".
 */
final class Deconvolution2DLayer extends ConvolutionLayer {

    Deconvolution2DLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** What it computes: stride 1, {@code Same} mode and an odd kernel (whose "same" padding is symmetric). */
    static boolean supports(Deconvolution2D conf) {
        int[] k = conf.getKernelSize();
        return strideOneNchw(conf) && conf.getConvolutionMode() == ConvolutionMode.Same && k[0] % 2 == 1 && k[1] % 2 == 1;
    }

    /** W [nIn, nOut, kH, kW], turned by 180° in (kH, kW), as the convolution's [kH, kW, nIn, nOut]. */
    @Override
    protected INDArray yxio(INDArray w, LayerWorkspaceMgr workspaceMgr, ArrayType memory) {
        INDArray out = workspaceMgr.createUninitialized(memory, w.dataType(), new long[] {w.size(2), w.size(3), w.size(0), w.size(1)}, 'c');
        turn(w, out.permute(2, 3, 0, 1));
        return out;
    }

    @Override
    protected void storeWeightGradient(INDArray wGrad, INDArray wView) {
        turn(wGrad.permute(2, 3, 0, 1), wView);
    }

    /**
     * to[.., y, x] = from[.., kH-1-y, kW-1-x] for [nIn, nOut, kH, kW] arrays: one small copy per kernel position
     * (libnd4j's general {@code reverse} op was the slowest part of this layer).
     */
    static void turn(INDArray from, INDArray to) {
        long kH = from.size(2), kW = from.size(3);
        for (long y = 0; y < kH; y++) {
            for (long x = 0; x < kW; x++) {
                to.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.point(x))
                        .assign(from.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(kH - 1 - y), NDArrayIndex.point(kW - 1 - x)));
            }
        }
    }
}
