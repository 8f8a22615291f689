package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The native-op convolution gives the stock ConvolutionLayer's outputs and gradients, in double precision. */
@ExtendWith(DoublePrecision.class)
class ConvolutionLayerTest {

    /**
     * A stock convolution, then the layer under test, then a dense output: the first layer's gradient depends on
     * the gradient the tested layer passes back.
     */
    static MultiLayerNetwork net(Layer conv, int channels, int size) {
        return net(conv, channels, size, DataType.DOUBLE, new NoOp());
    }

    static MultiLayerNetwork net(Layer conv, int channels, int size, DataType type, org.nd4j.linalg.learning.config.IUpdater updater) {
        var conf = new NeuralNetConfiguration.Builder().seed(7).dataType(type).updater(updater)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH).convolutionMode(ConvolutionMode.Same).build())
                .layer(conv)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(size, size, channels))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static Layer stock(int k, ConvolutionMode mode, Activation a) {
        return new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(k, k).nOut(4).activation(a).convolutionMode(mode).build();
    }

    /** The network with the fast implementations swapped in (the switch on, whatever AE_FAST_LAYERS says). */
    static MultiLayerNetwork fast(MultiLayerNetwork net) {
        FastLayers.apply(net, true);
        return net;
    }

    @ParameterizedTest
    @CsvSource({"3, Same, TANH", "3, Truncate, RELU", "2, Same, SIGMOID", "5, Same, IDENTITY"})
    void matchesTheStockLayerForwardAndBackward(int k, ConvolutionMode mode, Activation a) {
        MultiLayerNetwork f = fast(net(stock(k, mode, a), 2, 7));
        assertTrue(f.getLayer(1) instanceof ConvolutionLayer, f.getLayer(1).getClass().getName());
        assertSameAsStock(net(stock(k, mode, a), 2, 7), f);
    }

    /** Same parameters in both nets, then the same outputs, score and gradients. */
    static void assertSameAsStock(MultiLayerNetwork s, MultiLayerNetwork f) {
        for (String key : s.paramTable().keySet()) f.setParam(key, s.getParam(key).dup());

        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 2, 7, 7).subi(0.5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 5, 3);
        assertTrue(s.output(x).equalsWithEps(f.output(x), 1e-10), "forward");

        assertSameScoreAndGradients(s, f, x, y);
    }

    /** The same score and parameter gradients (within 1e-5) from both networks for the same input and labels. */
    static void assertSameScoreAndGradients(MultiLayerNetwork s, MultiLayerNetwork f, INDArray x, INDArray y) {
        for (MultiLayerNetwork n : new MultiLayerNetwork[] {s, f}) {
            n.setInput(x);
            n.setLabels(y);
            n.computeGradientAndScore();
        }
        assertEquals(s.score(), f.score(), 1e-10);
        assertEquals(s.gradient().gradientForVariable().keySet(), f.gradient().gradientForVariable().keySet());
        for (String key : s.gradient().gradientForVariable().keySet()) {
            INDArray gs = s.gradient().getGradientFor(key), gf = f.gradient().getGradientFor(key);
            double diff = gs.sub(gf.reshape(gs.shape())).amaxNumber().doubleValue();
            assertTrue(diff < 1e-5, key + " gradients differ by " + diff);
        }
    }

    @org.junit.jupiter.api.Test
    void reusesTheForwardPassWhenTheNetworkCachesIt() {
        MultiLayerNetwork recompute = fast(net(stock(3, ConvolutionMode.Same, Activation.TANH), 2, 7));
        MultiLayerNetwork cached = fast(net(stock(3, ConvolutionMode.Same, Activation.TANH), 2, 7));
        cached.getLayerWiseConfigurations().setCacheMode(CacheMode.DEVICE);
        cached.setCacheMode(CacheMode.DEVICE);
        assertSameAsStock(recompute, cached);
        assertTrue(((ConvolutionLayer) cached.getLayer(1)).hasCachedForward(), "the forward pass was kept");
        assertFalse(((ConvolutionLayer) recompute.getLayer(1)).hasCachedForward());
    }

    @ParameterizedTest
    @CsvSource({"3, Same, TANH", "3, Truncate, SIGMOID"})
    void passesDl4jsGradientCheck(int k, ConvolutionMode mode, Activation a) {
        MultiLayerNetwork f = fast(net(stock(k, mode, a), 2, 5));
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 5, 5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 3);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(f).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)));
    }

    /** A saved model is a plain DL4J model: it loads with DL4J's layers, and the switch applies to it again. */
    static void assertSavedAndLoaded(MultiLayerNetwork f, INDArray x, File dir) throws Exception {
        File file = new File(dir, "net.zip");
        ModelSerializer.writeModel(f, file, true);
        MultiLayerNetwork back = MultiLayerNetwork.load(file, true);
        assertEquals(f.getLayerWiseConfigurations().toJson(), back.getLayerWiseConfigurations().toJson());
        assertTrue(f.output(x).equalsWithEps(back.output(x), 1e-12), "loaded, with DL4J's own layers");
        assertTrue(FastLayers.apply(back, true) > 0);
        assertTrue(f.output(x).equalsWithEps(back.output(x), 1e-12), "loaded, then switched");
    }

    @org.junit.jupiter.api.Test
    void savesAndLoadsWithModelSerializer(@TempDir File dir) throws Exception {
        MultiLayerNetwork f = fast(net(stock(3, ConvolutionMode.Same, Activation.RELU), 1, 6));
        assertSavedAndLoaded(f, Nd4j.rand(DataType.DOUBLE, 2, 1, 6, 6), dir);
    }

    @org.junit.jupiter.api.Test
    void settingsItDoesNotComputeKeepTheStockLayer() {
        for (Layer conv : new Layer[] {stock(3, ConvolutionMode.Strict, Activation.RELU),
                new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).stride(2, 2).convolutionMode(ConvolutionMode.Same).build(),
                new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).dilation(2, 2).convolutionMode(ConvolutionMode.Same).build(),
                new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).padding(1, 1).convolutionMode(ConvolutionMode.Truncate).build(),
                new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).hasBias(false).convolutionMode(ConvolutionMode.Same).build(),
                new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).dropOut(0.5).convolutionMode(ConvolutionMode.Same).build()}) {
            MultiLayerNetwork n = fast(net(conv, 2, 9));
            assertEquals(org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class, n.getLayer(1).getClass(), conv.toString());
            assertTrue(n.getLayer(0) instanceof ConvolutionLayer, "the first, supported, convolution is swapped");
        }
    }
}
