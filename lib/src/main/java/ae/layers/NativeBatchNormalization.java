package ae.layers;

import java.lang.reflect.Field;
import java.util.Map;
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
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's batch normalization (same configuration, parameters and results) for convolutional activations in NCHW
 * format, computed by libnd4j's native {@code batchnorm} / {@code batchnorm_bp} ops (oneDNN in float) instead of a
 * dozen separate Java-driven array operations per pass. It plugs into the stock layer through DL4J's own {@link
 * BatchNormalizationHelper} hook, the one DL4J's disabled oneDNN helper uses: {@link #layer} is the stock layer
 * ({@code net.summary()} lists "BatchNormalization") with this helper inside. Dense (rank-2) input and locked
 * gamma/beta fall back to the stock code, batch by batch.
 */
final class NativeBatchNormalization implements BatchNormalizationHelper {

    /** What it computes: NCHW activations (rank-2 input is handed back to the stock code as it comes). */
    static boolean supports(BatchNormalization conf) {
        return conf.getCnn2DFormat() == CNN2DFormat.NCHW;
    }

    /** The stock layer at work, with this helper installed. */
    static org.deeplearning4j.nn.layers.normalization.BatchNormalization layer(NeuralNetConfiguration conf, DataType dataType) {
        var layer = new org.deeplearning4j.nn.layers.normalization.BatchNormalization(conf, dataType);
        try {
            Field helper = org.deeplearning4j.nn.layers.normalization.BatchNormalization.class.getDeclaredField("helper");
            helper.setAccessible(true);
            helper.set(layer, new NativeBatchNormalization());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this DL4J version's BatchNormalization has no helper hook: " + e, e);
        }
        return layer;
    }

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
        return x.rank() == 4 && format == CNN2DFormat.NCHW && gamma != null;
    }

    @Override
    public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta, INDArray mean,
            INDArray var, double decay, double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (!supported(x, gamma, format)) return null; // the stock code takes over
        INDArray m, v;
        if (training) {
            if (batchMean == null || batchMean.length() != x.size(1) || batchMean.dataType() != x.dataType()) {
                try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    batchMean = Nd4j.createUninitialized(x.dataType(), x.size(1));
                    batchVar = Nd4j.createUninitialized(x.dataType(), x.size(1));
                }
            }
            x.mean(batchMean, 0, 2, 3);
            Nd4j.exec(new Variance(x, batchVar, false, 0, 2, 3));
            m = batchMean;
            v = batchVar;
        } else {
            m = mean.reshape(mean.length());
            v = var.reshape(var.length());
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        Nd4j.exec(DynamicCustomOp.builder("batchnorm")
                .addInputs(x, m, v, gamma.reshape(gamma.length()), beta.reshape(beta.length()))
                .addOutputs(out)
                .addIntegerArguments(1, 1, 1) // apply gamma, apply beta, channel axis 1 (NCHW)
                .addFloatingPointArguments(eps)
                .build());
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
            INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps, CNN2DFormat format,
            LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, gamma, format) || batchMean == null) return null;
        INDArray gradIn = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        INDArray gradMean = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, input.dataType(), batchMean.shape(), 'c');
        INDArray gradVar = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, input.dataType(), batchMean.shape(), 'c');
        Nd4j.exec(DynamicCustomOp.builder("batchnorm_bp")
                .addInputs(input, batchMean, batchVar, gamma.reshape(gamma.length()), beta.reshape(beta.length()),
                        org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(epsilon) ? epsilon : epsilon.dup('c'))
                .addOutputs(gradIn, gradMean, gradVar, dGammaView.reshape(dGammaView.length()), dBetaView.reshape(dBetaView.length()))
                .addIntegerArguments(1, 1, 1)
                .addFloatingPointArguments(eps)
                .build());
        Gradient g = new DefaultGradient();
        g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(g, gradIn);
    }
}
