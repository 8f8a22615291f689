package ae.layers;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import java.util.Collection;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.LongPointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's max-pooling {@link SubsamplingLayer} computed by oneDNN's pooling primitive: same configuration and results.
 * The forward pass of training keeps oneDNN's workspace (where each maximum was), so the backward pass routes the
 * gradient without running the pooling again (DL4J's stock layer does). Channels-last in and out. Supported: max
 * pooling, NCHW, dilation 1, {@code Same}, {@code Truncate} or {@code Strict} mode; float on oneDNN, other data types
 * on DL4J's stock code.
 */
public class DnnlSubsamplingLayer extends SubsamplingLayer {

    /** For JSON deserialization (loading saved models). */
    protected DnnlSubsamplingLayer() {}

    /** Why this implementation cannot stand in for the given stock layer, or null when it can. */
    public static String supports(SubsamplingLayer stock) {
        if (stock.getPoolingType() != org.deeplearning4j.nn.conf.layers.PoolingType.MAX) return "pooling type " + stock.getPoolingType() + " (MAX only)";
        if (stock.getCnn2dDataFormat() != CNN2DFormat.NCHW) return "data format " + stock.getCnn2dDataFormat() + " (NCHW only)";
        if (stock.getDilation()[0] != 1 || stock.getDilation()[1] != 1) return "dilation " + Arrays.toString(stock.getDilation());
        if (stock.getConvolutionMode() == ConvolutionMode.Causal) return "convolution mode Causal";
        if (stock.getIDropout() != null) return "dropout";
        return Dnnl.UNAVAILABLE;
    }

    /** The stock layer's configuration in this implementation (same settings and results). */
    public static DnnlSubsamplingLayer from(SubsamplingLayer stock) {
        if (stock.getClass() != SubsamplingLayer.class && !(stock instanceof DnnlSubsamplingLayer)) {
            throw new IllegalArgumentException("DnnlSubsamplingLayer replaces SubsamplingLayer only, not " + stock.getClass().getSimpleName());
        }
        String why = supports(stock);
        if (why != null) throw new IllegalArgumentException("DnnlSubsamplingLayer does not support " + why + "; use SubsamplingLayer");
        return Confs.copy(stock, new DnnlSubsamplingLayer());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return Confs.wire(new Impl(conf, networkDataType), initializer(), conf, listeners, layerIndex, layerParamsView, initializeParams);
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

    /** The layer at work: oneDNN for float data, DL4J's stock code otherwise. */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer {
        private INDArray forwardInput, forwardOutput, workspace;

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        private boolean nativePath() {
            return Dnnl.available() && dataType == DataType.FLOAT && input.rank() == 4;
        }

        private Primitives primitives(INDArray x, boolean training) {
            SubsamplingLayer c = layerConf();
            int[] k = c.getKernelSize(), s = c.getStride(), p = c.getPadding(), d = c.getDilation();
            int[] out = ConvolutionUtils.getOutputSize(x, k, s, p, c.getConvolutionMode(), d, CNN2DFormat.NCHW);
            long inH = x.size(2), inW = x.size(3);
            long[] padL = {p[0], p[1]}, padR;
            if (c.getConvolutionMode() == ConvolutionMode.Same) {
                int[] inHw = {(int) inH, (int) inW};
                int[] tl = ConvolutionUtils.getSameModeTopLeftPadding(out, inHw, k, s, d);
                int[] br = ConvolutionUtils.getSameModeBottomRightPadding(out, inHw, k, s, d);
                padL = new long[] {tl[0], tl[1]};
                padR = new long[] {br[0], br[1]};
            } else {
                padR = new long[] {(out[0] - 1L) * s[0] + k[0] - inH - p[0], (out[1] - 1L) * s[1] + k[1] - inW - p[1]};
            }
            long[] src = x.shape(), dst = {src[0], src[1], out[0], out[1]};
            long[] kk = {k[0], k[1]}, ss = {s[0], s[1]}, pl = padL, pr = padR;
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
}
