package ae.layers;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import java.util.Collection;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_resampling_desc_t;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link Upsampling2D} (each pixel repeated size × size times) computed by oneDNN's nearest-neighbour
 * {@code resampling} primitive, forward and backward (the gradient sums each block), on channels-last activations:
 * same configuration and results. Supported: NCHW; float on oneDNN, other data types on DL4J's stock code.
 */
public class DnnlUpsampling2D extends Upsampling2D {

    /** For JSON deserialization (loading saved models). */
    protected DnnlUpsampling2D() {}

    /** Why this implementation cannot stand in for the given stock layer, or null when it can. */
    public static String supports(Upsampling2D stock) {
        if (stock.getFormat() != CNN2DFormat.NCHW) return "data format " + stock.getFormat() + " (NCHW only)";
        if (stock.getIDropout() != null) return "dropout";
        return Dnnl.UNAVAILABLE;
    }

    /** The stock layer's configuration in this implementation (same settings and results). */
    public static DnnlUpsampling2D from(Upsampling2D stock) {
        if (stock.getClass() != Upsampling2D.class && !(stock instanceof DnnlUpsampling2D)) {
            throw new IllegalArgumentException("DnnlUpsampling2D replaces Upsampling2D only, not " + stock.getClass().getSimpleName());
        }
        String why = supports(stock);
        if (why != null) throw new IllegalArgumentException("DnnlUpsampling2D does not support " + why + "; use Upsampling2D");
        return Confs.copy(stock, new DnnlUpsampling2D());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return Confs.wire(new Impl(conf, networkDataType), initializer(), conf, listeners, layerIndex, layerParamsView, initializeParams);
    }

    /** The cached primitives of one shape. */
    private static final class Primitives {
        final Dnnl.Primitive forward, backward;

        Primitives(long[] src, long[] dst) {
            dnnl_memory_desc_t srcMd = Dnnl.md(src, Dnnl.nhwcStrides(src)), dstMd = Dnnl.md(dst, Dnnl.nhwcStrides(dst));
            dnnl_resampling_desc_t fd = new dnnl_resampling_desc_t(), bd = new dnnl_resampling_desc_t();
            Dnnl.check(dnnl_resampling_forward_desc_init(fd, dnnl_forward_training, dnnl_resampling_nearest, (FloatPointer) null, srcMd, dstMd),
                    "describe the upsampling");
            dnnl_primitive_desc fpd = Dnnl.pd(fd, null, null, "upsampling");
            forward = new Dnnl.Primitive("upsampling forward", fpd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DST}, new dnnl_memory_desc_t[] {srcMd, dstMd});
            Dnnl.check(dnnl_resampling_backward_desc_init(bd, dnnl_resampling_nearest, (FloatPointer) null, srcMd, dstMd),
                    "describe the upsampling gradient");
            backward = new Dnnl.Primitive("upsampling backward", Dnnl.pd(bd, null, fpd, "upsampling gradient"),
                    new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC}, new dnnl_memory_desc_t[] {dstMd, srcMd});
        }
    }

    /** The layer at work: oneDNN for float data, DL4J's stock code otherwise. */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.upsampling.Upsampling2D {

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        private boolean nativePath() {
            return Dnnl.available() && dataType == DataType.FLOAT && input.rank() == 4;
        }

        private Primitives primitives(long[] src) {
            int[] size = getSize();
            long[] dst = {src[0], src[1], src[2] * size[0], src[3] * size[1]};
            return Dnnl.cached("upsampling " + Arrays.toString(src) + Arrays.toString(dst), () -> new Primitives(src, dst));
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
            primitives(input.shape()).backward.exec(eps, epsNext);
            return new Pair<>(new DefaultGradient(), epsNext);
        }
    }
}
