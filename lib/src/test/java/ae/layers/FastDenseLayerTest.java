package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
class FastDenseLayerTest {

    @BeforeAll
    static void doublePrecision() {
        FastConvolutionLayerTest.doublePrecision();
    }

    @AfterAll
    static void restore() {
        FastConvolutionLayerTest.restore();
    }

    /** dense (tested) -> dense (tested) -> output (tested), or the same with the stock layers. */
    static MultiLayerNetwork net(boolean fast, Activation a, LossFunction loss, Activation out, DataType type) {
        Layer first = fast ? new FastDenseLayer.Builder().nOut(5).activation(a).build() : new DenseLayer.Builder().nOut(5).activation(a).build();
        Layer second = fast ? new FastDenseLayer.Builder().nOut(4).activation(a).hasBias(false).build()
                : new DenseLayer.Builder().nOut(4).activation(a).hasBias(false).build();
        Layer last = fast ? new FastOutputLayer.Builder(loss).nOut(6).activation(out).build()
                : new OutputLayer.Builder(loss).nOut(6).activation(out).build();
        var conf = new NeuralNetConfiguration.Builder().seed(7).dataType(type).updater(new NoOp())
                .weightInit(WeightInit.XAVIER).list().layer(first).layer(second).layer(last)
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @ParameterizedTest
    @CsvSource({"RELU, MSE, SIGMOID", "ELU, MSE, IDENTITY", "TANH, XENT, SIGMOID", "SIGMOID, MCXENT, SOFTMAX"})
    void matchesTheStockLayers(Activation a, LossFunction loss, Activation out) {
        MultiLayerNetwork s = net(false, a, loss, out, DataType.DOUBLE), f = net(true, a, loss, out, DataType.DOUBLE);
        f.setParams(s.params().dup());
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 9, 6).subi(0.5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 9, 6);
        if (out == Activation.SOFTMAX) y.diviColumnVector(y.sum(1));
        assertTrue(s.output(x).equalsWithEps(f.output(x), 1e-10), "forward");
        FastConvolutionLayerTest.assertSameScoreAndGradients(s, f, x, y);
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
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 6);
        File file = new File(dir, "net.zip");
        ModelSerializer.writeModel(f, file, true);
        MultiLayerNetwork back = MultiLayerNetwork.load(file, true);
        assertTrue(back.getLayer(0).conf().getLayer() instanceof FastDenseLayer);
        assertTrue(back.getLayer(2).conf().getLayer() instanceof FastOutputLayer);
        assertTrue(f.output(x).equalsWithEps(back.output(x), 1e-12));
    }

    @Test
    void layerNormalizationIsRefusedClearly() {
        var e = assertThrows(IllegalArgumentException.class, () -> new FastDenseLayer.Builder().nOut(3).hasLayerNorm(true).build());
        assertTrue(e.getMessage().contains("layer normalization"), e.getMessage());
    }
}
