package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** The oneDNN dense and output layers give the stock layers' outputs, score and gradients. */
@ExtendWith(DoublePrecision.class)
class DenseLayerTest {

    /** dense (tested) -> dense without bias (tested) -> output (tested), with the fast implementations or DL4J's. */
    static MultiLayerNetwork net(boolean fast, Activation a, LossFunction loss, Activation out, DataType type) {
        var conf = new NeuralNetConfiguration.Builder().seed(7).dataType(type).updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nOut(5).activation(a).build())
                .layer(new DenseLayer.Builder().nOut(4).activation(a).hasBias(false).build())
                .layer(new OutputLayer.Builder(loss).nOut(6).activation(out).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        if (fast) assertEquals(3, FastLayers.apply(net, true));
        return net;
    }

    @ParameterizedTest
    @CsvSource({"RELU, MSE, SIGMOID", "ELU, MSE, IDENTITY", "TANH, XENT, SIGMOID", "SIGMOID, MCXENT, SOFTMAX"})
    void matchesTheStockLayers(Activation a, LossFunction loss, Activation out) {
        MultiLayerNetwork s = net(false, a, loss, out, DataType.DOUBLE), f = net(true, a, loss, out, DataType.DOUBLE);
        assertEquals(s.params(), f.params(), "the switch keeps the weights DL4J drew");
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 9, 6).subi(0.5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 9, 6);
        if (out == Activation.SOFTMAX) y.diviColumnVector(y.sum(1));
        assertTrue(s.output(x).equalsWithEps(f.output(x), 1e-10), "forward");
        Compare.assertSameScoreAndGradients(s, f, x, y);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(f).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)));
    }

    /** In single precision (what the course trains in, and what oneDNN's matmul runs): the same training steps. */
    @Test
    void trainsLikeTheStockLayersInFloat() {
        MultiLayerNetwork s = net(false, Activation.RELU, LossFunction.MSE, Activation.SIGMOID, DataType.FLOAT);
        MultiLayerNetwork f = net(true, Activation.RELU, LossFunction.MSE, Activation.SIGMOID, DataType.FLOAT);
        f.setParams(s.params().dup());
        for (MultiLayerNetwork n : new MultiLayerNetwork[] {s, f}) {
            n.setUpdater(null);
            n.getLayerWiseConfigurations().getConfs().forEach(c -> ((org.deeplearning4j.nn.conf.layers.BaseLayer) c.getLayer()).setIUpdater(new Adam(0.01)));
        }
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 32, 6), y = Nd4j.rand(DataType.FLOAT, 32, 6);
        for (int i = 0; i < 20; i++) {
            s.fit(x, y);
            f.fit(x, y);
        }
        assertEquals(s.score(), f.score(), 1e-4);
        assertTrue(s.params().equalsWithEps(f.params(), 1e-4), "parameters after 20 Adam steps");
    }

    @Test
    void savesAndLoadsWithModelSerializer(@TempDir File dir) throws Exception {
        MultiLayerNetwork f = net(true, Activation.RELU, LossFunction.MSE, Activation.SIGMOID, DataType.DOUBLE);
        Compare.assertSavedAndLoaded(f, Nd4j.rand(DataType.DOUBLE, 3, 6), dir, 1e-12);
    }

    @Test
    void layerNormalizationDropoutAndWeightNoiseKeepTheStockLayers() {
        var conf = new NeuralNetConfiguration.Builder().seed(7).list()
                .layer(new DenseLayer.Builder().nOut(5).hasLayerNorm(true).build())
                .layer(new DenseLayer.Builder().nOut(5).dropOut(0.5).build())
                .layer(new DenseLayer.Builder().nOut(5).weightNoise(new org.deeplearning4j.nn.conf.weightnoise.DropConnect(0.5)).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(6).dropOut(0.5).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertEquals(0, FastLayers.apply(net, true));
        assertEquals(org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class, net.getLayer(0).getClass());
    }
}
