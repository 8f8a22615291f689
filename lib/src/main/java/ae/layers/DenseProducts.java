package ae.layers;

import java.util.Map;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The three matrix products of a dense layer, shared by {@link DenseLayer} and {@link OutputLayer}, on libnd4j's
 * {@code matmul} op (oneDNN). Those two are swapped in only where their configuration has no dropout and no weight
 * noise ({@link FastLayers}): the parameters are then the layer's own, as {@code getParam} gives them.
 */
final class DenseProducts {

    private DenseProducts() {}

    /** What both layers compute: no dropout and no weight noise (the stock layers keep those). */
    static boolean supports(org.deeplearning4j.nn.conf.layers.BaseLayer conf) {
        return conf.getIDropout() == null && conf.getWeightNoise() == null;
    }

    /** The layer's pre-activation z = x W + b (masked rows zeroed), as DL4J's {@code preOutputWithPreNorm} returns it. */
    static Pair<INDArray, INDArray> preOutput(BaseLayer<?> layer, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        layer.assertInputSet(forBackprop);
        INDArray w = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray x = rowMajor(layer.input().castTo(w.dataType()), workspaceMgr, ArrayType.FF_WORKING_MEM);
        if (x.rank() != 2 || x.size(1) != w.size(0)) {
            throw new DL4JInvalidInputException("Input of shape " + java.util.Arrays.toString(x.shape()) + " does not match the layer's "
                    + w.size(0) + " inputs (a missing preprocessor or a wrong input type?) (layer " + layer.getIndex() + ")");
        }
        INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), new long[] {x.size(0), w.size(1)}, 'c');
        matmul(x, false, w, false, z);
        if (layer.hasBias()) z.addiRowVector(layer.getParam(DefaultParamInitializer.BIAS_KEY));
        return new Pair<>(masked(z, layer.getMaskArray()), z);
    }

    /** {@code a} with the rows of a per-example mask applied (in place), as DL4J's {@code applyMask} does. */
    static INDArray masked(INDArray a, INDArray mask) {
        return mask == null ? a : a.muliColumnVector(mask.castTo(a.dataType()));
    }

    /**
     * The weight and bias gradients into DL4J's gradient views (dW = x^T delta, db = column sums of delta), and the
     * input gradient delta W^T: what {@code backpropGradient} returns.
     */
    static Pair<Gradient, INDArray> backward(BaseLayer<?> layer, INDArray delta, Map<String, INDArray> views, LayerWorkspaceMgr workspaceMgr) {
        INDArray w = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray d = rowMajor(delta, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray x = rowMajor(layer.input().castTo(w.dataType()), workspaceMgr, ArrayType.BP_WORKING_MEM);
        Gradient gradient = new DefaultGradient();
        INDArray wGrad = views.get(DefaultParamInitializer.WEIGHT_KEY);
        if (layer.hasBias()) {
            INDArray bGrad = views.get(DefaultParamInitializer.BIAS_KEY);
            d.sum(bGrad, 0);
            gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, bGrad);
        }
        INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, w.dataType(), new long[] {d.size(0), w.size(0)}, 'c');
        matmul(d, false, w, true, epsilonNext);
        matmul(x, true, d, false, wGrad);
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, wGrad);
        return new Pair<>(gradient, epsilonNext);
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
    private static INDArray rowMajor(INDArray a, LayerWorkspaceMgr workspaceMgr, ArrayType memory) {
        return a.ordering() == 'c' && a.elementWiseStride() == 1 ? a : workspaceMgr.dup(memory, a, 'c');
    }
}
