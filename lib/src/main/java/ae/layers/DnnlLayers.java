package ae.layers;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;

/**
 * The oneDNN layers as replacements for DL4J's stock ones: what the helper jar's switch between stock and fast
 * layers asks. Same configuration, parameters and results; float networks run on oneDNN (bytedeco's dnnl, beside
 * libnd4j's own oneDNN), other data types on the stock code.
 */
public final class DnnlLayers {
    private DnnlLayers() {}

    /** Whether oneDNN's Java bindings loaded on this machine (x86_64 with the natives); else {@link #unavailable}. */
    public static boolean available() {
        return Dnnl.available();
    }

    /** Why the oneDNN layers cannot run here, or null. */
    public static String unavailable() {
        return Dnnl.UNAVAILABLE;
    }

    /** oneDNN's version and the instruction set it runs, e.g. "oneDNN 2.5.2, isa avx512_core_bf16". */
    public static String describe() {
        return Dnnl.describe();
    }

    /**
     * The oneDNN implementation of a stock layer configuration (exactly its class: ConvolutionLayer,
     * Deconvolution2D, SubsamplingLayer, Upsampling2D, BatchNormalization), or null when there is none or the
     * configuration uses something it does not support ({@link #whyNot} says what).
     */
    public static Layer replacement(Layer stock) {
        if (whyNot(stock) != null) return null;
        if (stock.getClass() == ConvolutionLayer.class) return DnnlConvolutionLayer.from((ConvolutionLayer) stock);
        if (stock.getClass() == Deconvolution2D.class) return DnnlDeconvolution2D.from((Deconvolution2D) stock);
        if (stock.getClass() == SubsamplingLayer.class) return DnnlSubsamplingLayer.from((SubsamplingLayer) stock);
        if (stock.getClass() == Upsampling2D.class) return DnnlUpsampling2D.from((Upsampling2D) stock);
        if (stock.getClass() == BatchNormalization.class) return DnnlBatchNormalization.from((BatchNormalization) stock);
        return null;
    }

    /** Why a stock layer configuration has no oneDNN replacement, or null when it has one. */
    public static String whyNot(Layer stock) {
        if (stock.getClass() == ConvolutionLayer.class) return DnnlConvolutionLayer.supports((ConvolutionLayer) stock);
        if (stock.getClass() == Deconvolution2D.class) return DnnlDeconvolution2D.supports((Deconvolution2D) stock);
        if (stock.getClass() == SubsamplingLayer.class) return DnnlSubsamplingLayer.supports((SubsamplingLayer) stock);
        if (stock.getClass() == Upsampling2D.class) return DnnlUpsampling2D.supports((Upsampling2D) stock);
        if (stock.getClass() == BatchNormalization.class) return DnnlBatchNormalization.supports((BatchNormalization) stock);
        return "no oneDNN implementation of " + stock.getClass().getSimpleName();
    }

    /** How many times oneDNN ran each kind of primitive in this process (tests: the native path was taken). */
    public static java.util.Map<String, Long> executed() {
        return Dnnl.executedAll();
    }
}
