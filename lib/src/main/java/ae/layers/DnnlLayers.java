package ae.layers;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * What the oneDNN layers of {@link FastLayers} can do on this machine: whether oneDNN's Java bindings loaded (the
 * bench and the tests ask), which instruction set it runs, why a layer configuration keeps DL4J's own layer, and how
 * many times each kind of oneDNN primitive ran (the tests assert that the native path was taken: DL4J would fall back
 * to its own code without a word).
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
     * Why a stock layer configuration (exactly its class: ConvolutionLayer, Deconvolution2D, SubsamplingLayer,
     * Upsampling2D, BatchNormalization) keeps DL4J's own layer in a float network, or null when oneDNN computes it.
     */
    public static String whyNot(Layer stock) {
        if (stock.getClass() == org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class) {
            return ConvolutionLayer.whyNot((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) stock);
        }
        if (stock.getClass() == Deconvolution2D.class) return Deconvolution2DLayer.whyNot((Deconvolution2D) stock);
        if (stock.getClass() == org.deeplearning4j.nn.conf.layers.SubsamplingLayer.class) {
            return SubsamplingLayer.whyNot((org.deeplearning4j.nn.conf.layers.SubsamplingLayer) stock);
        }
        if (stock.getClass() == org.deeplearning4j.nn.conf.layers.Upsampling2D.class) {
            return Upsampling2D.whyNot((org.deeplearning4j.nn.conf.layers.Upsampling2D) stock);
        }
        if (stock.getClass() == BatchNormalization.class) return DnnlBatchNormalization.whyNot((BatchNormalization) stock);
        return "no oneDNN implementation of " + stock.getClass().getSimpleName();
    }

    /** How many times oneDNN ran each kind of primitive in this process. */
    public static java.util.Map<String, Long> executed() {
        return Dnnl.executedAll();
    }
}
