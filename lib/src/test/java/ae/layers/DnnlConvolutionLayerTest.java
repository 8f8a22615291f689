package ae.layers;

import static org.junit.jupiter.api.Assertions.*;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class DnnlConvolutionLayerTest {

    static Layer swap(Layer l) {
        return l instanceof ConvolutionLayer c && c.getClass() == ConvolutionLayer.class ? DnnlConvolutionLayer.from(c) : l;
    }

    static MultiLayerConfiguration net(ConvolutionMode mode, int stride, Activation hidden, Activation out) {
        return new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(16).stride(stride, stride).activation(hidden).convolutionMode(mode).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(hidden).convolutionMode(mode).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(1).activation(out).convolutionMode(ConvolutionMode.Same).build())
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(12, 12, 3))
                .build();
    }

    @Test
    void sameModeReluSigmoidMatchesTheStockLayerInFloat() {
        long before = Dnnl.executed("convolution forward");
        INDArray x = Compare.images(5, 3, 12, 12, 1);
        INDArray y = Compare.images(5, 1, 12, 12, 2);
        Compare.Result r = Compare.compare(net(ConvolutionMode.Same, 1, Activation.RELU, Activation.SIGMOID), DnnlConvolutionLayerTest::swap, x, y, 1e-4);
        System.out.println(r);
        assertTrue(Dnnl.executed("convolution forward") > before, "oneDNN's convolution ran");
        assertTrue(Dnnl.executed("convolution backward weights") > 0);
        assertTrue(Dnnl.executed("convolution backward data") > 0);
    }

    @Test
    void truncateModeAndStride2() {
        INDArray x = Compare.images(4, 3, 12, 12, 3);
        INDArray y = Compare.images(4, 1, 3, 3, 4);
        Compare.Result r = Compare.compare(net(ConvolutionMode.Truncate, 2, Activation.IDENTITY, Activation.SIGMOID), DnnlConvolutionLayerTest::swap, x, y, 1e-4);
        System.out.println(r);
    }
}
