package ae.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's dense layer at work ({@code org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer}) with its three
 * matrix products (forward, input gradient, weight gradient) computed by libnd4j's {@code matmul} op, which runs
 * oneDNN's matrix multiply on every OpenMP thread, instead of the BLAS library (OpenBLAS) DL4J calls ({@link
 * DenseProducts}): same configuration, same parameters ({@code W} [nIn, nOut], {@code b}), same results; 2-4x faster
 * matrix products on an AVX-512 CPU (docs/performance.md). Named as the stock class, so that {@code net.summary()}
 * lists "DenseLayer".
 */
final class DenseLayer extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {

    DenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** What it computes: a dense layer without layer normalization, dropout or weight noise (those stay stock). */
    static boolean supports(org.deeplearning4j.nn.conf.layers.DenseLayer conf) {
        return !conf.hasLayerNorm() && DenseProducts.supports(conf);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        return DenseProducts.preOutput(this, forBackprop, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray z = preOutputWithPreNorm(true, true, workspaceMgr).getFirst();
        INDArray delta = DenseProducts.masked(layerConf().getActivationFn().backprop(z, epsilon).getFirst(), maskArray);
        return DenseProducts.backward(this, delta, gradientViews, workspaceMgr);
    }
}
