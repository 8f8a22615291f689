package ae.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's {@link Deconvolution2D} (Keras's {@code Conv2DTranspose}) for stride 1 and {@code Same} mode, computed as
 * what it is then: an ordinary convolution with the kernel turned by 180° and its input and output channels swapped.
 * Same configuration and parameters ({@code W} [nIn, nOut, kH, kW], {@code b}) as the stock layer, same results,
 * but it runs on libnd4j's fast native {@code conv2d} (oneDNN) instead of the slow {@code deconv2d}.
 *
 * <pre>
 *   new FastDeconvolution2D.Builder(3, 3).nOut(32).activation(Activation.RELU).build()
 * </pre>
 */
public class FastDeconvolution2D extends Deconvolution2D {

    protected FastDeconvolution2D(Builder builder) {
        super(builder);
    }

    /** For JSON deserialization (loading saved models). */
    protected FastDeconvolution2D() {}

    public static class Builder extends Deconvolution2D.Builder {
        /** A transposed convolution with the given kernel size, stride 1 and {@code Same} mode. */
        public Builder(int kernelHeight, int kernelWidth) {
            super(kernelHeight, kernelWidth);
            convolutionMode(ConvolutionMode.Same);
        }

        @Override
        @SuppressWarnings("unchecked")
        public FastDeconvolution2D build() {
            if (stride[0] != 1 || stride[1] != 1 || dilation[0] != 1 || dilation[1] != 1) {
                throw new IllegalArgumentException("FastDeconvolution2D supports stride 1 and dilation 1 only; use "
                        + "Deconvolution2D for stride " + java.util.Arrays.toString(stride) + ", dilation " + java.util.Arrays.toString(dilation));
            }
            if (convolutionMode != ConvolutionMode.Same) {
                throw new IllegalArgumentException("FastDeconvolution2D supports ConvolutionMode.Same only, not " + convolutionMode
                        + "; use Deconvolution2D for other modes");
            }
            if (kernelSize[0] % 2 == 0 || kernelSize[1] % 2 == 0) {
                throw new IllegalArgumentException("FastDeconvolution2D needs an odd kernel size (its 'same' padding is then "
                        + "symmetric), not " + java.util.Arrays.toString(kernelSize) + "; use Deconvolution2D");
            }
            return new FastDeconvolution2D(this);
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return FastConvolutionLayer.wire(new Impl(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** {@link FastConvolutionLayer}'s native forward and backward pass, with the kernel turned and transposed. */
    public static class Impl extends FastConvolutionLayer.Impl {

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
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
}
