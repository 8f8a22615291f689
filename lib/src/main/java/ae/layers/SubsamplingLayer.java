package ae.layers;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.LongPointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's max-pooling layer at work ({@code org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer})
 * computed by oneDNN's pooling primitive: same configuration and results. The forward pass of training keeps oneDNN's
 * workspace (where each maximum was), so the backward pass routes the gradient without running the pooling again (DL4J's
 * stock layer does). Channels-last in and out. Named as the stock class, so that {@code net.summary()} lists
 * "SubsamplingLayer".
 */
final class SubsamplingLayer extends org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer {

    /**
     * Why it cannot stand in for a stock layer of this configuration, or null when it can: max pooling, NCHW, dilation
     * 1, {@code Same}, {@code Truncate} or {@code Strict} mode, no dropout, and oneDNN's natives on this machine.
     */
    static String whyNot(org.deeplearning4j.nn.conf.layers.SubsamplingLayer conf) {
        if (conf.getPoolingType() != org.deeplearning4j.nn.conf.layers.PoolingType.MAX) return "pooling type " + conf.getPoolingType() + " (MAX only)";
        if (conf.getCnn2dDataFormat() != CNN2DFormat.NCHW) return "data format " + conf.getCnn2dDataFormat() + " (NCHW only)";
        if (conf.getDilation()[0] != 1 || conf.getDilation()[1] != 1) return "dilation " + Arrays.toString(conf.getDilation());
        if (conf.getConvolutionMode() == ConvolutionMode.Causal) return "convolution mode Causal";
        if (conf.getIDropout() != null) return "dropout";
        return Dnnl.UNAVAILABLE;
    }

    /** The cached primitives of one geometry. */
    private static final class Primitives {
        final Dnnl.Primitive forward, backward;
        final long workspaceBytes;
        final long[] dst;

        Primitives(long[] src, long[] dst, long[] k, long[] s, long[] padL, long[] padR, boolean training) {
            this.dst = dst;
            dnnl_memory_desc_t srcMd = Dnnl.md(src, Dnnl.nhwcStrides(src)), dstMd = Dnnl.md(dst, Dnnl.nhwcStrides(dst));
            dnnl_pooling_desc_t fd = new dnnl_pooling_desc_t();
            Dnnl.check(dnnl_pooling_forward_desc_init(fd, training ? dnnl_forward_training : dnnl_forward_inference, dnnl_pooling_max,
                    srcMd, dstMd, new LongPointer(s), new LongPointer(k), new LongPointer(padL), new LongPointer(padR)), "describe the pooling");
            dnnl_primitive_desc fpd = Dnnl.pd(fd, null, null, "pooling");
            if (!training) {
                forward = new Dnnl.Primitive("pooling forward", fpd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DST}, new dnnl_memory_desc_t[] {srcMd, dstMd});
                backward = null;
                workspaceBytes = 0;
                return;
            }
            dnnl_memory_desc_t ws = Dnnl.queryMd(fpd, dnnl_query_workspace_md);
            workspaceBytes = dnnl_memory_desc_get_size(ws);
            forward = new Dnnl.Primitive("pooling forward", fpd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DST, DNNL_ARG_WORKSPACE},
                    new dnnl_memory_desc_t[] {srcMd, dstMd, ws});
            dnnl_pooling_desc_t bd = new dnnl_pooling_desc_t();
            Dnnl.check(dnnl_pooling_backward_desc_init(bd, dnnl_pooling_max, srcMd, dstMd, new LongPointer(s), new LongPointer(k),
                    new LongPointer(padL), new LongPointer(padR)), "describe the pooling gradient");
            backward = new Dnnl.Primitive("pooling backward", Dnnl.pd(bd, null, fpd, "pooling gradient"),
                    new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WORKSPACE, DNNL_ARG_DIFF_SRC}, new dnnl_memory_desc_t[] {dstMd, ws, srcMd});
        }
    }

    private INDArray forwardInput, forwardOutput, workspace;

    SubsamplingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        Dnnl.requireFloatNetwork(dataType);
    }

    /** oneDNN computes images ([N, C, H, W]); anything else goes to the stock code, which says what is wrong with it. */
    private boolean nativePath() {
        return input.rank() == 4;
    }

    private Primitives primitives(INDArray x, boolean training) {
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer c = layerConf();
        int[] k = c.getKernelSize(), s = c.getStride(), p = c.getPadding(), d = c.getDilation();
        int[] out = ConvolutionUtils.getOutputSize(x, k, s, p, c.getConvolutionMode(), d, CNN2DFormat.NCHW);
        long[][] pads = ConvCore.padding(c.getConvolutionMode(), x, out, k, s, p, d);
        long[] src = x.shape(), dst = {src[0], src[1], out[0], out[1]};
        long[] kk = {k[0], k[1]}, ss = {s[0], s[1]}, pl = pads[0], pr = pads[1];
        String key = "pooling " + Arrays.toString(src) + Arrays.toString(dst) + Arrays.toString(kk) + Arrays.toString(ss)
                + Arrays.toString(pl) + Arrays.toString(pr) + training;
        return Dnnl.cached(key, () -> new Primitives(src, dst, kk, ss, pl, pr, training));
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!nativePath()) return super.activate(training, workspaceMgr);
        INDArray x = Dnnl.asNhwc(input.castTo(DataType.FLOAT), workspaceMgr, ArrayType.FF_WORKING_MEM);
        Primitives p = primitives(x, training);
        INDArray out = Dnnl.nhwc(workspaceMgr, ArrayType.ACTIVATIONS, p.dst);
        if (training) {
            workspace = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.UBYTE, new long[] {p.workspaceBytes}, 'c');
            p.forward.exec(x, out, workspace);
            forwardInput = input;
            forwardOutput = out;
        } else {
            p.forward.exec(x, out);
            forwardInput = forwardOutput = workspace = null;
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!nativePath()) return super.backpropGradient(epsilon, workspaceMgr);
        if (forwardInput != input || forwardOutput == null || !workspace.isInScope()) activate(true, workspaceMgr);
        Primitives p = primitives(input, true);
        INDArray eps = Dnnl.asNhwc(epsilon.castTo(DataType.FLOAT), workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray epsNext = Dnnl.nhwc(workspaceMgr, ArrayType.ACTIVATION_GRAD, input.shape());
        p.backward.exec(eps, workspace, epsNext);
        forwardInput = forwardOutput = workspace = null;
        return new Pair<>(new DefaultGradient(), epsNext);
    }

    @Override
    public void clear() {
        super.clear();
        forwardInput = forwardOutput = workspace = null;
    }
}
