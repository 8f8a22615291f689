package ae.layers;

import static ae.layers.ConvolutionLayerTest.assertSameAsStock;
import static ae.layers.ConvolutionLayerTest.assertSavedAndLoaded;
import static ae.layers.ConvolutionLayerTest.fast;
import static ae.layers.ConvolutionLayerTest.net;
import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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

/** The transposed convolution computed as a turned convolution gives the stock Deconvolution2D's results. */
@ExtendWith(DoublePrecision.class)
class Deconvolution2DLayerTest {

    static Layer stock(int k, Activation a) {
        return new Deconvolution2D.Builder(k, k).nOut(4).activation(a).convolutionMode(ConvolutionMode.Same).build();
    }

    @ParameterizedTest
    @CsvSource({"3, RELU", "3, TANH", "5, SIGMOID", "1, IDENTITY"})
    void matchesTheStockLayerForwardAndBackward(int k, Activation a) {
        MultiLayerNetwork f = fast(net(stock(k, a), 2, 7));
        assertTrue(f.getLayer(1) instanceof Deconvolution2DLayer, f.getLayer(1).getClass().getName());
        assertSameAsStock(net(stock(k, a), 2, 7), f);
    }

    @Test
    void passesDl4jsGradientCheck() {
        MultiLayerNetwork f = fast(net(stock(3, Activation.TANH), 2, 5));
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 5, 5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 3);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(f).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)));
    }

    @Test
    void savesAndLoadsWithModelSerializer(@TempDir File dir) throws Exception {
        assertSavedAndLoaded(fast(net(stock(3, Activation.RELU), 1, 6)), Nd4j.rand(DataType.DOUBLE, 2, 1, 6, 6), dir);
    }

    @Test
    void settingsItDoesNotComputeKeepTheStockLayer() {
        for (Layer deconv : new Layer[] {new Deconvolution2D.Builder(3, 3).nOut(4).stride(2, 2).convolutionMode(ConvolutionMode.Same).build(),
                new Deconvolution2D.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Truncate).build(),
                new Deconvolution2D.Builder(2, 2).nOut(4).convolutionMode(ConvolutionMode.Same).build()}) {
            MultiLayerNetwork n = fast(net(deconv, 2, 7));
            assertEquals(org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer.class, n.getLayer(1).getClass(), deconv.toString());
        }
    }
}
