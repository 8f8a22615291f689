package ae.layers;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_batch_normalization_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's {@link BatchNormalization} with its forward and backward pass computed by oneDNN's batch normalization (one
 * primitive each way instead of libnd4j's op plus its extra passes), on convolutional activations (channels-last) and
 * on dense ones ([batch, features], seen by oneDNN as [batch, features, 1, 1]). The stock layer keeps everything else:
 * configuration, parameters, and the running mean and variance, which it updates from this helper's batch statistics
 * exactly as from its own (in DL4J's stored form, log10 of the standard deviation by default). It plugs in through
 * DL4J's own {@link BatchNormalizationHelper} hook. Supported: NCHW, learned gamma and beta (not locked); float on
 * oneDNN, other data types on the stock code.
 */
public class DnnlBatchNormalization extends BatchNormalization {

    /** For JSON deserialization (loading saved models). */
    public DnnlBatchNormalization() {}

    /** Why this implementation cannot stand in for the given stock layer, or null when it can. */
    public static String supports(BatchNormalization stock) {
        if (stock.getCnn2DFormat() != CNN2DFormat.NCHW) return "data format " + stock.getCnn2DFormat() + " (NCHW only)";
        if (stock.isLockGammaBeta()) return "locked gamma and beta";
        if (stock.getIDropout() != null) return "dropout";
        return Dnnl.UNAVAILABLE;
    }

    /** The stock layer's configuration in this implementation (same settings, parameters and results). */
    public static DnnlBatchNormalization from(BatchNormalization stock) {
        if (stock.getClass() != BatchNormalization.class && !(stock instanceof DnnlBatchNormalization)) {
            throw new IllegalArgumentException("DnnlBatchNormalization replaces BatchNormalization only, not " + stock.getClass().getSimpleName());
        }
        String why = supports(stock);
        if (why != null) throw new IllegalArgumentException("DnnlBatchNormalization does not support " + why + "; use BatchNormalization");
        return Confs.copy(stock, new DnnlBatchNormalization());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return Confs.wire(new Impl(conf, networkDataType), initializer(), conf, listeners, layerIndex, layerParamsView, initializeParams);
    }

    /** The stock layer with the oneDNN helper installed. */
    public static class Impl extends org.deeplearning4j.nn.layers.normalization.BatchNormalization {
        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            try {
                Field helper = org.deeplearning4j.nn.layers.normalization.BatchNormalization.class.getDeclaredField("helper");
                helper.setAccessible(true);
                helper.set(this, new Helper());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("this DL4J version's BatchNormalization has no helper hook: " + e, e);
            }
        }
    }

    /** The cached primitives of one shape and epsilon. */
    private static final class Primitives {
        final Dnnl.Primitive forward, backward;

        Primitives(long[] shape, float eps, boolean training) {
            dnnl_memory_desc_t data = Dnnl.md(shape, Dnnl.nhwcStrides(shape));
            dnnl_memory_desc_t stat = Dnnl.md(new long[] {shape[1]}, dnnl_a);
            int flags = dnnl_use_scale | dnnl_use_shift | (training ? 0 : dnnl_use_global_stats);
            dnnl_batch_normalization_desc_t fd = new dnnl_batch_normalization_desc_t();
            Dnnl.check(dnnl_batch_normalization_forward_desc_init(fd, training ? dnnl_forward_training : dnnl_forward_inference, data, eps, flags),
                    "describe the batch normalization");
            dnnl_primitive_desc fpd = Dnnl.pd(fd, null, null, "batch normalization");
            // training: mean and variance are outputs (the batch's); inference: inputs (the running ones)
            forward = new Dnnl.Primitive("batchnorm forward", fpd,
                    new int[] {DNNL_ARG_SRC, DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DST},
                    new dnnl_memory_desc_t[] {data, stat, stat, stat, stat, data});
            if (!training) {
                backward = null;
                return;
            }
            dnnl_batch_normalization_desc_t bd = new dnnl_batch_normalization_desc_t();
            Dnnl.check(dnnl_batch_normalization_backward_desc_init(bd, dnnl_backward, data, data, eps, dnnl_use_scale | dnnl_use_shift),
                    "describe the batch normalization gradient");
            backward = new Dnnl.Primitive("batchnorm backward", Dnnl.pd(bd, null, fpd, "batch normalization gradient"),
                    new int[] {DNNL_ARG_SRC, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DIFF_DST, DNNL_ARG_SCALE, DNNL_ARG_SHIFT,
                            DNNL_ARG_DIFF_SRC, DNNL_ARG_DIFF_SCALE, DNNL_ARG_DIFF_SHIFT},
                    new dnnl_memory_desc_t[] {data, stat, stat, data, stat, stat, data, stat, stat});
        }
    }

    private static Primitives primitives(long[] shape, double eps, boolean training) {
        return Dnnl.cached("batchnorm " + Arrays.toString(shape) + " eps " + eps + " " + training,
                () -> new Primitives(shape, (float) eps, training));
    }

    /**
     * The oneDNN forward and backward pass; the last training batch's mean and (biased) variance are kept for the
     * backward pass and for the stock layer's update of the running statistics.
     */
    static final class Helper implements BatchNormalizationHelper {
        private INDArray batchMean, batchVar;

        @Override
        public boolean checkSupported(double eps, boolean fixedGammaBeta) {
            return !fixedGammaBeta;
        }

        @Override
        public boolean checkSupported() {
            return true;
        }

        @Override
        public Map<String, Long> helperMemoryUse() {
            return Map.of();
        }

        @Override
        public INDArray getMeanCache(DataType dataType) {
            return batchMean;
        }

        @Override
        public INDArray getVarCache(DataType dataType) {
            return batchVar;
        }

        private static boolean supported(INDArray x, INDArray gamma, CNN2DFormat format) {
            return Dnnl.available() && x.rank() == 4 && x.dataType() == DataType.FLOAT && format == CNN2DFormat.NCHW && gamma != null
                    && gamma.dataType() == DataType.FLOAT;
        }

        /** A length-C contiguous view of a [1, C] or [C] parameter (or a contiguous copy). */
        private static INDArray vector(INDArray a) {
            INDArray v = a.reshape(a.length());
            return v.elementWiseStride() == 1 ? v : v.dup();
        }

        @Override
        public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta, INDArray mean,
                INDArray var, double decay, double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
            if (!supported(x, gamma, format)) return null; // the stock code takes over
            INDArray in = Dnnl.asNhwc(x, workspaceMgr, ArrayType.FF_WORKING_MEM);
            INDArray out = Dnnl.nhwc(workspaceMgr, ArrayType.ACTIVATIONS, in.shape());
            Primitives p = primitives(in.shape(), eps, training);
            if (training) {
                long c = in.size(1);
                if (batchMean == null || batchMean.length() != c) {
                    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                        batchMean = Nd4j.createUninitialized(DataType.FLOAT, c);
                        batchVar = Nd4j.createUninitialized(DataType.FLOAT, c);
                    }
                }
                p.forward.exec(in, vector(gamma), vector(beta), batchMean, batchVar, out);
            } else {
                p.forward.exec(in, vector(gamma), vector(beta), vector(mean.castTo(DataType.FLOAT)), vector(var.castTo(DataType.FLOAT)), out);
            }
            return out;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps, CNN2DFormat format,
                LayerWorkspaceMgr workspaceMgr) {
            if (!supported(input, gamma, format) || batchMean == null) return null;
            INDArray in = Dnnl.asNhwc(input, workspaceMgr, ArrayType.BP_WORKING_MEM);
            INDArray e = Dnnl.asNhwc(epsilon.castTo(DataType.FLOAT), workspaceMgr, ArrayType.BP_WORKING_MEM);
            INDArray gradIn = Dnnl.nhwc(workspaceMgr, ArrayType.ACTIVATION_GRAD, in.shape());
            INDArray dGamma = dGammaView.reshape(dGammaView.length()), dBeta = dBetaView.reshape(dBetaView.length());
            if (dGamma.elementWiseStride() != 1 || dBeta.elementWiseStride() != 1) return null;
            primitives(in.shape(), eps, true).backward.exec(in, batchMean, batchVar, e, vector(gamma), vector(beta), gradIn, dGamma, dBeta);
            Gradient g = new DefaultGradient();
            g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
            g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
            return new Pair<>(g, gradIn);
        }
    }
}
