package ae.layers;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.LongPointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The oneDNN work of a convolution or transposed-convolution layer ({@link ConvolutionLayer},
 * {@link Deconvolution2DLayer}): forward pass with bias and activation fused, activation gradient, weight and bias
 * gradient, input gradient; channels-last activations; primitives cached per geometry. The layers keep DL4J's side
 * (parameters, gradient views, the Gradient object) and hand this class arrays.
 */
final class ConvCore {
    private final boolean transposed;
    /** The last training forward pass: its input and its output (after the activation), for the backward pass. */
    private INDArray forwardInput, forwardOutput;

    ConvCore(boolean transposed) {
        this.transposed = transposed;
    }

    /** oneDNN's eltwise algorithm for a DL4J activation: -1 for identity (none), -2 when not supported. */
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

    /** Why a stock configuration cannot run here (conv or deconv alike), or null. */
    static String unsupported(ConvolutionLayer c) {
        if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) return "data format " + c.getCnn2dDataFormat() + " (NCHW only)";
        if (c.getDilation()[0] != 1 || c.getDilation()[1] != 1) return "dilation " + Arrays.toString(c.getDilation());
        if (c.getConvolutionMode() == ConvolutionMode.Causal) return "convolution mode Causal";
        if (c.getIDropout() != null) return "dropout";
        if (c.getWeightNoise() != null) return "weight noise";
        if (activation(c.getActivationFn()) < -1) return "activation " + c.getActivationFn() + " (identity, ReLU and sigmoid only)";
        if (!c.hasBias()) return "a layer without bias";
        return Dnnl.UNAVAILABLE;
    }

    /** The geometry of one convolution: sizes, kernel, strides, paddings (oneDNN's terms: src -> dst). */
    record Geometry(long n, long inC, long inH, long inW, long outC, long outH, long outW, long[] kernel, long[] strides,
                    long[] padL, long[] padR) {
        long[] src() { return new long[] {n, inC, inH, inW}; }
        long[] dst() { return new long[] {n, outC, outH, outW}; }
        String key() {
            return Arrays.toString(src()) + Arrays.toString(dst()) + Arrays.toString(kernel) + Arrays.toString(strides)
                    + Arrays.toString(padL) + Arrays.toString(padR);
        }
    }

    Geometry geometry(ConvolutionLayer c, INDArray in) {
        int[] k = c.getKernelSize(), s = c.getStride(), p = c.getPadding(), d = c.getDilation();
        long inH = in.size(2), inW = in.size(3);
        if (transposed) {
            // stride 1 (checked by Deconvolution2DLayer.whyNot): Same keeps the size, Truncate grows it by k - 1 - 2p
            boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
            long[] pl = same ? new long[] {(k[0] - 1) / 2, (k[1] - 1) / 2} : new long[] {p[0], p[1]};
            long[] pr = same ? new long[] {k[0] - 1 - pl[0], k[1] - 1 - pl[1]} : new long[] {p[0], p[1]};
            long outH = inH - 1 + k[0] - pl[0] - pr[0], outW = inW - 1 + k[1] - pl[1] - pr[1];
            return new Geometry(in.size(0), in.size(1), inH, inW, c.getNOut(), outH, outW, new long[] {k[0], k[1]},
                    new long[] {1, 1}, pl, pr);
        }
        int[] out = ConvolutionUtils.getOutputSize(in, k, s, p, c.getConvolutionMode(), d, CNN2DFormat.NCHW);
        long[][] pads = padding(c.getConvolutionMode(), in, out, k, s, p, d);
        long[] padL = pads[0], padR = pads[1];
        return new Geometry(in.size(0), in.size(1), inH, inW, c.getNOut(), out[0], out[1], new long[] {k[0], k[1]},
                new long[] {s[0], s[1]}, padL, padR);
    }

    /**
     * The padding {top, left} and {bottom, right} of a window sliding over an NCHW input with DL4J's convolution mode
     * (convolutions and pooling alike): {@code Same} as DL4J computes it; {@code Truncate} and {@code Strict} with the
     * configured padding in front and whatever rows and columns do not fill a last window left out at the end.
     */
    static long[][] padding(ConvolutionMode mode, INDArray in, int[] out, int[] k, int[] s, int[] p, int[] d) {
        long inH = in.size(2), inW = in.size(3);
        if (mode == ConvolutionMode.Same) {
            int[] inHw = {(int) inH, (int) inW};
            int[] tl = ConvolutionUtils.getSameModeTopLeftPadding(out, inHw, k, s, d);
            int[] br = ConvolutionUtils.getSameModeBottomRightPadding(out, inHw, k, s, d);
            return new long[][] {{tl[0], tl[1]}, {br[0], br[1]}};
        }
        return new long[][] {{p[0], p[1]}, {(out[0] - 1L) * s[0] + k[0] - inH - p[0], (out[1] - 1L) * s[1] + k[1] - inW - p[1]}};
    }

    /**
     * DL4J's weight array as oneDNN's weights: a convolution's [O, I, kH, kW] as it is; a transposed convolution's
     * [nIn, nOut, kH, kW] seen as oneDNN's deconvolution weights [O = nOut, I = nIn, kH, kW] (strides swapped, no copy).
     */
    dnnl_memory_desc_t weightsMd(INDArray w) {
        if (!transposed) return Dnnl.mdOf(w);
        long[] sh = w.shape(), st = w.stride();
        return Dnnl.md(new long[] {sh[1], sh[0], sh[2], sh[3]}, new long[] {st[1], st[0], st[2], st[3]});
    }

    long[] oihw(INDArray w) {
        long[] sh = w.shape();
        return transposed ? new long[] {sh[1], sh[0], sh[2], sh[3]} : sh;
    }

    String name() {
        return transposed ? "deconvolution" : "convolution";
    }

    /**
     * The cached primitives of one geometry, activation and pass (training or inference).
     *
     * <p>A transposed convolution runs as ordinary convolutions, whose oneDNN 2.5 kernels (brgconv) are several times
     * faster than its deconvolution forward kernels on channels-last data (jit:avx512_common, 32 ms against ~3 for chapter
     * 4's 32 -> 16 channel layer at 28 x 28, batch 64): forward, a convolution with the kernel turned by 180 degrees
     * and its channels swapped ({@link #flip}) and the complementary padding; input gradient, a convolution with
     * DL4J's weights [nIn, nOut, kH, kW] read as they lie (as [O, I, kH, kW]); weight gradient, oneDNN's
     * deconvolution backward-weights primitive, which writes DL4J's layout.
     */
    private final class Primitives {
        final Dnnl.Primitive forward, backwardData, backwardWeights, activationBackward, weightGradientBack;
        final Dnnl.Weights forwardWeights, backwardDataWeights;

        Primitives(Geometry g, INDArray w, INDArray wGrad, int alg, boolean training) {
            LongPointer strides = new LongPointer(g.strides()), padL = new LongPointer(g.padL()), padR = new LongPointer(g.padR());
            dnnl_memory_desc_t src = Dnnl.md(g.src(), Dnnl.nhwcStrides(g.src()));
            dnnl_memory_desc_t dst = Dnnl.md(g.dst(), Dnnl.nhwcStrides(g.dst()));
            dnnl_memory_desc_t bias = Dnnl.md(new long[] {g.outC()}, dnnl_a);
            int prop = training ? dnnl_forward_training : dnnl_forward_inference;
            long[] k = g.kernel();
            // forward: conv(src; [outC, inC, kH, kW]) + bias, activation fused
            dnnl_memory_desc_t anyFw = Dnnl.md(new long[] {g.outC(), g.inC(), k[0], k[1]}, dnnl_format_tag_any);
            dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
            LongPointer fPadL = transposed ? new LongPointer(k[0] - 1 - g.padL()[0], k[1] - 1 - g.padL()[1]) : padL;
            LongPointer fPadR = transposed ? new LongPointer(k[0] - 1 - g.padR()[0], k[1] - 1 - g.padR()[1]) : padR;
            Dnnl.check(dnnl_convolution_forward_desc_init(fd, prop, dnnl_convolution_direct, src, anyFw, bias, dst, strides, fPadL, fPadR),
                    "describe the " + name());
            dnnl_primitive_attr attr = alg == -1 ? null : Dnnl.postOps(alg);
            dnnl_primitive_desc fpd = Dnnl.pd(fd, attr, null, name() + " forward");
            dnnl_memory_desc_t userFw = transposed ? Dnnl.md(new long[] {g.outC(), g.inC(), k[0], k[1]}, dnnl_oihw) : Dnnl.mdOf(w);
            forwardWeights = new Dnnl.Weights(userFw, Dnnl.queryMd(fpd, dnnl_query_weights_md));
            forward = new Dnnl.Primitive(name() + " forward", fpd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                    new dnnl_memory_desc_t[] {src, forwardWeights.wanted, bias, dst});
            if (forwardWeights.memory != null) forward.own(1, forwardWeights.memory);
            if (!training) {
                backwardData = backwardWeights = activationBackward = weightGradientBack = null;
                backwardDataWeights = null;
                return;
            }
            // the activation's gradient, from the forward output
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
            // weight and bias gradient in DL4J's layout (a blocked gradient is reordered into DL4J's view after it)
            dnnl_memory_desc_t anyW = Dnnl.md(oihw(w), dnnl_format_tag_any);
            dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
            Dnnl.check(transposed
                    ? dnnl_deconvolution_backward_weights_desc_init(wd, dnnl_deconvolution_direct, src, anyW, bias, dst, strides, padL, padR)
                    : dnnl_convolution_backward_weights_desc_init(wd, dnnl_convolution_direct, src, anyW, bias, dst, strides, padL, padR),
                    "describe the " + name() + " weight gradient");
            dnnl_primitive_desc hint = fpd;
            if (transposed) {   // the weight gradient's hint: a deconvolution forward of the same geometry
                dnnl_convolution_desc_t dfd = new dnnl_convolution_desc_t();
                Dnnl.check(dnnl_deconvolution_forward_desc_init(dfd, dnnl_forward_training, dnnl_deconvolution_direct, src, anyW, bias, dst,
                        strides, padL, padR), "describe the " + name());
                hint = Dnnl.pd(dfd, null, null, name() + " (hint)");
            }
            dnnl_primitive_desc wpd = Dnnl.pd(wd, null, hint, name() + " weight gradient");
            dnnl_memory_desc_t diffW = Dnnl.queryMd(wpd, dnnl_query_diff_weights_md);
            dnnl_memory_desc_t userDiffW = weightsMd(wGrad);
            backwardWeights = new Dnnl.Primitive(name() + " backward weights", wpd,
                    new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
                    new dnnl_memory_desc_t[] {src, dst, diffW, bias});
            if (Dnnl.equal(diffW, userDiffW)) {
                weightGradientBack = null;
            } else {
                weightGradientBack = Dnnl.Primitive.reorder(diffW, userDiffW);
                weightGradientBack.own(0, backwardWeights.own(2, Dnnl.owned(diffW)));
            }
            // input gradient
            if (transposed) {   // a convolution of the output gradient with DL4J's [nIn, nOut, kH, kW] as it lies
                dnnl_memory_desc_t anyB = Dnnl.md(new long[] {g.inC(), g.outC(), k[0], k[1]}, dnnl_format_tag_any);
                dnnl_convolution_desc_t bd = new dnnl_convolution_desc_t();
                Dnnl.check(dnnl_convolution_forward_desc_init(bd, dnnl_forward_inference, dnnl_convolution_direct, dst, anyB, null, src,
                        strides, padL, padR), "describe the " + name() + " input gradient");
                dnnl_primitive_desc dpd = Dnnl.pd(bd, null, null, name() + " input gradient");
                backwardDataWeights = new Dnnl.Weights(Dnnl.mdOf(w), Dnnl.queryMd(dpd, dnnl_query_weights_md));
                backwardData = new Dnnl.Primitive(name() + " backward data", dpd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                        new dnnl_memory_desc_t[] {dst, backwardDataWeights.wanted, src});
            } else {
                dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
                Dnnl.check(dnnl_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, src, anyW, dst, strides, padL, padR),
                        "describe the " + name() + " input gradient");
                dnnl_primitive_desc dpd = Dnnl.pd(dd, null, fpd, name() + " input gradient");
                backwardDataWeights = new Dnnl.Weights(weightsMd(w), Dnnl.queryMd(dpd, dnnl_query_weights_md));
                backwardData = new Dnnl.Primitive(name() + " backward data", dpd, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                        new dnnl_memory_desc_t[] {dst, backwardDataWeights.wanted, src});
            }
            if (backwardDataWeights.memory != null) backwardData.own(1, backwardDataWeights.memory);
        }
    }

    /** The turned weights of a transposed convolution, refreshed from DL4J's before each forward pass. */
    private INDArray flipped;
    private float[] flipFrom, flipTo;

    /**
     * A transposed convolution's weights as the equivalent convolution's: DL4J's W [nIn, nOut, kH, kW] into
     * [nOut, nIn, kH, kW], each kernel turned by 180 degrees (a few thousand numbers, copied in Java).
     */
    INDArray flip(INDArray w) {
        long nIn = w.size(0), nOut = w.size(1), kH = w.size(2), kW = w.size(3);
        int n = (int) w.length();
        if (flipped == null || flipped.length() != n) {
            try (var ignored = org.nd4j.linalg.factory.Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                flipped = org.nd4j.linalg.factory.Nd4j.createUninitialized(DataType.FLOAT, new long[] {nOut, nIn, kH, kW}, 'c');
            }
            flipFrom = new float[n];
            flipTo = new float[n];
        }
        INDArray wc = Dnnl.isNchw(w) ? w : w.dup('c');
        Dnnl.floats(wc).get(flipFrom);
        int k = (int) (kH * kW);
        for (int i = 0; i < nIn; i++) {
            for (int o = 0; o < nOut; o++) {
                int from = (int) ((i * nOut + o) * k), to = (int) ((o * nIn + i) * k);
                for (int j = 0; j < k; j++) flipTo[to + j] = flipFrom[from + k - 1 - j];
            }
        }
        Dnnl.floats(flipped).put(flipTo);
        return flipped;
    }

    private Primitives primitives(Geometry g, INDArray w, INDArray wGrad, int alg, boolean training) {
        String key = name() + " " + g.key() + " w" + Dnnl.layout(w) + " g" + (wGrad == null ? "-" : Dnnl.layout(wGrad)) + " act" + alg
                + (training ? " training" : " inference");
        // per layer, not shared: the primitives hold this layer's weights in oneDNN's layout between calls
        return cache.computeIfAbsent(key, k -> new Primitives(g, w, wGrad == null ? w : wGrad, alg, training));
    }

    private final java.util.Map<String, Primitives> cache = new java.util.HashMap<>();

    /** The forward pass: activation(conv(input, w) + b), a new channels-last array in the ACTIVATIONS workspace. */
    INDArray forward(ConvolutionLayer conf, INDArray input, INDArray w, INDArray b, INDArray wGradView, boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = Dnnl.asNhwc(input, mgr, ArrayType.FF_WORKING_MEM);
        Geometry g = geometry(conf, x);
        Primitives p = primitives(g, w, wGradView, activation(conf.getActivationFn()), training);
        INDArray out = Dnnl.nhwc(mgr, ArrayType.ACTIVATIONS, g.dst());
        p.forward.exec(x, p.forwardWeights.from(transposed ? flip(w) : w), b, out);
        if (training) {
            forwardInput = input;
            forwardOutput = out;
        } else {
            forwardInput = forwardOutput = null;
        }
        return out;
    }

    /** Whether the last training forward pass of this very input is still in memory. */
    boolean hasForward(INDArray input) {
        return forwardInput == input && forwardOutput != null && forwardOutput.isInScope();
    }

    /**
     * The backward pass: weight and bias gradients written into DL4J's gradient views; returns the input gradient (a
     * new channels-last array in the ACTIVATION_GRAD workspace), or null when {@code inputGradient} is false. The
     * forward pass of this input must have run ({@link #hasForward}).
     */
    INDArray backward(ConvolutionLayer conf, INDArray input, INDArray epsilon, INDArray w, INDArray wView, INDArray bView,
            boolean inputGradient, LayerWorkspaceMgr mgr) {
        INDArray out = forwardOutput;
        INDArray x = Dnnl.asNhwc(input, mgr, ArrayType.BP_WORKING_MEM);
        Geometry g = geometry(conf, x);
        Primitives p = primitives(g, w, wView, activation(conf.getActivationFn()), true);
        INDArray eps = Dnnl.asNhwc(epsilon.castTo(DataType.FLOAT), mgr, ArrayType.BP_WORKING_MEM);
        INDArray delta = eps;
        if (p.activationBackward != null) {
            delta = Dnnl.nhwc(mgr, ArrayType.BP_WORKING_MEM, g.dst());
            p.activationBackward.exec(out, eps, delta);
        }
        if (p.weightGradientBack == null) {
            p.backwardWeights.exec(x, delta, wView, bView);
        } else {
            p.backwardWeights.exec(x, delta, null, bView);
            p.weightGradientBack.exec(null, wView);
        }
        INDArray epsNext = null;
        if (inputGradient) {
            epsNext = Dnnl.nhwc(mgr, ArrayType.ACTIVATION_GRAD, g.src());
            p.backwardData.exec(delta, p.backwardDataWeights.from(w), epsNext); // (transposed: src, weights, dst)
        }
        forwardInput = forwardOutput = null;
        return epsNext;
    }

    void clear() {
        forwardInput = forwardOutput = null;
    }

    /**
     * True for the first layer of a MultiLayerNetwork computing the gradient for fit or score: DL4J throws that layer's
     * input gradient away (MultiLayerNetwork.computeGradientAndScore calls calcBackpropGradients with
     * returnInputActGrad false), so it is not computed. Every other caller of backpropGradient
     * (MultiLayerNetwork.calculateGradients or backpropGradient, a ComputationGraph) gets it.
     */
    static boolean inputGradientUnused(int layerIndex) {
        if (layerIndex != 0) return false;
        return StackWalker.getInstance().walk(frames -> frames.limit(16).anyMatch(f ->
                f.getClassName().equals(MultiLayerNetwork.class.getName()) && f.getMethodName().equals("computeGradientAndScore")));
    }
}
