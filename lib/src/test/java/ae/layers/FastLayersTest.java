package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
        if (fast && conf.getDataType() == DataType.FLOAT) Compare.requireOneDnn();   // these counts include the oneDNN layers
        if (fast) FastLayers.apply(net, true);
        return net;
    }

    @Test
    void aSwappedDenoiserGivesTheStockOutputsScoreAndGradients() {
        MultiLayerNetwork f = net(denoiser(DataType.FLOAT), true);
        assertEquals(net(denoiser(DataType.FLOAT), false).params(), f.params(), "the switch keeps the weights DL4J drew");
        assertEquals(9, Compare.swapped(f), "every layer but the loss");
        INDArray x = Compare.images(6, 1, 8, 8, 5);
        Compare.compareOnOneDnn("denoiser (small)", denoiser(DataType.FLOAT), x, x, 1e-4, "convolution forward", "convolution backward weights", "convolution backward data", "deconvolution forward",
                "deconvolution backward weights", "deconvolution backward data", "batchnorm forward", "batchnorm backward",
                "pooling forward", "pooling backward", "upsampling forward", "upsampling backward");
    }

    /** In double precision only the dense layers are swapped (oneDNN computes in float): the same numbers to 1e-10. */
    @Test
    void inDoublePrecisionOnlyTheDenseLayersAreSwapped() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 1, 8, 8);
        MultiLayerNetwork s = net(denoiser(DataType.DOUBLE), false), f = net(denoiser(DataType.DOUBLE), true);
        assertEquals(2, Compare.swapped(f));
        assertTrue(f.getLayer(3) instanceof ae.layers.DenseLayer && f.getLayer(4) instanceof ae.layers.DenseLayer);
        assertTrue(s.output(x).equalsWithEps(f.output(x), 1e-10), "forward");
        Compare.assertSameScoreAndGradients(s, f, x, x);
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
        assertEquals(9, FastLayers.apply(net(conf, false), true), "2 convolutions, 2 batch norms, pooling, 2 dense, 1 transposed convolution, upsampling");
        assertEquals(s.summary(InputType.convolutional(8, 8, 1)), f.summary(InputType.convolutional(8, 8, 1)));
        assertTrue(f.summary().contains("ConvolutionLayer") && f.summary().contains("Deconvolution2DLayer")
                && f.summary().contains("SubsamplingLayer") && f.summary().contains("Upsampling2D")
                && !f.summary().contains("$") && !f.summary().contains("Fast") && !f.summary().contains("Dnnl"), f.summary());
        assertEquals(s.getLayerWiseConfigurations().toJson(), f.getLayerWiseConfigurations().toJson());
        assertTrue(f.getLayer(0) instanceof ae.layers.ConvolutionLayer);
        assertTrue(f.getLayer(3) instanceof ae.layers.DenseLayer);
        assertTrue(f.getLayer(2) instanceof ae.layers.SubsamplingLayer);
        assertTrue(f.getLayer(5) instanceof ae.layers.Deconvolution2DLayer);
        assertTrue(f.getLayer(1).getHelper() instanceof DnnlBatchNormalization, "the stock batch norm with the oneDNN helper");
        assertTrue(f.getLayer(7) instanceof ae.layers.Upsampling2D);
        assertEquals(org.deeplearning4j.nn.layers.convolution.CnnLossLayer.class, f.getLayer(9).getClass(), "not covered: stock");
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
        Compare.requireOneDnn();
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

    /**
     * Without oneDNN's natives (a build with ONEDNN=0, or a platform oneDNN's Java bindings have no natives for, such
     * as ARM): convolutions, pooling, upsampling and batch norm keep DL4J's own layers, the dense layers are still
     * swapped, and the network trains as the stock one does. Run in a JVM whose classpath lacks those natives (and
     * libnd4j's oneDNN build), as such a machine's does; it must say why, and print nothing on its error stream.
     */
    @Test
    void withoutOneDnnsNativesTheseLayersStayStock() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> kept = new ArrayList<>(), dropped = new ArrayList<>();
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            String name = java.nio.file.Path.of(entry).getFileName().toString();
            boolean natives = name.matches("(dnnl|opencl)-.*-(linux|macosx|windows)-[a-z0-9_]+\\.jar") || name.matches("nd4j-native-.*-onednn\\.jar");
            (natives ? dropped : kept).add(entry);
        }
        if (DnnlLayers.available()) assertTrue(dropped.stream().anyMatch(e -> e.contains("dnnl-")), "oneDNN's natives: " + dropped);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-cp", String.join(java.io.File.pathSeparator, kept), WithoutOneDnn.class.getName())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(p.getInputStream().readAllBytes()), err = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor(), out + err);
        Map<String, String> said = new java.util.HashMap<>();
        out.lines().filter(l -> l.contains("=")).forEach(l -> said.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertEquals("false", said.get("available"), out);
        assertTrue(said.get("unavailable").startsWith("oneDNN's natives"), said.get("unavailable"));
        assertEquals("2", said.get("swapped"), "the two dense layers only: " + out);
        assertEquals(List.of("org.deeplearning4j.nn.layers.convolution.ConvolutionLayer", "org.deeplearning4j.nn.layers.normalization.BatchNormalization",
                "org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer", "ae.layers.DenseLayer", "ae.layers.DenseLayer",
                "org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer", "org.deeplearning4j.nn.layers.normalization.BatchNormalization",
                "org.deeplearning4j.nn.layers.convolution.upsampling.Upsampling2D", "org.deeplearning4j.nn.layers.convolution.ConvolutionLayer",
                "org.deeplearning4j.nn.layers.convolution.CnnLossLayer"), List.of(said.get("layers").split(",")));
        assertEquals("0", said.get("executed"));
        assertTrue(Double.parseDouble(said.get("output")) < 1e-4 && Double.parseDouble(said.get("score")) < 1e-4, out);
        assertEquals("", err.strip(), "quiet: nothing on the error stream");
    }
}
