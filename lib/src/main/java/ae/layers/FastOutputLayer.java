package ae.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's {@link OutputLayer} with its matrix products on oneDNN, as {@link FastDenseLayer} does them: same
 * configuration, loss, parameters and results as the stock layer.
 *
 * <pre>
 *   new FastOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(784).activation(Activation.SIGMOID).build()
 * </pre>
 */
public class FastOutputLayer extends OutputLayer {

    /** For JSON deserialization (loading saved models); the builder makes the others. */
    protected FastOutputLayer() {}

    public static class Builder extends OutputLayer.Builder {
        public Builder(LossFunctions.LossFunction lossFunction) {
            super(lossFunction);
        }

        @Override
        @SuppressWarnings("unchecked")
        public FastOutputLayer build() {
            return FastDenseLayer.copy(super.build(), new FastOutputLayer());
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

    /** The layer at work: DL4J's output layer (loss, score) with the matrix products on oneDNN. */
    public static class Impl extends org.deeplearning4j.nn.layers.OutputLayer {

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(forBackprop);
            applyDropOutIfNecessary(training, workspaceMgr);
            INDArray z = FastDenseLayer.Products.forward(this, input, getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, training, workspaceMgr),
                    hasBias() ? getParamWithNoise(DefaultParamInitializer.BIAS_KEY, training, workspaceMgr) : null, workspaceMgr);
            if (maskArray != null) applyMask(z);
            return new Pair<>(z, z);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            INDArray z = preOutput2d(true, workspaceMgr);
            INDArray labels = getLabels2d(workspaceMgr, ArrayType.BP_WORKING_MEM);
            if (labels.size(1) != z.size(1)) {
                throw new org.deeplearning4j.exception.DL4JInvalidInputException("Labels have " + labels.size(1)
                        + " columns but the output layer has " + z.size(1) + " outputs (nOut) " + layerId());
            }
            INDArray delta = layerConf().getLossFn().computeGradient(labels, z, layerConf().getActivationFn(), maskArray);
            Gradient gradient = new DefaultGradient();
            INDArray epsilonNext = FastDenseLayer.Products.backward(this, gradient, input, delta,
                    getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, workspaceMgr), gradientViews, hasBias(), workspaceMgr);
            weightNoiseParams.clear();
            return new Pair<>(gradient, backpropDropOutIfPresent(epsilonNext));
        }
    }
}
