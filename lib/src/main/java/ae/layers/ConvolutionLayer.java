package ae.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's convolution layer at work ({@code org.deeplearning4j.nn.layers.convolution.ConvolutionLayer}), computed by
 * libnd4j's native {@code conv2d} / {@code conv2d_bp} ops (oneDNN on x86_64) instead of DL4J's Java im2col: same
 * configuration, same parameters ({@code W} [nOut, nIn, kH, kW], {@code b}), same results, 10-13x faster on a CPU
 * (docs/performance.md). {@link FastLayers} puts it in place of the stock layer where it computes the same thing
 * ({@link #supports}). Named as the stock class, so that {@code net.summary()} lists "ConvolutionLayer".
 */
class ConvolutionLayer extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {

    /**
     * What it computes: stride 1 and no dilation, in NCHW, with a bias and no dropout, in {@code Same} or unpadded
     * {@code Truncate} ("valid") mode: what the course's models use. Anything else stays with the stock layer.
     */
    static boolean supports(org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf) {
        ConvolutionMode mode = conf.getConvolutionMode();
        return strideOneNchw(conf) && (mode == ConvolutionMode.Same
                || (mode == ConvolutionMode.Truncate && Arrays.equals(conf.getPadding(), new int[] {0, 0})));
    }

    /** Stride 1, no dilation, NCHW, a bias, no dropout: what both native convolutions need. */
    static boolean strideOneNchw(org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf) {
        return Arrays.equals(conf.getStride(), new int[] {1, 1}) && Arrays.equals(conf.getDilation(), new int[] {1, 1})
                && conf.getCnn2dDataFormat() == CNN2DFormat.NCHW && conf.hasBias() && conf.getIDropout() == null;
    }

    ConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private int[] iArgs() {
        int[] k = layerConf().getKernelSize();
        boolean same = layerConf().getConvolutionMode() == ConvolutionMode.Same;
        // kH, kW, sH, sW, pH, pW, dH, dW, padding mode (1 = same, 0 = valid), data format (0 = NCHW), weights format (0 = YXIO)
        return new int[] {k[0], k[1], 1, 1, 0, 0, 1, 1, same ? 1 : 0, 0, 0};
    }

    /**
     * DL4J's weights [nOut, nIn, kH, kW] in the op's layout [kH, kW, nIn, nOut], copied into the layer's working
     * memory (a DL4J workspace, reused every step) rather than into a fresh buffer that waits for the garbage
     * collector.
     */
    protected INDArray yxio(INDArray w, LayerWorkspaceMgr workspaceMgr, ArrayType memory) {
        INDArray out = workspaceMgr.createUninitialized(memory, w.dataType(), new long[] {w.size(2), w.size(3), w.size(1), w.size(0)}, 'c');
        return out.assign(w.permute(2, 3, 1, 0));
    }

    /** Writes the op's weight gradient [kH, kW, nIn, nOut] into DL4J's gradient view (same layout as W). */
    protected void storeWeightGradient(INDArray wGrad, INDArray wView) {
        wView.assign(wGrad.permute(3, 2, 0, 1));
    }

    private long[] outputShape(INDArray in) {
        int[] k = layerConf().getKernelSize();
        boolean same = layerConf().getConvolutionMode() == ConvolutionMode.Same;
        long h = same ? in.size(2) : in.size(2) - k[0] + 1, w = same ? in.size(3) : in.size(3) - k[1] + 1;
        return new long[] {in.size(0), layerConf().getNOut(), h, w};
    }

    /** Whether the last training forward pass was kept for the backward pass (CacheMode other than NONE). */
    boolean hasCachedForward() {
        return preOutput != null;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        if (forBackprop && preOutput != null) {
            return new Pair<>(preOutput, null); // kept by the forward pass when the network's CacheMode is not NONE
        }
        assertInputSet(false);
        validateInputRank();
        validateInputDepth(layerConf().getNIn());
        INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray b = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
        INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), outputShape(input), 'c');
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(input.castTo(w.dataType()), yxio(w, workspaceMgr, ArrayType.FF_WORKING_MEM), b.reshape(b.length()))
                .addOutputs(z).addIntegerArguments(iArgs()).build());
        return new Pair<>(z, null);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray b = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr);
        INDArray z = preOutput(true, true, workspaceMgr).getFirst();
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();

        INDArray in = input.castTo(w.dataType());
        INDArray epsNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, w.dataType(), in.shape(), 'c');
        INDArray wOp = yxio(w, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray wGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, w.dataType(), wOp.shape(), 'c');
        INDArray bGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, w.dataType(), new long[] {b.length()}, 'c');
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(in, wOp, b.reshape(b.length()), delta)
                .addOutputs(epsNext, wGrad, bGrad).addIntegerArguments(iArgs()).build());

        INDArray wView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray bView = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
        storeWeightGradient(wGrad, wView);
        bView.assign(bGrad.reshape(bView.shape()));
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, bView);
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, wView, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, epsNext);
    }
}
