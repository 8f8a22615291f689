package ae.layers;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.lang.reflect.Field;
import java.util.Arrays;
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
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's batch normalization with its forward and backward pass computed by oneDNN's batch normalization (one
 * primitive each way instead of a dozen separate array operations), on convolutional activations (channels-last) and on
 * dense ones ([batch, features], which the stock layer hands over as [batch, features, 1, 1]). It plugs into the stock
 * layer through DL4J's own {@link BatchNormalizationHelper} hook: {@link #layer} is the stock layer ({@code
 * net.summary()} lists "BatchNormalization") with this helper inside. The stock layer keeps everything else:
 * configuration, parameters, and the running mean and variance, which it updates from this helper's batch statistics
 * exactly as from its own (in DL4J's stored form, log10 of the standard deviation by default).
 */
final class DnnlBatchNormalization implements BatchNormalizationHelper {

    /**
     * Why it cannot compute a stock layer of this configuration, or null when it can: NCHW, learned (not locked) gamma
     * and beta, no dropout, and oneDNN's natives on this machine.
     */
    static String whyNot(BatchNormalization conf) {
        if (conf.getCnn2DFormat() != CNN2DFormat.NCHW) return "data format " + conf.getCnn2DFormat() + " (NCHW only)";
        if (conf.isLockGammaBeta()) return "locked gamma and beta";
        if (conf.getIDropout() != null) return "dropout";
        return Dnnl.UNAVAILABLE;
    }

    /** The stock layer at work, with this helper installed. */
    static org.deeplearning4j.nn.layers.normalization.BatchNormalization layer(NeuralNetConfiguration conf, DataType dataType) {
        var layer = new org.deeplearning4j.nn.layers.normalization.BatchNormalization(conf, dataType);
        try {
            Field helper = org.deeplearning4j.nn.layers.normalization.BatchNormalization.class.getDeclaredField("helper");
            helper.setAccessible(true);
            helper.set(layer, new DnnlBatchNormalization());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this DL4J version's BatchNormalization has no helper hook: " + e, e);
        }
        return layer;
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
            // oneDNN 2.5's backward pass wants the shift among its arguments, although it does not read it
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

    /** The last training batch's mean and (biased) variance: for the backward pass and the stock layer's running statistics. */
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

    /** What oneDNN computes here: float activations (dense ones come as [batch, features, 1, 1]); else the stock code. */
    private static boolean supported(INDArray x, INDArray gamma, CNN2DFormat format) {
        return x.rank() == 4 && x.dataType() == DataType.FLOAT && format == CNN2DFormat.NCHW && gamma != null
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
        INDArray dGamma = dGammaView.reshape(dGammaView.length()), dBeta = dBetaView.reshape(dBetaView.length());
        if (dGamma.elementWiseStride() != 1 || dBeta.elementWiseStride() != 1) return null;
        INDArray in = Dnnl.asNhwc(input, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray e = Dnnl.asNhwc(epsilon.castTo(DataType.FLOAT), workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray gradIn = Dnnl.nhwc(workspaceMgr, ArrayType.ACTIVATION_GRAD, in.shape());
        primitives(in.shape(), eps, true).backward.exec(in, batchMean, batchVar, e, vector(gamma), vector(beta), gradIn, dGamma, dBeta);
        Gradient g = new DefaultGradient();
        g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(g, gradIn);
    }
}
