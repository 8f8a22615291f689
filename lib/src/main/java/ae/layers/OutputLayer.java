package ae.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's output layer at work ({@code org.deeplearning4j.nn.layers.OutputLayer}: loss and score as the stock layer
 * computes them) with its matrix products on oneDNN, as {@link DenseLayer} does them. Named as the stock class, so
 * that {@code net.summary()} lists "OutputLayer".
 */
final class OutputLayer extends org.deeplearning4j.nn.layers.OutputLayer {

    OutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        return DenseProducts.preOutput(this, forBackprop, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray z = preOutput2d(true, workspaceMgr);
        INDArray labels = getLabels2d(workspaceMgr, ArrayType.BP_WORKING_MEM);
        if (labels.size(1) != z.size(1)) {
            throw new DL4JInvalidInputException("Labels have " + labels.size(1) + " columns but the output layer has "
                    + z.size(1) + " outputs (nOut) " + layerId());
        }
        INDArray delta = layerConf().getLossFn().computeGradient(labels, z, layerConf().getActivationFn(), maskArray);
        return DenseProducts.backward(this, delta, gradientViews, workspaceMgr);
    }
}
