package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import ae.Settings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The course's models through the switch, as their notebooks record them (bench/models/&lt;model&gt;.json, what
 * `make bench` trains): chapter 3's convolutional autoencoder, chapter 4's denoiser, and chapter 5's model with
 * batch norm on dense input (its layer sizes scaled down: 60 million parameters are no unit test). Each in float
 * with the switch on against the stock layers in double: outputs, score, every parameter gradient and the input
 * gradient; which layers the switch took, and that oneDNN actually computed them (its counters); 20 training steps;
 * save and load.
 */
class ModelsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The configuration a notebook recorded for a bench model (the same file Bench.java builds its network from). */
    static MultiLayerConfiguration recorded(String model) {
        return MultiLayerConfiguration.fromJson(recordedJson(model).toString());
    }

    static JsonNode recordedJson(String model) {
        File file = Settings.home().resolve("bench").resolve("models").resolve(model + ".json").toFile();
        try {
            return JSON.readTree(file).get("configuration");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Chapter 5's recorded model with the sizes 6,912 / 3,456 / 1,728 made 12 / 10 / 5: same layers and settings. */
    static MultiLayerConfiguration kittensScaledDown() {
        Map<Long, Long> sizes = Map.of(6912L, 12L, 3456L, 10L, 1728L, 5L);
        JsonNode conf = recordedJson("kittens").deepCopy();
        for (JsonNode c : conf.get("confs")) {
            ObjectNode layer = (ObjectNode) c.get("layer");
            for (String key : List.of("nin", "nout")) {
                long n = layer.get(key).asLong();
                assertTrue(sizes.containsKey(n), "chapter 5's model has a layer of size " + n + "; scale it here too");
                layer.put(key, sizes.get(n));
            }
        }
        return MultiLayerConfiguration.fromJson(conf.toString());
    }

    static List<Class<?>> classes(MultiLayerNetwork net) {
        return Arrays.stream(net.getLayers()).<Class<?>>map(l -> l.getClass()).toList();
    }

    static final Class<?> STOCK_LOSS = org.deeplearning4j.nn.layers.convolution.CnnLossLayer.class;
    static final Class<?> BATCH_NORM = org.deeplearning4j.nn.layers.normalization.BatchNormalization.class;

    @Test
    void chapter3sConvolutionalAutoencoder() {
        MultiLayerConfiguration conf = recorded("fashion-conv");
        MultiLayerNetwork net = Compare.switched(conf);
        assertEquals(List.of(ConvolutionLayer.class, SubsamplingLayer.class, ConvolutionLayer.class, SubsamplingLayer.class,
                ConvolutionLayer.class, SubsamplingLayer.class, ConvolutionLayer.class, Upsampling2D.class, ConvolutionLayer.class,
                Upsampling2D.class, ConvolutionLayer.class, Upsampling2D.class, ConvolutionLayer.class, STOCK_LOSS), classes(net));
        INDArray x = Compare.images(16, 1, 28, 28, 5);
        Compare.compareOnOneDnn("chapter 3's convolutional model", conf, x, x, 2e-4, "convolution forward", "convolution backward weights", "convolution backward data", "pooling forward",
                "pooling backward", "upsampling forward", "upsampling backward", "activation backward");
    }

    static INDArray noisy(INDArray clean, long seed) {
        INDArray noise = Compare.images(clean.size(0), 1, 28, 28, seed).subi(0.5);
        return Transforms.min(Transforms.max(clean.add(noise), 0.0, false), 1.0, false);
    }

    @Test
    void chapter4sDenoiser() {
        MultiLayerConfiguration conf = recorded("mnist-denoising");
        MultiLayerNetwork net = Compare.switched(conf);
        assertEquals(List.of(ConvolutionLayer.class, BATCH_NORM, SubsamplingLayer.class, ConvolutionLayer.class, BATCH_NORM,
                SubsamplingLayer.class, ConvolutionLayer.class, DenseLayer.class, DenseLayer.class, Deconvolution2DLayer.class, BATCH_NORM,
                Upsampling2D.class, Deconvolution2DLayer.class, BATCH_NORM, Upsampling2D.class, Deconvolution2DLayer.class,
                ConvolutionLayer.class, STOCK_LOSS), classes(net));
        assertEquals(17, Compare.swapped(net), "every layer but the loss; the four batch norms with the oneDNN helper");
        INDArray clean = Compare.images(16, 1, 28, 28, 6);
        Compare.compareOnOneDnn("chapter 4's denoiser", conf, noisy(clean, 7), clean, 2e-4, "convolution forward", "deconvolution forward", "deconvolution backward weights",
                "deconvolution backward data", "batchnorm forward", "batchnorm backward", "pooling backward", "upsampling backward");
    }

    @Test
    void chapter5sModelWithBatchNormOnDenseInput() {
        MultiLayerConfiguration conf = kittensScaledDown();
        MultiLayerNetwork net = Compare.switched(conf);
        assertEquals(List.of(BATCH_NORM, DenseLayer.class, DenseLayer.class, BATCH_NORM, DenseLayer.class, OutputLayer.class), classes(net));
        assertEquals(6, Compare.swapped(net));
        INDArray x = Compare.images(1, 1, 16, 12, 8).reshape(16, 12);
        Compare.compareOnOneDnn("chapter 5's model (scaled down)", conf, x, x, 2e-4, "batchnorm forward", "batchnorm backward");
    }

    /**
     * Twenty training steps of chapter 3's model in float, stock layers and switched ones from the same parameters,
     * with plain gradient descent: the parameters stay equal to float precision. (With the notebook's AdaDelta, which
     * scales every update to a similar size whatever the gradient, a single ReLU output rounded to just above zero in
     * one implementation and to zero in the other, as happened with the AVX2 kernels, turns into whole steps of
     * difference: a comparison of rounding, not of correctness. The gradients themselves are compared above.)
     */
    @Test
    void trainingStepsMatchInFloat() {
        MultiLayerConfiguration stock = recorded("fashion-conv");
        for (NeuralNetConfiguration c : stock.getConfs()) {
            if (c.getLayer() instanceof BaseLayer b) b.setIUpdater(new Sgd(1e-3));
        }
        MultiLayerNetwork a = Compare.net(stock.clone()), b = Compare.switched(stock);
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
        System.out.println("chapter 3's model, 20 steps: the parameters' changes differ by " + e + " (relative); scores " + a.score() + " / " + b.score());
        assertTrue(a.score() < first, "the training lowers the loss: " + first + " -> " + a.score());
        assertTrue(e < 1e-4, "the parameters' changes after 20 steps differ by " + e);
        assertEquals(a.score(), b.score(), 1e-5 * Math.abs(a.score()));
    }

    /**
     * Twenty Adam steps of chapter 4's denoiser: its batch norms make float training drift from double precision
     * from the first step (small variances amplify rounding), for the stock layers as for these; the switched layers
     * in float may drift from the stock layers in double no more than the stock layers in float do (3x, for the
     * rounding's own spread).
     */
    @Test
    void denoiserTrainingDriftsNoMoreThanTheStockLayersInFloat() {
        MultiLayerConfiguration stock = recorded("mnist-denoising"), refConf = stock.clone();
        refConf.setDataType(DataType.DOUBLE);
        MultiLayerNetwork ref = Compare.net(refConf), stockFloat = Compare.net(stock.clone()), fast = Compare.switched(stock);
        stockFloat.setParams(ref.params().castTo(DataType.FLOAT));
        fast.setParams(ref.params().castTo(DataType.FLOAT));
        for (int step = 0; step < 20; step++) {
            INDArray clean = Compare.images(8, 1, 28, 28, 100 + step), x = noisy(clean, 200 + step);
            ref.fit(x, clean);
            stockFloat.fit(x.castTo(DataType.FLOAT), clean.castTo(DataType.FLOAT));
            fast.fit(x.castTo(DataType.FLOAT), clean.castTo(DataType.FLOAT));
        }
        double drift = Compare.relativeError(stockFloat.params(), ref.params());
        double e = Compare.relativeError(fast.params(), ref.params());
        System.out.println("denoiser, 20 steps, parameters' relative difference from the stock layers in double: switched float " + e
                + ", stock float " + drift + "; scores " + ref.score() + " / " + stockFloat.score() + " / " + fast.score());
        assertTrue(e <= 3 * drift, "parameters after 20 steps differ by " + e + " (stock float: " + drift + ")");
        assertEquals(ref.score(), fast.score(), 1e-3 * Math.abs(ref.score()));
    }

    @Test
    void savedModelsAreStockModels(@TempDir File dir) throws Exception {
        MultiLayerNetwork fast = Compare.switched(recorded("mnist-denoising"));
        INDArray clean = Compare.images(4, 1, 28, 28, 9).castTo(DataType.FLOAT);
        fast.fit(noisy(clean, 10).castTo(DataType.FLOAT), clean);
        Compare.assertSavedAndLoaded(fast, clean, dir, 1e-4);
    }
}
