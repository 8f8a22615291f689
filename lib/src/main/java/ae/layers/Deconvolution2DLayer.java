package ae.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * DL4J's transposed convolution at work (the layer of a {@link Deconvolution2D} configuration, Keras's {@code
 * Conv2DTranspose}) computed by oneDNN ({@link ConvCore}): same configuration and parameters ({@code W} [nIn, nOut,
 * kH, kW], {@code b}), same results; bias and activation fused, channels-last activations. The forward pass runs as the
 * equivalent convolution (kernel turned by 180°, channels swapped), whose oneDNN kernels are several times faster than
 * its deconvolution kernels here. DL4J's own {@code Deconvolution2DLayer} is a convolution layer with other
 * arithmetic; so is this one. Named as the stock class, so that {@code net.summary()} lists "Deconvolution2DLayer".
 */
final class Deconvolution2DLayer extends ConvolutionLayer {

    /**
     * Why it cannot stand in for a stock layer of this configuration, or null when it can: stride 1, {@code Same} mode
     * with an odd kernel or {@code Truncate} mode, and what {@link ConvolutionLayer#whyNot} asks.
     */
    static String whyNot(Deconvolution2D conf) {
        if (conf.getStride()[0] != 1 || conf.getStride()[1] != 1) return "stride " + Arrays.toString(conf.getStride()) + " (stride 1 only)";
        if (conf.getConvolutionMode() == ConvolutionMode.Same && (conf.getKernelSize()[0] % 2 == 0 || conf.getKernelSize()[1] % 2 == 0)) {
            return "an even kernel " + Arrays.toString(conf.getKernelSize()) + " in Same mode";
        }
        if (conf.getConvolutionMode() != ConvolutionMode.Same && conf.getConvolutionMode() != ConvolutionMode.Truncate) {
            return "convolution mode " + conf.getConvolutionMode();
        }
        return ConvCore.unsupported(conf);
    }

    Deconvolution2DLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType, true);
    }
}
