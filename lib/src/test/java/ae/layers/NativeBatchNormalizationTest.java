package ae.layers;

import static ae.layers.ConvolutionLayerTest.assertSameAsStock;
import static ae.layers.ConvolutionLayerTest.assertSavedAndLoaded;
import static ae.layers.ConvolutionLayerTest.fast;
import static ae.layers.ConvolutionLayerTest.net;
import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/** Batch normalization through the native ops gives the stock layer's outputs, gradients and running statistics. */
@ExtendWith(DoublePrecision.class)
class NativeBatchNormalizationTest {

    static BatchNormalization stock() {
        return new BatchNormalization.Builder().decay(0.9).eps(1e-3).build();
    }

    @Test
    void theStockLayerIsAtWorkWithTheNativeHelperInside() {
        MultiLayerNetwork f = fast(net(stock(), 2, 7));
        assertEquals(org.deeplearning4j.nn.layers.normalization.BatchNormalization.class, f.getLayer(1).getClass());
        assertTrue(f.getLayer(1).getHelper() instanceof NativeBatchNormalization);
        assertEquals(0, FastLayers.apply(f, true), "a second apply changes nothing");
        assertTrue(f.getLayer(1).getHelper() instanceof NativeBatchNormalization);
    }

    @Test
    void matchesTheStockLayerForwardAndBackward() {
        assertSameAsStock(net(stock(), 2, 7), fast(net(stock(), 2, 7)));
    }

    @Test
    void runningStatisticsAndTrainingMatchTheStockLayer() {
        MultiLayerNetwork s = net(stock(), 2, 6, DataType.DOUBLE, new Sgd(0.05)), f = fast(net(stock(), 2, 6, DataType.DOUBLE, new Sgd(0.05)));
        f.setParams(s.params().dup());
        Nd4j.getRandom().setSeed(3);
        for (int step = 0; step < 5; step++) {
            INDArray x = Nd4j.rand(DataType.DOUBLE, 8, 2, 6, 6).muli(3).addi(1), y = Nd4j.rand(DataType.DOUBLE, 8, 3);
            s.fit(new DataSet(x, y));
            f.fit(new DataSet(x, y));
        }
        double diff = s.params().sub(f.params()).amaxNumber().doubleValue();
        assertTrue(diff < 1e-8, "parameters after 5 steps differ by " + diff);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 2, 6, 6);
        assertTrue(s.output(x).equalsWithEps(f.output(x), 1e-8), "inference with the running statistics");
    }

    @Test
    void floatPrecisionUsesTheSameMath() {
        MultiLayerNetwork s = net(stock(), 2, 7, DataType.FLOAT, new Sgd(0.05)),
                f = fast(net(stock(), 2, 7, DataType.FLOAT, new Sgd(0.05)));
        f.setParams(s.params().dup());
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 2, 7, 7), y = Nd4j.rand(DataType.FLOAT, 5, 3);
        for (MultiLayerNetwork n : new MultiLayerNetwork[] {s, f}) {
            n.setInput(x);
            n.setLabels(y);
            n.computeGradientAndScore();
        }
        assertEquals(s.score(), f.score(), 1e-5);
        for (String key : s.gradient().gradientForVariable().keySet()) {
            double diff = s.gradient().getGradientFor(key).sub(f.gradient().getGradientFor(key)).amaxNumber().doubleValue();
            assertTrue(diff < 1e-5, key + " gradients differ by " + diff);
        }
    }

    @Test
    void passesDl4jsGradientCheck() {
        MultiLayerNetwork f = fast(net(stock(), 2, 5));
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 2, 5, 5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 4, 3);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(f).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                .excludeParams(Set.of("1_mean", "1_var", "1_log10stdev"))));
    }

    @Test
    void savesAndLoadsWithModelSerializer(@TempDir File dir) throws Exception {
        assertSavedAndLoaded(fast(net(stock(), 1, 6)), Nd4j.rand(DataType.DOUBLE, 2, 1, 6, 6), dir);
    }
}
