package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.file.Files;
import java.util.Map;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The course's two convolutional models (chapter 3's Fashion autoencoder, chapter 4's denoiser with batch norm and
 * transposed convolutions), with every layer that has a oneDNN replacement swapped in, against the stock layers:
 * gradients on the float path the notebooks use, 20 training steps, save and load.
 */
class ModelsTest {

    static Layer swap(Layer l) {
        Layer r = DnnlLayers.replacement(l);
        return r == null ? l : r;
    }

    static Layer conv(int filters, Activation a, ConvolutionMode mode) {
        return new ConvolutionLayer.Builder(3, 3).nOut(filters).activation(a).convolutionMode(mode).build();
    }

    static Layer pool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).convolutionMode(ConvolutionMode.Same).build();
    }

    /** Chapter 3's convolutional autoencoder (notebooks/03-fashion-mnist.ipynb), stock layers. */
    static MultiLayerConfiguration fashionConv() {
        return fashionConv(new AdaDelta());
    }

    static MultiLayerConfiguration fashionConv(org.nd4j.linalg.learning.config.IUpdater updater) {
        var same = ConvolutionMode.Same;
        return new NeuralNetConfiguration.Builder().seed(42).updater(updater).weightInit(WeightInit.XAVIER)
                .cacheMode(CacheMode.DEVICE)
                .list()
                .layer(conv(16, Activation.RELU, same)).layer(pool())
                .layer(conv(8, Activation.RELU, same)).layer(pool())
                .layer(conv(8, Activation.RELU, same)).layer(pool())
                .layer(conv(8, Activation.RELU, same)).layer(new Upsampling2D.Builder(2).build())
                .layer(conv(8, Activation.RELU, same)).layer(new Upsampling2D.Builder(2).build())
                .layer(conv(16, Activation.RELU, ConvolutionMode.Truncate)).layer(new Upsampling2D.Builder(2).build())
                .layer(conv(1, Activation.SIGMOID, same))
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
    }

    static Layer batchNorm() {
        return new BatchNormalization.Builder().decay(0.99).eps(1e-3).build();
    }

    static Layer deconv(int filters) {
        return new Deconvolution2D.Builder(3, 3).nOut(filters).activation(Activation.RELU).convolutionMode(ConvolutionMode.Same).build();
    }

    /** Chapter 4's denoiser (notebooks/04-mnist-denoising.ipynb), stock layers. */
    static MultiLayerConfiguration denoiser() {
        return denoiser(new Adam(1e-3, 0.9, 0.999, 1e-7));
    }

    static MultiLayerConfiguration denoiser(org.nd4j.linalg.learning.config.IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(42).updater(updater).weightInit(WeightInit.XAVIER_UNIFORM)
                .cacheMode(CacheMode.DEVICE)
                .list()
                .layer(conv(16, Activation.RELU, ConvolutionMode.Same)).layer(batchNorm()).layer(pool())
                .layer(conv(32, Activation.RELU, ConvolutionMode.Same)).layer(batchNorm()).layer(pool())
                .layer(conv(32, Activation.RELU, ConvolutionMode.Same))
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.SIGMOID).build())
                .layer(new DenseLayer.Builder().nOut(7 * 7 * 32).activation(Activation.RELU).build())
                .inputPreProcessor(9, new FeedForwardToCnnPreProcessor(7, 7, 32))
                .layer(deconv(32)).layer(batchNorm()).layer(new Upsampling2D.Builder(2).build())
                .layer(deconv(32)).layer(batchNorm()).layer(new Upsampling2D.Builder(2).build())
                .layer(deconv(16))
                .layer(conv(1, Activation.SIGMOID, ConvolutionMode.Same))
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
    }

    static void assertAllSwapped(MultiLayerConfiguration stock, int expected) {
        MultiLayerConfiguration fast = Compare.swapped(stock, ModelsTest::swap, DataType.FLOAT);
        long swapped = fast.getConfs().stream().filter(c -> c.getLayer().getClass().getPackageName().equals("ae.layers")).count();
        assertEquals(expected, swapped, "layers with a oneDNN replacement");
    }

    @Test
    void fashionConvMatchesTheStockLayersOnTheFloatPath() {
        assertAllSwapped(fashionConv(), 13);
        Map<String, Long> before = DnnlLayers.executed();
        INDArray x = Compare.images(16, 1, 28, 28, 5);
        Compare.Result r = Compare.compare(fashionConv(), ModelsTest::swap, x, x, 2e-4);
        System.out.println("fashion conv, float oneDNN vs double stock: " + r);
        Map<String, Long> after = DnnlLayers.executed();
        for (String kind : new String[] {"convolution forward", "convolution backward weights", "convolution backward data",
                "pooling forward", "pooling backward", "upsampling forward", "upsampling backward", "activation backward"}) {
            assertTrue(after.getOrDefault(kind, 0L) > before.getOrDefault(kind, 0L), kind + " ran on oneDNN");
        }
    }

    @Test
    void denoiserMatchesTheStockLayersOnTheFloatPath() {
        assertAllSwapped(denoiser(), 15);   // 4 convolutions, 4 batch norms, 2 poolings, 3 transposed convolutions, 2 upsamplings
        Map<String, Long> before = DnnlLayers.executed();
        INDArray clean = Compare.images(16, 1, 28, 28, 6);
        INDArray noisy = org.nd4j.linalg.ops.transforms.Transforms.min(org.nd4j.linalg.ops.transforms.Transforms.max(clean.add(Compare.images(16, 1, 28, 28, 7).subi(0.5)), 0.0, false), 1.0, false);
        Compare.Result r = Compare.compare(denoiser(), ModelsTest::swap, noisy, clean, 2e-4);
        System.out.println("denoiser, float oneDNN vs double stock: " + r);
        Map<String, Long> after = DnnlLayers.executed();
        for (String kind : new String[] {"deconvolution forward", "deconvolution backward weights", "deconvolution backward data",
                "batchnorm forward", "batchnorm backward"}) {
            assertTrue(after.getOrDefault(kind, 0L) > before.getOrDefault(kind, 0L), kind + " ran on oneDNN");
        }
    }

    /**
     * Twenty training steps of chapter 3's model in float, stock layers and oneDNN layers from the same parameters,
     * with plain gradient descent: the parameters stay equal to float precision. (With the notebook's AdaDelta, which
     * scales every update to a similar size whatever the gradient, a single ReLU output rounded to just above zero in
     * one implementation and to zero in the other, as happened with the AVX2 kernels, turns into whole steps of
     * difference: a comparison of rounding, not of correctness. The gradients themselves are compared above.)
     */
    @Test
    void trainingStepsMatchInFloat() {
        MultiLayerConfiguration stock = fashionConv(new Sgd(1e-3)), floatConf = stock.clone();
        floatConf.setDataType(DataType.FLOAT);
        MultiLayerNetwork a = Compare.net(floatConf), b = Compare.net(Compare.swapped(stock, ModelsTest::swap, DataType.FLOAT));
        b.setParams(a.params().dup());
        INDArray start = a.params().dup();
        double first = Double.NaN;
        for (int step = 0; step < 20; step++) {
            INDArray x = Compare.images(8, 1, 28, 28, 100 + step).castTo(DataType.FLOAT);
            a.fit(x, x);
            b.fit(x, x);
            if (step == 0) first = a.score();
        }
        double e = Compare.relativeError(b.params().sub(start), a.params().sub(start));
        System.out.println("Fashion conv, 20 steps: the parameters' changes differ by " + e + " (relative); scores " + a.score() + " / " + b.score());
        assertTrue(a.score() < first, "the training lowers the loss: " + first + " -> " + a.score());
        assertTrue(e < 1e-4, "the parameters' changes after 20 steps differ by " + e);
        assertEquals(a.score(), b.score(), 1e-5 * Math.abs(a.score()));
    }

    /**
     * Twenty Adam steps of chapter 4's denoiser: its batch norms make float training drift from double precision
     * from the first step (small variances amplify rounding), for the stock layers as for these; the oneDNN layers in
     * float may drift from the stock layers in double no more than the stock layers in float do (3x, for the
     * rounding's own spread).
     */
    @Test
    void denoiserTrainingDriftsNoMoreThanTheStockLayersInFloat() {
        MultiLayerConfiguration stock = denoiser(), refConf = stock.clone(), floatConf = stock.clone();
        refConf.setDataType(DataType.DOUBLE);
        floatConf.setDataType(DataType.FLOAT);
        MultiLayerNetwork ref = Compare.net(refConf), stockFloat = Compare.net(floatConf);
        MultiLayerNetwork fast = Compare.net(Compare.swapped(stock, ModelsTest::swap, DataType.FLOAT));
        stockFloat.setParams(ref.params().castTo(DataType.FLOAT));
        fast.setParams(ref.params().castTo(DataType.FLOAT));
        for (int step = 0; step < 20; step++) {
            INDArray x = Compare.images(8, 1, 28, 28, 100 + step);
            ref.fit(x, x);
            stockFloat.fit(x.castTo(DataType.FLOAT), x.castTo(DataType.FLOAT));
            fast.fit(x.castTo(DataType.FLOAT), x.castTo(DataType.FLOAT));
        }
        double drift = Compare.relativeError(stockFloat.params(), ref.params());
        double e = Compare.relativeError(fast.params(), ref.params());
        System.out.println("denoiser, 20 steps, parameters' relative difference from the stock layers in double: oneDNN float " + e
                + ", stock float " + drift + "; scores " + ref.score() + " / " + stockFloat.score() + " / " + fast.score());
        assertTrue(e <= 3 * drift, "parameters after 20 steps differ by " + e + " (stock float: " + drift + ")");
        assertEquals(ref.score(), fast.score(), 1e-3 * Math.abs(ref.score()));
    }

    /**
     * The layer implementations on their own, as a switch that leaves the configuration stock would use them: made
     * from the stock configuration and put in place of DL4J's layers in an initialised network, sharing its
     * parameters. Same gradients as the stock network, and the configuration (what a saved model stores) unchanged.
     */
    @Test
    void implementationsRunUnderTheStockConfiguration() {
        MultiLayerConfiguration conf = denoiser();
        conf.setDataType(DataType.FLOAT);
        MultiLayerNetwork stock = Compare.net(conf.clone()), net = Compare.net(conf.clone());
        net.setParams(stock.params());
        net.initGradientsView();
        org.deeplearning4j.nn.api.Layer[] layers = net.getLayers().clone();
        int swapped = 0;
        for (int i = 0; i < layers.length; i++) {
            var c = layers[i].conf();
            org.deeplearning4j.nn.layers.AbstractLayer<?> impl = switch (c.getLayer().getClass().getSimpleName()) {
                case "ConvolutionLayer" -> new DnnlConvolutionLayer.Impl(c, DataType.FLOAT);
                case "Deconvolution2D" -> new DnnlDeconvolution2D.Impl(c, DataType.FLOAT);
                case "SubsamplingLayer" -> new DnnlSubsamplingLayer.Impl(c, DataType.FLOAT);
                case "Upsampling2D" -> new DnnlUpsampling2D.Impl(c, DataType.FLOAT);
                case "BatchNormalization" -> new DnnlBatchNormalization.Impl(c, DataType.FLOAT);
                default -> null;
            };
            if (impl == null) continue;
            impl.setIndex(i);
            impl.setListeners(layers[i].getListeners());
            impl.setParamsViewArray(layers[i].params());
            impl.setParamTable(layers[i].paramTable());
            if (layers[i].getGradientsViewArray() != null) impl.setBackpropGradientsViewArray(layers[i].getGradientsViewArray());
            impl.setCacheMode(conf.getCacheMode());
            layers[i] = impl;
            swapped++;
        }
        assertEquals(15, swapped);
        net.setLayers(layers);
        Map<String, Long> before = DnnlLayers.executed();
        INDArray x = Compare.images(8, 1, 28, 28, 12).castTo(DataType.FLOAT);
        for (MultiLayerNetwork n : new MultiLayerNetwork[] {stock, net}) {
            n.setInput(x);
            n.setLabels(x);
            n.computeGradientAndScore();
        }
        assertTrue(DnnlLayers.executed().get("deconvolution forward") > before.getOrDefault("deconvolution forward", 0L));
        assertTrue(Compare.relativeError(net.gradient().gradient(), stock.gradient().gradient()) < 2e-4);
        assertEquals(stock.score(), net.score(), 1e-4 * stock.score());
        assertEquals(stock.getLayerWiseConfigurations(), net.getLayerWiseConfigurations());
    }

    @Test
    void savedModelsLoadWithEitherImplementation() throws Exception {
        MultiLayerNetwork fast = Compare.net(Compare.swapped(denoiser(), ModelsTest::swap, DataType.FLOAT));
        INDArray x = Compare.images(4, 1, 28, 28, 9).castTo(DataType.FLOAT);
        fast.fit(x, x);
        File file = Files.createTempFile("dnnl-model", ".zip").toFile();
        try {
            ModelSerializer.writeModel(fast, file, true);
            MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
            assertEquals(fast.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
            assertTrue(restored.getLayer(0).conf().getLayer() instanceof DnnlConvolutionLayer);
            assertEquals(fast.params(), restored.params());
            assertTrue(fast.output(x).equalsWithEps(restored.output(x), 1e-6));
            // the same parameters in the stock network give the same output
            MultiLayerConfiguration stockConf = denoiser();
            stockConf.setDataType(DataType.FLOAT);
            MultiLayerNetwork stock = Compare.net(stockConf);
            stock.setParams(restored.params());
            assertTrue(Compare.relativeError(stock.output(x), restored.output(x)) < 1e-4);
        } finally {
            file.delete();
        }
    }
}
