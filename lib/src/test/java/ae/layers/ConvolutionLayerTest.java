package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.util.Map;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The oneDNN convolution through the switch, in float, against the stock layer in double: outputs, score, every
 * gradient, the input gradient; whether or not the network keeps its forward pass for the backward pass (CacheMode);
 * what it does not compute keeps the stock layer; saved models are plain DL4J models.
 */
class ConvolutionLayerTest {

    static org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder conv(int k, int nOut) {
        return new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(k, k).nOut(nOut);
    }

    /** Three convolutions (the tested settings in the first two) and a loss: the gradients pass through each. */
    static MultiLayerConfiguration net(ConvolutionMode mode, int stride, Activation hidden, Activation out, CacheMode cache) {
        return new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER).cacheMode(cache)
                .list()
                .layer(conv(3, 16).stride(stride, stride).activation(hidden).convolutionMode(mode).build())
                .layer(conv(3, 8).activation(hidden).convolutionMode(mode).build())
                .layer(conv(3, 1).activation(out).convolutionMode(ConvolutionMode.Same).build())
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(12, 12, 3))
                .build();
    }

    @ParameterizedTest
    @CsvSource({"Same, 1, RELU, NONE", "Same, 1, RELU, DEVICE", "Truncate, 2, IDENTITY, NONE", "Strict, 1, SIGMOID, DEVICE"})
    void matchesTheStockLayerInFloat(ConvolutionMode mode, int stride, Activation hidden, CacheMode cache) {
        MultiLayerConfiguration conf = net(mode, stride, hidden, Activation.SIGMOID, cache);
        assertEquals(3, Compare.swapped(Compare.switched(conf)));
        assertEquals(ConvolutionLayer.class, Compare.switched(conf).getLayer(0).getClass());
        long[] out = Compare.switched(conf).output(Compare.images(1, 3, 12, 12, 0).castTo(DataType.FLOAT)).shape();
        Compare.compareOnOneDnn("convolution " + mode + ", stride " + stride + ", " + hidden + ", cache " + cache, conf,
                Compare.images(5, 3, 12, 12, 1), Compare.images(5, 1, out[2], out[3], 2), 1e-4,
                "convolution forward", "convolution backward weights", "convolution backward data");
    }

    @Test
    void settingsItDoesNotComputeKeepTheStockLayer() {
        for (Layer other : new Layer[] {conv(3, 4).dilation(2, 2).convolutionMode(ConvolutionMode.Same).build(),
                conv(3, 4).hasBias(false).convolutionMode(ConvolutionMode.Same).build(),
                conv(3, 4).dropOut(0.5).convolutionMode(ConvolutionMode.Same).build(),
                conv(3, 4).activation(Activation.TANH).convolutionMode(ConvolutionMode.Same).build()}) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                    .layer(conv(3, 2).activation(Activation.RELU).convolutionMode(ConvolutionMode.Same).build())
                    .layer(other)
                    .setInputType(InputType.convolutional(9, 9, 2)).build();
            MultiLayerNetwork n = Compare.switched(conf);
            assertEquals(org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class, n.getLayer(1).getClass(), DnnlLayers.whyNot(other));
            assertNotNull(DnnlLayers.whyNot(other));
            assertEquals(ConvolutionLayer.class, n.getLayer(0).getClass(), "the first, supported, convolution is swapped");
        }
    }

    /** oneDNN computes in float; a double network keeps DL4J's layers (and oneDNN does not run). */
    @Test
    void doublePrecisionKeepsTheStockLayer() {
        MultiLayerConfiguration conf = net(ConvolutionMode.Same, 1, Activation.RELU, Activation.SIGMOID, CacheMode.NONE);
        conf.setDataType(DataType.DOUBLE);
        MultiLayerNetwork n = Compare.net(conf);
        assertEquals(0, FastLayers.apply(n, true));
        Map<String, Long> before = DnnlLayers.executed();
        n.fit(Compare.images(2, 3, 12, 12, 3), Compare.images(2, 1, 12, 12, 4));
        assertEquals(before, DnnlLayers.executed());
        var e = assertThrows(IllegalArgumentException.class, () -> new ConvolutionLayer(n.getLayer(0).conf(), DataType.DOUBLE));
        assertTrue(e.getMessage().contains("float networks only"), e.getMessage());
    }

    @Test
    void savesAndLoadsWithModelSerializer(@TempDir File dir) throws Exception {
        MultiLayerNetwork f = Compare.switched(net(ConvolutionMode.Same, 1, Activation.RELU, Activation.SIGMOID, CacheMode.DEVICE));
        INDArray x = Compare.images(3, 3, 12, 12, 5).castTo(DataType.FLOAT);
        f.fit(x, x.mean(true, 1));
        Compare.assertSavedAndLoaded(f, x, dir, 1e-5);
    }
}
