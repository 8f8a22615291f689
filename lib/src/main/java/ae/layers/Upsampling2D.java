package ae.layers;

import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's upsampling layer at work ({@code org.deeplearning4j.nn.layers.convolution.upsampling.Upsampling2D}: each pixel
 * repeated sH × sW times) computed by oneDNN reorders into and out of strided views ({@link Primitives}), forward and
 * backward (the gradient sums each block), on channels-last activations: same configuration and results. Named as the
 * stock class, so that {@code net.summary()} lists "Upsampling2D".
 */
final class Upsampling2D extends org.deeplearning4j.nn.layers.convolution.upsampling.Upsampling2D {

    /** Why it cannot stand in for a stock layer of this configuration, or null when it can: NCHW, no dropout, oneDNN here. */
    static String whyNot(org.deeplearning4j.nn.conf.layers.Upsampling2D conf) {
        if (conf.getFormat() != CNN2DFormat.NCHW) return "data format " + conf.getFormat() + " (NCHW only)";
        if (conf.getIDropout() != null) return "dropout";
        return Dnnl.UNAVAILABLE;
    }

    /**
     * Nearest-neighbour upsampling by (sH, sW) as oneDNN reorders over channels-last memory seen as
     * [N, H, sH, W, sW, C]. Forward: one reorder from the input with zero strides along sH and sW (each pixel read
     * sH * sW times) into the output. Backward: the input gradient is the sum of the output gradient's sH * sW strided
     * views [N, H, W, C] at (i, j); one reorder each, the first a copy, the others adding (a sum post-op).
     * oneDNN 2.5.2's own resampling primitive is no use here: its JIT kernels crash (SIGSEGV) from about
     * 64 x 16 x 14 x 14 channels-last inputs on, at every ISA level, and its plain C++ one ("simple") took 4.8 ms for a
     * 256 x 16 x 14 x 14 input where the reorder takes 0.8.
     */
    private static final class Primitives {
        final Dnnl.Primitive forward;
        final Dnnl.Primitive[] backward;
        final long[] offsets;   // of each view in the output, in elements

        Primitives(long[] src, int sH, int sW) {
            long n = src[0], c = src[1], h = src[2], w = src[3];
            long[] blocks = {n, h, sH, w, sW, c};
            long[] dense = {h * sH * w * sW * c, sH * w * sW * c, w * sW * c, sW * c, c, 1};
            forward = Dnnl.Primitive.reorder(Dnnl.md(blocks, new long[] {h * w * c, w * c, 0, c, 0, 1}), Dnnl.md(blocks, dense),
                    false, "upsampling forward");
            long[] nhwc = {n, h, w, c};
            var in = Dnnl.md(nhwc, new long[] {h * w * c, w * c, c, 1});
            var view = Dnnl.md(nhwc, new long[] {dense[0], dense[1], dense[3], 1});
            backward = new Dnnl.Primitive[sH * sW];
            offsets = new long[sH * sW];
            for (int i = 0; i < sH; i++) {
                for (int j = 0; j < sW; j++) {
                    int k = i * sW + j;
                    offsets[k] = i * dense[2] + j * dense[4];
                    backward[k] = Dnnl.Primitive.reorder(view, in, k > 0, "upsampling backward");
                }
            }
        }
    }

    Upsampling2D(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        Dnnl.requireFloatNetwork(dataType);
    }

    /** oneDNN computes images ([N, C, H, W]); anything else goes to the stock code, which says what is wrong with it. */
    private boolean nativePath() {
        return input.rank() == 4;
    }

    private Primitives primitives(long[] src) {
        int[] size = getSize();
        long[] dst = {src[0], src[1], src[2] * size[0], src[3] * size[1]};
        return Dnnl.cached("upsampling " + Arrays.toString(src) + Arrays.toString(dst), () -> new Primitives(src, size[0], size[1]));
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!nativePath()) return super.activate(training, workspaceMgr);
        INDArray x = Dnnl.asNhwc(input.castTo(DataType.FLOAT), workspaceMgr, ArrayType.FF_WORKING_MEM);
        int[] size = getSize();
        INDArray out = Dnnl.nhwc(workspaceMgr, ArrayType.ACTIVATIONS, new long[] {x.size(0), x.size(1), x.size(2) * size[0], x.size(3) * size[1]});
        primitives(x.shape()).forward.exec(x, out);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!nativePath()) return super.backpropGradient(epsilon, workspaceMgr);
        INDArray eps = Dnnl.asNhwc(epsilon.castTo(DataType.FLOAT), workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray epsNext = Dnnl.nhwc(workspaceMgr, ArrayType.ACTIVATION_GRAD, input.shape());
        Primitives p = primitives(input.shape());
        long at = Dnnl.address(eps);
        for (int k = 0; k < p.backward.length; k++) p.backward[k].exec(at + 4 * p.offsets[k], epsNext);
        java.lang.ref.Reference.reachabilityFence(eps);
        return new Pair<>(new DefaultGradient(), epsNext);
    }
}
