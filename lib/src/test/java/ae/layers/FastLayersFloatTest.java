package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The helper jar's libnd4j-based Fast layers (FastConvolutionLayer, FastDeconvolution2D, FastBatchNormalization) in
 * float, the code path the notebooks use (libnd4j sends float convolutions and batch norm to its own oneDNN; its
 * double-precision paths, which the Fast layers' own tests compare, are libnd4j's generic code), against the stock
 * layers in double; batch norm on dense input too (chapter 5), and a check that its native helper ran (DL4J would
 * fall back to the stock code without a word).
 */
class FastLayersFloatTest {

    /** An instance of a Fast layer's configuration (package ae: its constructors are not public) with the stock settings. */
    static <T extends Layer> T fast(String name, Layer stock) {
        try {
            var ctor = Class.forName("ae." + name).getDeclaredConstructor();
            ctor.setAccessible(true);
            @SuppressWarnings("unchecked")
            T fast = (T) ctor.newInstance();
            return Confs.copy(stock, fast);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static Layer swap(Layer l) {
        if (l.getClass() == ConvolutionLayer.class) return fast("FastConvolutionLayer", l);
        if (l.getClass() == Deconvolution2D.class) return fast("FastDeconvolution2D", l);
        if (l.getClass() == BatchNormalization.class) return fast("FastBatchNormalization", l);
        return l;
    }

    @Test
    void convolutionDeconvolutionAndBatchNormInFloat() {
        INDArray clean = Compare.images(8, 1, 28, 28, 70);
        System.out.println("Fast layers, denoiser, float vs double stock: "
                + Compare.compare(ModelsTest.denoiser(), FastLayersFloatTest::swap, clean.mul(0.9).addi(0.05), clean, 2e-4));
        INDArray x = Compare.images(8, 1, 28, 28, 71);
        System.out.println("Fast layers, Fashion conv, float vs double stock: "
                + Compare.compare(ModelsTest.fashionConv(), FastLayersFloatTest::swap, x, x, 2e-4));
    }

    @Test
    void batchNormOnDenseInputInFloatAndItsHelperRuns() throws Exception {
        MultiLayerConfiguration conf = LayersTest.batchNormDense();
        INDArray x = Compare.images(1, 1, 9, 12, 72).reshape(9, 12).muli(3).addi(1);
        System.out.println("FastBatchNormalization, dense, float vs double stock: "
                + Compare.compare(conf, FastLayersFloatTest::swap, x, x.div(4), 1e-4));
        MultiLayerNetwork net = Compare.net(Compare.swapped(conf, FastLayersFloatTest::swap, DataType.FLOAT));
        net.fit(x.castTo(DataType.FLOAT), x.div(4).castTo(DataType.FLOAT));
        Field helper = org.deeplearning4j.nn.layers.normalization.BatchNormalization.class.getDeclaredField("helper");
        helper.setAccessible(true);
        var h = (org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper) helper.get(net.getLayer(0));
        assertNotNull(h, "the native helper is installed");
        assertNotNull(h.getMeanCache(DataType.FLOAT), "the native helper computed the batch statistics (it ran)");
        assertEquals(12, h.getMeanCache(DataType.FLOAT).length());
    }
}
