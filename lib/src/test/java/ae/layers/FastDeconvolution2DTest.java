package ae.layers;

import static ae.layers.FastConvolutionLayerTest.assertSameAsStock;
import static ae.layers.FastConvolutionLayerTest.net;
import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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

/** The transposed convolution computed as a turned convolution gives the stock Deconvolution2D's results. */
class FastDeconvolution2DTest {

    @BeforeAll
    static void doublePrecision() {
        FastConvolutionLayerTest.doublePrecision();
    }

    @AfterAll
    static void restore() {
        FastConvolutionLayerTest.restore();
    }

    static Layer stock(int k, Activation a) {
        return new Deconvolution2D.Builder(k, k).nOut(4).activation(a).convolutionMode(ConvolutionMode.Same).build();
    }

    static Layer fast(int k, Activation a) {
        return new FastDeconvolution2D.Builder(k, k).nOut(4).activation(a).build();
    }

    @ParameterizedTest
    @CsvSource({"3, RELU", "3, TANH", "5, SIGMOID", "1, IDENTITY"})
    void matchesTheStockLayerForwardAndBackward(int k, Activation a) {
        assertSameAsStock(net(stock(k, a), 2, 7), net(fast(k, a), 2, 7));
    }

    @Test
    void passesDl4jsGradientCheck() {
        MultiLayerNetwork f = net(fast(3, Activation.TANH), 2, 5);
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 5, 5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 3);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(f).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)));
    }

    @Test
    void savesAndLoadsWithModelSerializer(@TempDir File dir) throws Exception {
        MultiLayerNetwork f = net(fast(3, Activation.RELU), 1, 6);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 6, 6);
        File file = new File(dir, "net.zip");
        ModelSerializer.writeModel(f, file, true);
        MultiLayerNetwork back = MultiLayerNetwork.load(file, true);
        assertTrue(back.getLayer(1).conf().getLayer() instanceof FastDeconvolution2D);
        assertTrue(f.output(x).equalsWithEps(back.output(x), 1e-12));
    }

    @Test
    void unsupportedSettingsAreRefusedClearly() {
        var e = assertThrows(IllegalArgumentException.class, () -> new FastDeconvolution2D.Builder(3, 3).stride(2, 2).build());
        assertTrue(e.getMessage().contains("stride"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new FastDeconvolution2D.Builder(3, 3).convolutionMode(ConvolutionMode.Truncate).build());
        assertTrue(e.getMessage().contains("Truncate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FastDeconvolution2D.Builder(2, 2).build());
        assertTrue(e.getMessage().contains("odd"), e.getMessage());
    }
}
