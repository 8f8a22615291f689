package ae.layers;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import java.util.Collection;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.LongPointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link ConvolutionLayer} computed by oneDNN directly ({@link Dnnl}): same configuration, same parameters
 * ({@code W} [nOut, nIn, kH, kW], {@code b}), same results. Per call it runs one oneDNN convolution with the bias and
 * the activation fused into it (a post-op), on channels-last activations, with primitives created once per shape;
 * the backward pass runs the activation's gradient, the weight-and-bias gradient and (unless the layer is the first
 * of a network being fitted, whose input gradient nobody reads) the input gradient, each one oneDNN primitive.
 *
 * <p>Supported (else {@link #supports} says why not, and {@link #from} throws): NCHW data format, dilation 1, any
 * stride, {@code Same}, {@code Truncate} or {@code Strict} mode, activations identity, ReLU and sigmoid, no dropout on
 * the input. Float data runs on oneDNN; other data types run DL4J's stock code.
 */
public class DnnlConvolutionLayer extends ConvolutionLayer {

    /** For JSON deserialization (loading saved models). */
    protected DnnlConvolutionLayer() {}

    /** Why this implementation cannot stand in for the given stock layer, or null when it can. */
    public static String supports(ConvolutionLayer stock) {
        if (stock.getCnn2dDataFormat() != CNN2DFormat.NCHW) return "data format " + stock.getCnn2dDataFormat() + " (NCHW only)";
        if (stock.getDilation()[0] != 1 || stock.getDilation()[1] != 1) return "dilation " + Arrays.toString(stock.getDilation());
        if (stock.getConvolutionMode() == ConvolutionMode.Causal) return "convolution mode Causal";
        if (stock.getIDropout() != null) return "dropout";
        if (activation(stock.getActivationFn()) < -1) return "activation " + stock.getActivationFn() + " (identity, ReLU and sigmoid only)";
        return Dnnl.UNAVAILABLE;
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

    /** oneDNN's eltwise algorithm for a DL4J activation: -1 for identity (none), < -1 when not supported. */
    static int activation(IActivation fn) {
        if (fn == null || fn instanceof ActivationIdentity) return -1;
        if (fn instanceof ActivationReLU r && r.getMax() == null && zero(r.getThreshold()) && zero(r.getNegativeSlope())) return dnnl_eltwise_relu;
        if (fn instanceof ActivationSigmoid) return dnnl_eltwise_logistic;
        return -2;
    }

    private static boolean zero(Double d) {
        return d == null || d == 0.0;
    }

    /** The eltwise algorithm whose backward pass reads the forward output (not its input). */
    static int useDstForBwd(int alg) {
        return alg == dnnl_eltwise_relu ? dnnl_eltwise_relu_use_dst_for_bwd : dnnl_eltwise_logistic_use_dst_for_bwd;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return Confs.wire(new Impl(conf, networkDataType), initializer(), conf, listeners, layerIndex, layerParamsView, initializeParams);
    }

    /** The geometry of one convolution: sizes, kernel, strides, paddings. */
    record Geometry(long n, long inC, long inH, long inW, long outC, long outH, long outW, long[] kernel, long[] strides,
                    long[] padL, long[] padR) {
        long[] src() { return new long[] {n, inC, inH, inW}; }
        long[] dst() { return new long[] {n, outC, outH, outW}; }
        String key() {
            return Arrays.toString(src()) + Arrays.toString(dst()) + Arrays.toString(kernel) + Arrays.toString(strides)
                    + Arrays.toString(padL) + Arrays.toString(padR);
        }
    }

    /** The layer at work. */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        /** The last training forward pass: its input, its output (after the activation), for the backward pass. */
        private INDArray forwardInput, forwardOutput;

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /** Whether this call can run on oneDNN (float data, oneDNN loaded). */
        protected boolean nativePath(INDArray in) {
            return Dnnl.available() && dataType == DataType.FLOAT && in.dataType() == DataType.FLOAT && in.rank() == 4;
        }

        protected Geometry geometry(INDArray in) {
            ConvolutionLayer c = layerConf();
            int[] k = c.getKernelSize(), s = c.getStride(), p = c.getPadding(), d = c.getDilation();
            int[] out = ConvolutionUtils.getOutputSize(in, k, s, p, c.getConvolutionMode(), d, CNN2DFormat.NCHW);
            long[] padL = {p[0], p[1]}, padR = {p[0], p[1]};
            if (c.getConvolutionMode() == ConvolutionMode.Same) {
                int[] inHw = {(int) in.size(2), (int) in.size(3)};
                int[] tl = ConvolutionUtils.getSameModeTopLeftPadding(out, inHw, k, s, d);
                int[] br = ConvolutionUtils.getSameModeBottomRightPadding(out, inHw, k, s, d);
                padL = new long[] {tl[0], tl[1]};
                padR = new long[] {br[0], br[1]};
            } else {
                // Truncate/Strict: the last rows and columns that do not fill a window are dropped
                padR = new long[] {(out[0] - 1L) * s[0] + k[0] - in.size(2) - p[0], (out[1] - 1L) * s[1] + k[1] - in.size(3) - p[1]};
            }
            return new Geometry(in.size(0), in.size(1), in.size(2), in.size(3), c.getNOut(), out[0], out[1],
                    new long[] {k[0], k[1]}, new long[] {s[0], s[1]}, padL, padR);
        }

        /** DL4J's weights as oneDNN's (convolution: [O, I, kH, kW] as they are). */
        protected dnnl_memory_desc_t weightsMd(INDArray w) {
            return Dnnl.mdOf(w);
        }

        protected String opName() {
            return "convolution";
        }

        protected int forwardDesc(dnnl_convolution_desc_t desc, int prop, dnnl_memory_desc_t src, dnnl_memory_desc_t wei,
                dnnl_memory_desc_t bias, dnnl_memory_desc_t dst, Geometry g) {
            return dnnl_convolution_forward_desc_init(desc, prop, dnnl_convolution_direct, src, wei, bias, dst,
                    new LongPointer(g.strides()), new LongPointer(g.padL()), new LongPointer(g.padR()));
        }

        protected int backwardDataDesc(dnnl_convolution_desc_t desc, dnnl_memory_desc_t diffSrc, dnnl_memory_desc_t wei,
                dnnl_memory_desc_t diffDst, Geometry g) {
            return dnnl_convolution_backward_data_desc_init(desc, dnnl_convolution_direct, diffSrc, wei, diffDst,
                    new LongPointer(g.strides()), new LongPointer(g.padL()), new LongPointer(g.padR()));
        }

        protected int backwardWeightsDesc(dnnl_convolution_desc_t desc, dnnl_memory_desc_t src, dnnl_memory_desc_t diffWei,
                dnnl_memory_desc_t diffBias, dnnl_memory_desc_t diffDst, Geometry g) {
            return dnnl_convolution_backward_weights_desc_init(desc, dnnl_convolution_direct, src, diffWei, diffBias, diffDst,
                    new LongPointer(g.strides()), new LongPointer(g.padL()), new LongPointer(g.padR()));
        }

        /** The cached primitives of one geometry (and weight layout). */
        private final class Primitives {
            final Dnnl.Primitive forward, backwardData, backwardWeights, activationBackward;
            final Dnnl.Weights forwardWeights, backwardDataWeights;
            final Dnnl.Primitive weightGradientBack;
            final long weightGradientAddress;

            Primitives(Geometry g, INDArray w, INDArray wGrad, int alg, boolean training) {
                dnnl_memory_desc_t src = Dnnl.md(g.src(), Dnnl.nhwcStrides(g.src()));
                dnnl_memory_desc_t dst = Dnnl.md(g.dst(), Dnnl.nhwcStrides(g.dst()));
                dnnl_memory_desc_t anyW = Dnnl.md(w.shape(), dnnl_format_tag_any);
                dnnl_memory_desc_t bias = Dnnl.md(new long[] {g.outC()}, dnnl_a);
                dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
                Dnnl.check(forwardDesc(fd, training ? dnnl_forward_training : dnnl_forward_inference, src, anyW, bias, dst, g), "describe the " + opName());
                dnnl_primitive_attr attr = alg == -1 ? null : Dnnl.postOps(alg);
                dnnl_primitive_desc fpd = Dnnl.pd(fd, attr, null, opName() + " forward");
                forwardWeights = new Dnnl.Weights(weightsMd(w), Dnnl.queryMd(fpd, dnnl_query_weights_md));
                forward = new Dnnl.Primitive(opName() + " forward", fpd,
                        new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                        new dnnl_memory_desc_t[] {src, forwardWeights.wanted, bias, dst});
                if (forwardWeights.memory != null) forward.own(1, forwardWeights.memory);
                if (!training) {
                    backwardData = backwardWeights = activationBackward = weightGradientBack = null;
                    backwardDataWeights = null;
                    weightGradientAddress = 0;
                    return;
                }
                // the activation's gradient from the forward output
                if (alg != -1) {
                    dnnl_eltwise_desc_t ef = new dnnl_eltwise_desc_t(), eb = new dnnl_eltwise_desc_t();
                    Dnnl.check(dnnl_eltwise_forward_desc_init(ef, dnnl_forward_training, useDstForBwd(alg), dst, 0f, 0f), "describe the activation");
                    Dnnl.check(dnnl_eltwise_backward_desc_init(eb, useDstForBwd(alg), dst, dst, 0f, 0f), "describe the activation's gradient");
                    dnnl_primitive_desc efpd = Dnnl.pd(ef, null, null, "activation");
                    activationBackward = new Dnnl.Primitive("activation backward", Dnnl.pd(eb, null, efpd, "activation backward"),
                            new int[] {DNNL_ARG_DST, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC}, new dnnl_memory_desc_t[] {dst, dst, dst});
                } else {
                    activationBackward = null;
                }
                // weights and bias gradient
                dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
                Dnnl.check(backwardWeightsDesc(wd, src, anyW, bias, dst, g), "describe the " + opName() + " weight gradient");
                dnnl_primitive_desc wpd = Dnnl.pd(wd, null, fpd, opName() + " weight gradient");
                dnnl_memory_desc_t diffW = Dnnl.queryMd(wpd, dnnl_query_diff_weights_md);
                dnnl_memory_desc_t userDiffW = weightsMd(wGrad);
                backwardWeights = new Dnnl.Primitive(opName() + " backward weights", wpd,
                        new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
                        new dnnl_memory_desc_t[] {src, dst, diffW, bias});
                if (Dnnl.equal(diffW, userDiffW)) {
                    weightGradientBack = null;
                    weightGradientAddress = 0;
                } else {
                    weightGradientBack = Dnnl.Weights.back(diffW, userDiffW);
                    var m = backwardWeights.own(2, Dnnl.owned(diffW));
                    weightGradientBack.own(0, m);
                    weightGradientAddress = Dnnl.handle(m);
                }
                // input gradient
                dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
                Dnnl.check(backwardDataDesc(dd, src, anyW, dst, g), "describe the " + opName() + " input gradient");
                dnnl_primitive_desc dpd = Dnnl.pd(dd, null, fpd, opName() + " input gradient");
                backwardDataWeights = new Dnnl.Weights(weightsMd(w), Dnnl.queryMd(dpd, dnnl_query_weights_md));
                backwardData = new Dnnl.Primitive(opName() + " backward data", dpd,
                        new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                        new dnnl_memory_desc_t[] {dst, backwardDataWeights.wanted, src});
                if (backwardDataWeights.memory != null) backwardData.own(1, backwardDataWeights.memory);
            }
        }

        private Primitives primitives(Geometry g, INDArray w, INDArray wGrad, int alg, boolean training) {
            String key = opName() + " " + g.key() + " w" + Dnnl.layout(w) + " act" + alg + (training ? " training" : " inference");
            return Dnnl.cached(key, () -> new Primitives(g, w, wGrad == null ? w : wGrad, alg, training));
        }

        private int alg() {
            return activation(layerConf().getActivationFn());
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(false);
            if (!nativePath(input)) return super.activate(training, workspaceMgr);
            validateInputRank();
            validateInputDepth(layerConf().getNIn());
            INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
            INDArray b = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
            INDArray x = Dnnl.asNhwc(input, workspaceMgr, ArrayType.FF_WORKING_MEM);
            Geometry g = geometry(x);
            Primitives p = primitives(g, w, gradientViews == null ? null : gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), alg(), training);
            INDArray out = Dnnl.nhwc(workspaceMgr, ArrayType.ACTIVATIONS, g.dst());
            p.forward.exec(Dnnl.address(x), p.forwardWeights.from(w), Dnnl.address(b), Dnnl.address(out));
            if (training) {
                forwardInput = input;
                forwardOutput = out;
            }
            return out;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            if (!nativePath(input)) return super.backpropGradient(epsilon, workspaceMgr);
            if (forwardInput != input || forwardOutput == null || !forwardOutput.isInScope()) {
                activate(true, workspaceMgr); // no usable forward pass of this input kept: run it again
            }
            INDArray out = forwardOutput;
            INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray wView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
            INDArray bView = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            INDArray x = Dnnl.asNhwc(input, workspaceMgr, ArrayType.BP_WORKING_MEM);
            Geometry g = geometry(x);
            int alg = alg();
            Primitives p = primitives(g, w, wView, alg, true);
            INDArray eps = Dnnl.asNhwc(epsilon.castTo(DataType.FLOAT), workspaceMgr, ArrayType.BP_WORKING_MEM);
            INDArray delta = eps;
            if (p.activationBackward != null) {
                delta = Dnnl.nhwc(workspaceMgr, ArrayType.BP_WORKING_MEM, g.dst());
                p.activationBackward.exec(Dnnl.address(out), Dnnl.address(eps), Dnnl.address(delta));
            }
            if (p.weightGradientBack == null) {
                p.backwardWeights.exec(Dnnl.address(x), Dnnl.address(delta), Dnnl.address(wView), Dnnl.address(bView));
            } else {
                p.backwardWeights.exec(Dnnl.address(x), Dnnl.address(delta), 0L, Dnnl.address(bView));
                p.weightGradientBack.exec(0L, Dnnl.address(wView));
            }
            INDArray epsNext = null;
            if (!inputGradientUnused()) {
                epsNext = Dnnl.nhwc(workspaceMgr, ArrayType.ACTIVATION_GRAD, g.src());
                p.backwardData.exec(Dnnl.address(delta), p.backwardDataWeights.from(w), Dnnl.address(epsNext));
            }
            Gradient gradient = new DefaultGradient();
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, bView);
            gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, wView, 'c');
            weightNoiseParams.clear();
            forwardInput = forwardOutput = null;
            return new Pair<>(gradient, epsNext);
        }

        /**
         * True for the first layer of a MultiLayerNetwork computing its gradient for fit/score: DL4J throws that
         * layer's input gradient away (MultiLayerNetwork.calcBackpropGradients with returnInputActGrad false), so it
         * is not computed. Anyone else calling backpropGradient (MultiLayerNetwork.backpropGradient, a
         * ComputationGraph) gets it.
         */
        protected boolean inputGradientUnused() {
            if (getIndex() != 0) return false;
            return StackWalker.getInstance().walk(frames -> frames.limit(12).anyMatch(f ->
                    f.getClassName().equals(MultiLayerNetwork.class.getName()) && f.getMethodName().equals("computeGradientAndScore")));
        }

        @Override
        public void clear() {
            super.clear();
            forwardInput = forwardOutput = null;
        }
    }
}
