package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The switch on whole networks built from DL4J's own layers, like the chapters' models: swapped and stock networks
 * give the same outputs, score and gradients, train alike, and look alike from outside (summary, configuration).
 */
class FastLayersTest {

    /** A small cousin of chapter 4's denoiser: every layer type the switch covers, and those it leaves (pooling, upsampling, loss). */
    static MultiLayerConfiguration denoiser(DataType type) {
        return new NeuralNetConfiguration.Builder().seed(42).dataType(type).updater(new Adam(1e-3, 0.9, 0.999, 1e-7))
                .weightInit(WeightInit.XAVIER_UNIFORM).cacheMode(CacheMode.DEVICE).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).convolutionMode(ConvolutionMode.Same).build())
                .layer(new BatchNormalization.Builder().decay(0.99).eps(1e-3).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).convolutionMode(ConvolutionMode.Same).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.SIGMOID).build())
                .layer(new DenseLayer.Builder().nOut(4 * 4 * 4).activation(Activation.RELU).build())
                .inputPreProcessor(5, new FeedForwardToCnnPreProcessor(4, 4, 4))
                .layer(new Deconvolution2D.Builder(3, 3).nOut(4).activation(Activation.RELU).convolutionMode(ConvolutionMode.Same).build())
                .layer(new BatchNormalization.Builder().decay(0.99).eps(1e-3).build())
                .layer(new Upsampling2D.Builder(2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(1).activation(Activation.SIGMOID).convolutionMode(ConvolutionMode.Same).build())
                .layer(new CnnLossLayer.Builder(LossFunction.XENT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(8, 8, 1))
                .build();
    }

    /** Chapter 5's shape, small: batch normalization on dense input, dense layers with names, a sigmoid output. */
    static MultiLayerConfiguration kittens(DataType type) {
        return new NeuralNetConfiguration.Builder().seed(42).dataType(type).updater(new Adam(1e-3, 0.9, 0.999, 1e-7))
                .weightInit(WeightInit.XAVIER_UNIFORM).cacheMode(CacheMode.DEVICE).list()
                .layer(new BatchNormalization.Builder().decay(0.99).eps(1e-3).build())
                .layer(new DenseLayer.Builder().name("encoder").nOut(10).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("middle_layer").nOut(5).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().decay(0.99).eps(1e-3).build())
                .layer(new DenseLayer.Builder().name("decoder").nOut(10).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(12).activation(Activation.SIGMOID).build())
                .setInputType(InputType.feedForward(12))
                .build();
    }

    static MultiLayerNetwork net(MultiLayerConfiguration conf, boolean fast) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        if (fast) FastLayers.apply(net, true);
        return net;
    }

    @Test
    void aSwappedDenoiserGivesTheStockOutputsScoreAndGradients() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 1, 8, 8);
        MultiLayerNetwork s = net(denoiser(DataType.DOUBLE), false), f = net(denoiser(DataType.DOUBLE), true);
        assertEquals(s.params(), f.params(), "the switch keeps the weights DL4J drew");
        assertTrue(s.output(x).equalsWithEps(f.output(x), 1e-10), "forward");
        ConvolutionLayerTest.assertSameScoreAndGradients(s, f, x, x);
    }

    @Test
    void swappedAndStockNetworksTrainAlikeInFloat() {
        for (MultiLayerConfiguration conf : List.of(denoiser(DataType.FLOAT), kittens(DataType.FLOAT))) {
            MultiLayerNetwork s = net(conf, false), f = net(conf, true);
            boolean images = conf.getConf(0).getLayer() instanceof ConvolutionLayer;
            Nd4j.getRandom().setSeed(3);
            INDArray x = images ? Nd4j.rand(DataType.FLOAT, 16, 1, 8, 8) : Nd4j.rand(DataType.FLOAT, 16, 12);
            for (int step = 0; step < 10; step++) {
                s.fit(x, x);
                f.fit(x, x);
            }
            assertEquals(s.score(), f.score(), 1e-4 * Math.abs(s.score()), "score after 10 Adam steps");
            double diff = s.params().sub(f.params()).amaxNumber().doubleValue();
            assertTrue(diff < 1e-3, "parameters after 10 Adam steps differ by " + diff);
            assertTrue(s.output(x).equalsWithEps(f.output(x), 1e-4), "inference, with the running statistics");
        }
    }

    @Test
    void theSummaryListsTheStockLayersAndTheConfigurationStaysStock() {
        MultiLayerConfiguration conf = denoiser(DataType.FLOAT);
        MultiLayerNetwork s = net(conf, false), f = net(conf, true);
        assertEquals(7, FastLayers.apply(net(conf, false), true), "2 convolutions, 2 batch norms, 2 dense, 1 transposed convolution");
        assertEquals(s.summary(InputType.convolutional(8, 8, 1)), f.summary(InputType.convolutional(8, 8, 1)));
        assertTrue(f.summary().contains("ConvolutionLayer") && f.summary().contains("Deconvolution2DLayer")
                && !f.summary().contains("$") && !f.summary().contains("Fast"), f.summary());
        assertEquals(s.getLayerWiseConfigurations().toJson(), f.getLayerWiseConfigurations().toJson());
        assertTrue(f.getLayer(0) instanceof ae.layers.ConvolutionLayer);
        assertTrue(f.getLayer(3) instanceof ae.layers.DenseLayer);
        assertTrue(f.getLayer(5) instanceof ae.layers.Deconvolution2DLayer);
        assertEquals(org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer.class, f.getLayer(2).getClass(), "not covered: stock");
    }

    @Test
    void layersByNameAreTheSwappedOnesAndASecondApplyChangesNothing() {
        MultiLayerNetwork f = net(kittens(DataType.FLOAT), true);
        assertSame(f.getLayer(1), f.getLayer("encoder"));
        assertTrue(f.getLayer("middle_layer") instanceof ae.layers.DenseLayer);
        assertTrue(f.getLayer(5) instanceof ae.layers.OutputLayer);
        org.deeplearning4j.nn.api.Layer[] before = f.getLayers().clone();
        assertEquals(0, FastLayers.apply(f, true));
        assertArrayEquals(before, f.getLayers());
    }

    @Test
    void switchedOffTheNetworkIsLeftAsItIs() {
        MultiLayerNetwork n = net(kittens(DataType.FLOAT), false);
        org.deeplearning4j.nn.api.Layer[] before = n.getLayers().clone();
        assertEquals(0, FastLayers.apply(n, false));
        assertArrayEquals(before, n.getLayers());
    }

    @Test
    void anUninitialisedNetworkIsInitialisedFirst() {
        MultiLayerNetwork n = new MultiLayerNetwork(kittens(DataType.FLOAT));
        assertEquals(6, FastLayers.apply(n, true), "2 batch norms, 3 dense, 1 output");
        assertEquals(net(kittens(DataType.FLOAT), false).params(), n.params(), "initialised as init() does");
    }

    /** Each implementation carries the simple name of DL4J's own class for that layer (what summary() prints). */
    @Test
    void everyImplementationIsNamedAsTheStockOne() {
        MultiLayerConfiguration conf = denoiser(DataType.FLOAT);
        MultiLayerNetwork s = net(conf, false);
        for (FastLayers.Swap<?> swap : FastLayers.SWAPS) {
            int i = Arrays.stream(s.getLayers()).filter(l -> l.conf().getLayer().getClass() == swap.stock()).findFirst()
                    .map(org.deeplearning4j.nn.api.Layer::getIndex)
                    .orElseGet(() -> swap.stock() == OutputLayer.class ? -1 : fail("the test network has no " + swap.stock().getSimpleName()));
            MultiLayerNetwork source = i >= 0 ? s : net(kittens(DataType.FLOAT), false);
            var stock = source.getLayer(i >= 0 ? i : 5);
            var made = swap.implementation().apply(stock.conf(), DataType.FLOAT);
            assertEquals(stock.getClass().getSimpleName(), made.getClass().getSimpleName(), swap.stock().getSimpleName());
        }
    }
}
