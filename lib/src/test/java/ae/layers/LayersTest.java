package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.*;
// DL4J's configurations, not this package's implementations of the same names
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Each oneDNN layer in a small network, swapped in by the switch, against DL4J's stock layer: on the float path
 * (oneDNN) against the stock layer in double, with the counters showing that oneDNN ran; double networks keep the stock
 * layers; what each layer does not support, refused with a message that says so.
 */
class LayersTest {
    static final double FLOAT = 1e-4;

    static NeuralNetConfiguration.ListBuilder list() {
        return new NeuralNetConfiguration.Builder().seed(11).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).list();
    }

    static Layer loss() {
        return new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build();
    }

    @Test
    void transposedConvolutionSameAndTruncate() {
        MultiLayerConfiguration conf = list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.IDENTITY).convolutionMode(ConvolutionMode.Same).build())
                .layer(new Deconvolution2D.Builder(3, 3).nOut(5).activation(Activation.RELU).convolutionMode(ConvolutionMode.Same).build())
                .layer(new Deconvolution2D.Builder(3, 3).nOut(4).activation(Activation.SIGMOID).convolutionMode(ConvolutionMode.Truncate).build())
                .layer(new Deconvolution2D.Builder(5, 5).nOut(2).activation(Activation.IDENTITY).convolutionMode(ConvolutionMode.Same).build())
                .layer(loss())
                .setInputType(InputType.convolutional(9, 8, 3)).build();
        Compare.compareOnOneDnn("transposed convolutions", conf, Compare.images(3, 3, 9, 8, 21), Compare.images(3, 2, 11, 10, 22), FLOAT,
                "deconvolution forward", "deconvolution backward weights", "deconvolution backward data");
    }

    @Test
    void maxPoolingSameWithPaddingAndTruncate() {
        // sigmoid before pooling: no ties between the values of a window (ReLU zeros would tie)
        MultiLayerConfiguration conf = list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.SIGMOID).convolutionMode(ConvolutionMode.Same).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).convolutionMode(ConvolutionMode.Same).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(3, 3).stride(1, 1).convolutionMode(ConvolutionMode.Truncate).build())
                .layer(loss())
                .setInputType(InputType.convolutional(7, 9, 2)).build();   // 7 x 9 -> 4 x 5 (padded at the bottom and right) -> 2 x 3
        Compare.compareOnOneDnn("max pooling", conf, Compare.images(4, 2, 7, 9, 23), Compare.images(4, 4, 2, 3, 24), FLOAT,
                "pooling forward", "pooling backward");
    }

    @Test
    void upsamplingBy2AndBy3x2() {
        MultiLayerConfiguration conf = list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.IDENTITY).convolutionMode(ConvolutionMode.Same).build())
                .layer(new Upsampling2D.Builder(2).build())
                .layer(new Upsampling2D.Builder().size(new int[] {3, 2}).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.IDENTITY).convolutionMode(ConvolutionMode.Same).build())
                .layer(loss())
                .setInputType(InputType.convolutional(5, 4, 3)).build();
        Compare.compareOnOneDnn("upsampling", conf, Compare.images(3, 3, 5, 4, 25), Compare.images(3, 2, 30, 16, 26), FLOAT,
                "upsampling forward", "upsampling backward");
    }

    static MultiLayerConfiguration batchNormConvolutional() {
        return list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.RELU).convolutionMode(ConvolutionMode.Same).build())
                .layer(new BatchNormalization.Builder().decay(0.9).eps(1e-3).build())
                .layer(loss())
                .setInputType(InputType.convolutional(6, 6, 2)).build();
    }

    /** Chapter 5 normalizes dense rows: [batch, features], which oneDNN sees as [batch, features, 1, 1]. */
    static MultiLayerConfiguration batchNormDense() {
        return list()
                .layer(new BatchNormalization.Builder().decay(0.99).eps(1e-3).build())
                .layer(new DenseLayer.Builder().nOut(7).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().decay(0.99).eps(1e-3).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(12).activation(Activation.SIGMOID).build())
                .setInputType(InputType.feedForward(12)).build();
    }

    @Test
    void batchNormOnConvolutionalAndDenseInput() {
        Compare.compareOnOneDnn("batch norm, 4-d", batchNormConvolutional(), Compare.images(5, 2, 6, 6, 27), Compare.images(5, 6, 6, 6, 28),
                FLOAT, "batchnorm forward", "batchnorm backward");
        INDArray x = Compare.images(1, 1, 9, 12, 29).reshape(9, 12).muli(3).addi(1);
        Compare.compareOnOneDnn("batch norm, dense", batchNormDense(), x, x.div(4), FLOAT, "batchnorm forward", "batchnorm backward");
    }

    /** The running mean and variance (DL4J stores log10 of the standard deviation) after training, and inference with them. */
    @Test
    void batchNormRunningStatisticsMatchTheStockLayer() {
        for (MultiLayerConfiguration stock : new MultiLayerConfiguration[] {batchNormConvolutional(), batchNormDense()}) {
            MultiLayerConfiguration refConf = stock.clone();
            refConf.setDataType(DataType.DOUBLE);
            MultiLayerNetwork ref = Compare.net(refConf), fast = Compare.switched(stock);
            fast.setParams(ref.params().castTo(DataType.FLOAT));
            boolean dense = ref.getLayer(0).conf().getLayer() instanceof BatchNormalization;
            for (int step = 0; step < 10; step++) {
                INDArray x = dense ? Compare.images(1, 1, 16, 12, 40 + step).reshape(16, 12).muli(2).addi(0.5) : Compare.images(8, 2, 6, 6, 40 + step);
                INDArray y = dense ? x.div(4) : Compare.images(8, 6, 6, 6, 60 + step);
                ref.fit(x, y);
                fast.fit(x.castTo(DataType.FLOAT), y.castTo(DataType.FLOAT));
            }
            for (int i = 0; i < ref.getnLayers(); i++) {
                if (!(ref.getLayer(i).conf().getLayer() instanceof BatchNormalization)) continue;
                for (String key : new String[] {"mean", "log10stdev"}) {
                    INDArray r = ref.getLayer(i).getParam(key), f = fast.getLayer(i).getParam(key);
                    assertNotNull(r, key);
                    double e = Compare.relativeError(f, r);
                    assertTrue(e < 1e-3, "layer " + i + " " + key + ": relative error " + e);
                }
            }
            INDArray x = dense ? Compare.images(1, 1, 6, 12, 90).reshape(6, 12) : Compare.images(6, 2, 6, 6, 90);
            double e = Compare.relativeError(fast.output(x.castTo(DataType.FLOAT)), ref.output(x));
            assertTrue(e < 1e-3, "inference with the running statistics: relative error " + e);
        }
    }

    /** oneDNN computes in float: in a double network every one of these layers stays DL4J's, and oneDNN does not run. */
    @Test
    void doublePrecisionKeepsTheStockLayers() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(12).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER)
                .dataType(DataType.DOUBLE).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.SIGMOID).convolutionMode(ConvolutionMode.Same).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).convolutionMode(ConvolutionMode.Same).build())
                .layer(new Upsampling2D.Builder(2).build())
                .layer(new Deconvolution2D.Builder(3, 3).nOut(2).activation(Activation.SIGMOID).convolutionMode(ConvolutionMode.Same).build())
                .layer(loss())
                .setInputType(InputType.convolutional(4, 4, 2)).build();
        MultiLayerNetwork net = Compare.net(conf);
        assertEquals(0, FastLayers.apply(net, true));
        Map<String, Long> before = DnnlLayers.executed();
        net.fit(Compare.images(2, 2, 4, 4, 30), Compare.images(2, 2, 4, 4, 31));
        assertEquals(before, DnnlLayers.executed(), "double precision does not go through oneDNN");
    }

    @Test
    void whatIsNotSupportedIsRefusedWithAReason() {
        var nhwc = new ConvolutionLayer.Builder(3, 3).nOut(2).dataFormat(CNN2DFormat.NHWC).build();
        assertTrue(DnnlLayers.whyNot(nhwc).contains("NHWC"), DnnlLayers.whyNot(nhwc));
        var tanh = new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.TANH).build();
        assertTrue(DnnlLayers.whyNot(tanh).contains("activation"), DnnlLayers.whyNot(tanh));
        var dilated = new ConvolutionLayer.Builder(3, 3).nOut(2).dilation(2, 2).build();
        assertTrue(DnnlLayers.whyNot(dilated).contains("dilation"));
        var avg = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build();
        assertTrue(DnnlLayers.whyNot(avg).contains("AVG"), DnnlLayers.whyNot(avg));
        var strided = new Deconvolution2D.Builder(3, 3).nOut(2).stride(2, 2).convolutionMode(ConvolutionMode.Same).build();
        assertTrue(DnnlLayers.whyNot(strided).contains("stride"));
        var locked = new BatchNormalization.Builder().lockGammaBeta(true).build();
        assertTrue(DnnlLayers.whyNot(locked).contains("locked"));
        assertTrue(DnnlLayers.whyNot(new DenseLayer.Builder().nOut(3).build()).contains("no oneDNN implementation"));
        assertNull(DnnlLayers.whyNot(new ConvolutionLayer.Builder(3, 3).nOut(2).build()));
    }

    @Test
    void oneDnnLoadedBesideLibnd4jAndSaysWhatItRuns() {
        assertTrue(DnnlLayers.available(), DnnlLayers.unavailable());
        assertTrue(DnnlLayers.describe().startsWith("oneDNN 2.5.2, isa "), DnnlLayers.describe());
        // libnd4j's own oneDNN (2.3, inside libnd4jcpu) still works after bytedeco's 2.5 loaded
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 5), w = Nd4j.rand(DataType.FLOAT, 3, 3, 3, 4), b = Nd4j.zeros(DataType.FLOAT, 4);
        INDArray z = Nd4j.create(DataType.FLOAT, 2, 4, 5, 5);
        Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("conv2d").addInputs(x, w, b).addOutputs(z)
                .addIntegerArguments(3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 0).build());
        MultiLayerNetwork net = Compare.switched(list().layer(new ConvolutionLayer.Builder(3, 3).nOut(4)
                .activation(Activation.IDENTITY).convolutionMode(ConvolutionMode.Same).build()).layer(loss())
                .setInputType(InputType.convolutional(5, 5, 3)).build());
        assertEquals(ae.layers.ConvolutionLayer.class, net.getLayer(0).getClass());
        net.getLayer(0).getParam("W").assign(w.permute(3, 2, 0, 1));
        net.getLayer(0).getParam("b").assign(0);
        assertTrue(Compare.relativeError(net.output(x), z) < 1e-5, "libnd4j's conv2d and the oneDNN layer agree");
    }
}
