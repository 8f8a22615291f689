package ae.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's {@link DenseLayer} with its three matrix products (forward, input gradient, weight gradient) computed by
 * libnd4j's {@code matmul} op, which runs oneDNN's matrix multiply on every OpenMP thread, instead of the BLAS
 * library (OpenBLAS) DL4J calls: same configuration, same parameters ({@code W} [nIn, nOut], {@code b}), same
 * results; 2-4x faster matrix products on an AVX-512 CPU (docs/performance.md). Layer normalization is not supported.
 *
 * <pre>
 *   new FastDenseLayer.Builder().nOut(128).activation(Activation.RELU).build()
 * </pre>
 */
public class FastDenseLayer extends DenseLayer {

    /** For JSON deserialization (loading saved models); the builder makes the others. */
    protected FastDenseLayer() {}

    public static class Builder extends DenseLayer.Builder {
        @Override
        @SuppressWarnings("unchecked")
        public FastDenseLayer build() {
            DenseLayer stock = super.build();
            if (stock.hasLayerNorm()) {
                throw new IllegalArgumentException("FastDenseLayer does not support layer normalization; use DenseLayer with hasLayerNorm(true)");
            }
            return copy(stock, new FastDenseLayer());
        }
    }

    /**
     * The stock configuration's settings in a Fast layer's configuration (DL4J's layer constructors that take a
     * builder are private): every field, up the class hierarchy.
     */
    static <T> T copy(Object from, T to) {
        try {
            for (Class<?> c = from.getClass(); c != Object.class; c = c.getSuperclass()) {
                for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                    if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
                    f.setAccessible(true);
                    f.set(to, f.get(from));
                }
            }
            return to;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("could not copy the layer configuration " + from.getClass().getSimpleName(), e);
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return FastConvolutionLayer.wire(new Impl(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return DefaultParamInitializer.getInstance();
    }

    /** The layer at work: DL4J's dense layer with the matrix products on oneDNN. */
    public static class Impl extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(forBackprop);
            applyDropOutIfNecessary(training, workspaceMgr);
            INDArray z = Products.forward(this, input, getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, training, workspaceMgr),
                    hasBias() ? getParamWithNoise(DefaultParamInitializer.BIAS_KEY, training, workspaceMgr) : null, workspaceMgr);
            if (maskArray != null) applyMask(z);
            return new Pair<>(z, z);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            INDArray z = preOutputWithPreNorm(true, true, workspaceMgr).getFirst();
            INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
            if (maskArray != null) applyMask(delta);
            Gradient gradient = new DefaultGradient();
            INDArray epsilonNext = Products.backward(this, gradient, input, delta,
                    getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, workspaceMgr), gradientViews, hasBias(), workspaceMgr);
            weightNoiseParams.clear();
            return new Pair<>(gradient, backpropDropOutIfPresent(epsilonNext));
        }
    }

    /** The three matrix products of a dense layer, shared with {@link FastOutputLayer}. */
    static final class Products {
        private Products() {}

        /** z = x W + b, z in row-major order (oneDNN's matmul is used for row-major results only). */
        static INDArray forward(BaseLayer<?> layer, INDArray input, INDArray w, INDArray b, LayerWorkspaceMgr workspaceMgr) {
            INDArray x = rowMajor(input.castTo(w.dataType()), workspaceMgr, ArrayType.FF_WORKING_MEM);
            if (x.rank() != 2 || x.size(1) != w.size(0)) {
                throw new org.deeplearning4j.exception.DL4JInvalidInputException("Input of shape " + java.util.Arrays.toString(x.shape())
                        + " does not match the layer's " + w.size(0) + " inputs (a missing preprocessor or a wrong input type?) (layer " + layer.getIndex() + ")");
            }
            INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), new long[] {x.size(0), w.size(1)}, 'c');
            matmul(x, false, w, false, z);
            if (b != null) z.addiRowVector(b);
            return z;
        }

        /**
         * Weight and bias gradients into DL4J's gradient views (dW = x^T delta, db = column sums of delta) and the
         * input gradient delta W^T, which it returns.
         */
        static INDArray backward(BaseLayer<?> layer, Gradient gradient, INDArray input, INDArray delta, INDArray w,
                java.util.Map<String, INDArray> views, boolean hasBias, LayerWorkspaceMgr workspaceMgr) {
            INDArray d = rowMajor(delta, workspaceMgr, ArrayType.BP_WORKING_MEM);
            INDArray x = rowMajor(input.castTo(w.dataType()), workspaceMgr, ArrayType.BP_WORKING_MEM);
            INDArray wGrad = views.get(DefaultParamInitializer.WEIGHT_KEY);
            if (hasBias) {
                INDArray bGrad = views.get(DefaultParamInitializer.BIAS_KEY);
                d.sum(bGrad, 0);
                gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, bGrad);
            }
            INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, w.dataType(), new long[] {d.size(0), w.size(0)}, 'c');
            matmul(d, false, w, true, epsilonNext);
            matmul(x, true, d, false, wGrad);
            gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, wGrad);
            return epsilonNext;
        }

        /**
         * z = op(x) op(y) by libnd4j's matmul op. DL4J keeps W and its gradient column-major ('f'): seen as row-major
         * they are transposed, so the product is computed transposed, z^T = op(y)^T op(x)^T, when z is 'f'.
         */
        static void matmul(INDArray x, boolean tx, INDArray y, boolean ty, INDArray z) {
            if (z.ordering() == 'f') {
                run(y, !ty, x, !tx, z.transpose());
            } else {
                run(x, tx, y, ty, z);
            }
        }

        private static void run(INDArray x, boolean tx, INDArray y, boolean ty, INDArray z) {
            // a column-major operand is the row-major transpose of itself: flip it and its transpose flag
            if (x.ordering() == 'f') {
                x = x.transpose();
                tx = !tx;
            }
            if (y.ordering() == 'f') {
                y = y.transpose();
                ty = !ty;
            }
            Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(x, y).addOutputs(z)
                    .addIntegerArguments(tx ? 1 : 0, ty ? 1 : 0).build());
        }

        /** a, or a row-major contiguous copy of it in the given working memory. */
        static INDArray rowMajor(INDArray a, LayerWorkspaceMgr workspaceMgr, ArrayType memory) {
            return a.ordering() == 'c' && a.elementWiseStride() == 1 ? a : workspaceMgr.dup(memory, a, 'c');
        }
    }
}
