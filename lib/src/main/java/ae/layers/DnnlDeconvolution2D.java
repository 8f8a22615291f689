package ae.layers;

import java.util.Arrays;
import java.util.Collection;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DeconvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link Deconvolution2D} (Keras's {@code Conv2DTranspose}) computed by oneDNN's deconvolution primitive
 * ({@link ConvCore}): same configuration and parameters ({@code W} [nIn, nOut, kH, kW], handed to oneDNN as its
 * [nOut, nIn, kH, kW] deconvolution weights without a copy, {@code b}), same results; bias and activation fused,
 * channels-last activations. Supported: stride 1, {@code Same} mode with an odd kernel or {@code Truncate} mode, and
 * what {@link DnnlConvolutionLayer} supports; float on oneDNN, other data types on DL4J's stock code.
 */
public class DnnlDeconvolution2D extends Deconvolution2D {

    /** For JSON deserialization (loading saved models). */
    protected DnnlDeconvolution2D() {}

    /** Why this implementation cannot stand in for the given stock layer, or null when it can. */
    public static String supports(Deconvolution2D stock) {
        if (stock.getStride()[0] != 1 || stock.getStride()[1] != 1) return "stride " + Arrays.toString(stock.getStride()) + " (stride 1 only)";
        if (stock.getConvolutionMode() == ConvolutionMode.Same && (stock.getKernelSize()[0] % 2 == 0 || stock.getKernelSize()[1] % 2 == 0)) {
            return "an even kernel " + Arrays.toString(stock.getKernelSize()) + " in Same mode";
        }
        if (stock.getConvolutionMode() != ConvolutionMode.Same && stock.getConvolutionMode() != ConvolutionMode.Truncate) {
            return "convolution mode " + stock.getConvolutionMode();
        }
        return ConvCore.unsupported(stock);
    }

    /** The stock layer's configuration in this implementation (same settings, parameters and results). */
    public static DnnlDeconvolution2D from(Deconvolution2D stock) {
        if (stock.getClass() != Deconvolution2D.class && !(stock instanceof DnnlDeconvolution2D)) {
            throw new IllegalArgumentException("DnnlDeconvolution2D replaces Deconvolution2D only, not " + stock.getClass().getSimpleName());
        }
        String why = supports(stock);
        if (why != null) throw new IllegalArgumentException("DnnlDeconvolution2D does not support " + why + "; use Deconvolution2D");
        return Confs.copy(stock, new DnnlDeconvolution2D());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return Confs.wire(new Impl(conf, networkDataType), initializer(), conf, listeners, layerIndex, layerParamsView, initializeParams);
    }

    /** The layer at work: oneDNN for float data, DL4J's stock code otherwise. */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer {
        private final ConvCore core = new ConvCore(true);

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        private boolean nativePath() {
            return Dnnl.available() && dataType == DataType.FLOAT && input.rank() == 4;
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(false);
            if (!nativePath()) return super.activate(training, workspaceMgr);
            validateInputRank();
            validateInputDepth(layerConf().getNIn());
            return core.forward(layerConf(), input.castTo(DataType.FLOAT), getParam(DeconvolutionParamInitializer.WEIGHT_KEY),
                    getParam(DeconvolutionParamInitializer.BIAS_KEY),
                    gradientViews == null ? null : gradientViews.get(DeconvolutionParamInitializer.WEIGHT_KEY), training, workspaceMgr);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            if (!nativePath()) return super.backpropGradient(epsilon, workspaceMgr);
            if (!core.hasForward(input)) activate(true, workspaceMgr);
            INDArray wView = gradientViews.get(DeconvolutionParamInitializer.WEIGHT_KEY);
            INDArray bView = gradientViews.get(DeconvolutionParamInitializer.BIAS_KEY);
            INDArray epsNext = core.backward(layerConf(), input, epsilon, getParam(DeconvolutionParamInitializer.WEIGHT_KEY),
                    wView, bView, !ConvCore.inputGradientUnused(getIndex()), workspaceMgr);
            Gradient gradient = new DefaultGradient();
            gradient.setGradientFor(DeconvolutionParamInitializer.BIAS_KEY, bView);
            gradient.setGradientFor(DeconvolutionParamInitializer.WEIGHT_KEY, wView, 'c');
            return new Pair<>(gradient, epsNext);
        }

        @Override
        public void clear() {
            super.clear();
            core.clear();
        }
    }
}
