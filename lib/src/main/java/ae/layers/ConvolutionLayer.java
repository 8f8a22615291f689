package ae.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's convolution layer at work ({@code org.deeplearning4j.nn.layers.convolution.ConvolutionLayer}) computed by
 * oneDNN directly ({@link ConvCore}, {@link Dnnl}): same configuration, same parameters ({@code W} [nOut, nIn, kH, kW],
 * {@code b}), same results. Per call it runs one oneDNN convolution with the bias and the activation fused into it (a
 * post-op), on channels-last activations, with primitives created once per shape; the backward pass runs the
 * activation's gradient, the weight-and-bias gradient and (unless the layer is the first of a network being fitted,
 * whose input gradient nobody reads) the input gradient, one primitive each. {@link FastLayers} puts it in place of the
 * stock layer in float networks where {@link #whyNot} has no objection. Named as the stock class, so that {@code
 * net.summary()} lists "ConvolutionLayer".
 */
class ConvolutionLayer extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {

    /**
     * Why it cannot stand in for a stock layer of this configuration, or null when it can: NCHW data format, dilation
     * 1, any stride, {@code Same}, {@code Truncate} or {@code Strict} mode, identity, ReLU or sigmoid activation, a
     * bias, no dropout or weight noise, and oneDNN's natives on this machine.
     */
    static String whyNot(org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf) {
        return ConvCore.unsupported(conf);
    }

    private final ConvCore core;

    ConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        this(conf, dataType, false);
    }

    /** A convolution, or with {@code transposed} the transposed convolution of a Deconvolution2D configuration. */
    ConvolutionLayer(NeuralNetConfiguration conf, DataType dataType, boolean transposed) {
        super(conf, dataType);
        Dnnl.requireFloatNetwork(dataType);
        core = new ConvCore(transposed);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        validateInputRank();
        validateInputDepth(layerConf().getNIn());
        return core.forward(layerConf(), input.castTo(DataType.FLOAT), getParam(ConvolutionParamInitializer.WEIGHT_KEY),
                getParam(ConvolutionParamInitializer.BIAS_KEY),
                gradientViews == null ? null : gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), training, workspaceMgr);
    }

    /** DL4J's own forward pass before the activation: never wanted here (oneDNN fuses the activation), so a clear error. */
    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("the oneDNN " + core.name() + " computes its activation with it: use activate()");
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!core.hasForward(input)) activate(true, workspaceMgr); // no usable forward pass of this input: run it again
        // a transposed convolution's parameters carry the same keys (DeconvolutionParamInitializer's are these)
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
