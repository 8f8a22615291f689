package ae.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link ConvolutionLayer} computed by oneDNN directly ({@link ConvCore}, {@link Dnnl}): same configuration,
 * same parameters ({@code W} [nOut, nIn, kH, kW], {@code b}), same results. Per call it runs one oneDNN convolution
 * with the bias and the activation fused into it (a post-op), on channels-last activations, with primitives created
 * once per shape; the backward pass runs the activation's gradient, the weight-and-bias gradient and (unless the layer
 * is the first of a network being fitted, whose input gradient nobody reads) the input gradient, one primitive each.
 *
 * <p>Supported ({@link #supports} says why not, {@link #from} throws): NCHW data format, dilation 1, any stride,
 * {@code Same}, {@code Truncate} or {@code Strict} mode, identity, ReLU or sigmoid activation, a bias, no dropout or
 * weight noise. Float networks run on oneDNN; other data types run DL4J's stock code.
 */
public class DnnlConvolutionLayer extends ConvolutionLayer {

    /** For JSON deserialization (loading saved models). */
    protected DnnlConvolutionLayer() {}

    /** Why this implementation cannot stand in for the given stock layer, or null when it can. */
    public static String supports(ConvolutionLayer stock) {
        return ConvCore.unsupported(stock);
    }

    /** The stock layer's configuration in this implementation (same settings, parameters and results). */
    public static DnnlConvolutionLayer from(ConvolutionLayer stock) {
        if (stock.getClass() != ConvolutionLayer.class && !(stock instanceof DnnlConvolutionLayer)) {
            throw new IllegalArgumentException("DnnlConvolutionLayer replaces ConvolutionLayer only, not " + stock.getClass().getSimpleName());
        }
        String why = supports(stock);
        if (why != null) throw new IllegalArgumentException("DnnlConvolutionLayer does not support " + why + "; use ConvolutionLayer");
        return Confs.copy(stock, new DnnlConvolutionLayer());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return Confs.wire(new Impl(conf, networkDataType), initializer(), conf, listeners, layerIndex, layerParamsView, initializeParams);
    }

    /** The layer at work: oneDNN for float data, DL4J's stock code otherwise. */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        private final ConvCore core = new ConvCore(false);

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
            return core.forward(layerConf(), input.castTo(DataType.FLOAT), getParam(ConvolutionParamInitializer.WEIGHT_KEY),
                    getParam(ConvolutionParamInitializer.BIAS_KEY),
                    gradientViews == null ? null : gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), training, workspaceMgr);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            if (!nativePath()) return super.backpropGradient(epsilon, workspaceMgr);
            if (!core.hasForward(input)) activate(true, workspaceMgr); // no usable forward pass of this input: run it again
            INDArray wView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
            INDArray bView = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            INDArray epsNext = core.backward(layerConf(), input, epsilon, getParam(ConvolutionParamInitializer.WEIGHT_KEY),
                    wView, bView, !ConvCore.inputGradientUnused(getIndex()), workspaceMgr);
            Gradient gradient = new DefaultGradient();
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, bView);
            gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, wView, 'c');
            return new Pair<>(gradient, epsNext);
        }

        @Override
        public void clear() {
            super.clear();
            core.clear();
        }
    }
}
