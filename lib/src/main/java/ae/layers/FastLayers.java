package ae.layers;

import ae.Settings;
import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The one switch to the helper jar's faster layers. A notebook builds its model with DL4J's own layers ({@code
 * DenseLayer}, {@code ConvolutionLayer}, {@code BatchNormalization}, …), exactly as anywhere else, and then calls
 *
 * <pre>
 *   MultiLayerNetwork net = new MultiLayerNetwork(conf);
 *   net.init();
 *   FastLayers.apply(net);   // the same layers, computed by oneDNN
 * </pre>
 *
 * It replaces, in the initialised network, the object that computes each layer DL4J supports here with one that
 * computes the same thing faster: same configuration, same parameters (the very same arrays: nothing is initialised
 * again, so the weights are those DL4J drew), same outputs, score and gradients (the unit tests check each one against
 * the stock layer). The configuration is not touched: {@code net.summary()} lists the stock layers, a saved model is a
 * plain DL4J model that loads anywhere (call {@code apply} again after loading), and a notebook without this line
 * trains the same network, only more slowly. {@code AE_FAST_LAYERS=0} turns the switch off ({@link
 * Settings#fastLayers()}).
 *
 * <p>The mapping below, one line per stock layer type, is all there is to it: its configuration class, what the fast
 * implementation supports (anything else keeps DL4J's layer), and how to make one. Dense and output layers run their
 * matrix products on libnd4j's {@code matmul} op ({@link DenseProducts}); convolutions, transposed convolutions, max
 * pooling, upsampling and batch normalization call oneDNN directly ({@link Dnnl}) in float networks. Where oneDNN's
 * natives are missing ({@link DnnlLayers#unavailable} says why: no x86_64 CPU, as on Apple Silicon or Linux arm64, or
 * a build with {@code ONEDNN=0}), those five keep DL4J's own layers, and so do networks in double precision (oneDNN
 * computes in float). An implementation extends DL4J's own and carries its simple name (DL4J's summary prints the
 * class name of the layer at work).
 */
public final class FastLayers {

    private FastLayers() {}

    /** Stock configuration type → fast implementation: one line each (the first entry that applies wins). */
    static final List<Swap<?>> SWAPS = List.of(
            new Swap<>(org.deeplearning4j.nn.conf.layers.DenseLayer.class, any(DenseLayer::supports), DenseLayer::new),
            new Swap<>(org.deeplearning4j.nn.conf.layers.OutputLayer.class, any(DenseProducts::supports), OutputLayer::new),
            new Swap<>(org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class, oneDnn(ConvolutionLayer::whyNot), ConvolutionLayer::new),
            new Swap<>(org.deeplearning4j.nn.conf.layers.Deconvolution2D.class, oneDnn(Deconvolution2DLayer::whyNot), Deconvolution2DLayer::new),
            new Swap<>(org.deeplearning4j.nn.conf.layers.SubsamplingLayer.class, oneDnn(SubsamplingLayer::whyNot), SubsamplingLayer::new),
            new Swap<>(org.deeplearning4j.nn.conf.layers.Upsampling2D.class, oneDnn(Upsampling2D::whyNot), Upsampling2D::new),
            new Swap<>(org.deeplearning4j.nn.conf.layers.BatchNormalization.class, oneDnn(DnnlBatchNormalization::whyNot), DnnlBatchNormalization::layer));

    /**
     * One entry of the mapping: layers whose configuration is exactly of type {@code stock} (not a subclass) and
     * which {@code supports} in a network of the given data type are computed by what {@code implementation} makes
     * from the layer's configuration.
     */
    record Swap<C extends Layer>(Class<C> stock, BiPredicate<C, DataType> supports,
                                 BiFunction<NeuralNetConfiguration, DataType, ? extends AbstractLayer<?>> implementation) {

        boolean appliesTo(Layer conf, DataType dataType) {
            return conf.getClass() == stock && supports.test(stock.cast(conf), dataType);
        }
    }

    /** An implementation for networks of every data type that supports what {@code supports} accepts. */
    private static <C> BiPredicate<C, DataType> any(Predicate<C> supports) {
        return (conf, dataType) -> supports.test(conf);
    }

    /** A oneDNN implementation: float networks, and configurations its {@code whyNot} has no objection to. */
    private static <C> BiPredicate<C, DataType> oneDnn(Function<C, String> whyNot) {
        return (conf, dataType) -> dataType == DataType.FLOAT && whyNot.apply(conf) == null;
    }

    /**
     * Puts the fast implementations in place of DL4J's in {@code net} (initialised first if it is not yet), unless
     * {@code AE_FAST_LAYERS=0}. Layers it does not cover, or settings they do not support, stay DL4J's own. Call it
     * before training; calling it again changes nothing.
     */
    public static void apply(MultiLayerNetwork net) {
        apply(net, Settings.fastLayers());
    }

    /** The switch itself; {@code on} false leaves the network as it is. Returns how many layers were swapped. */
    static int apply(MultiLayerNetwork net, boolean on) {
        if (!on) return 0;
        net.init();   // does nothing if the network is initialised already
        org.deeplearning4j.nn.api.Layer[] layers = net.getLayers().clone();
        DataType dataType = net.getLayerWiseConfigurations().getDataType();
        int swapped = 0;
        for (int i = 0; i < layers.length; i++) {
            NeuralNetConfiguration conf = layers[i].conf();
            for (Swap<?> swap : SWAPS) {
                if (swap.appliesTo(conf.getLayer(), dataType) && layers[i] instanceof AbstractLayer<?> stock && !isImplementation(stock)) {
                    layers[i] = wire(swap.implementation().apply(conf, dataType), stock);
                    swapped++;
                    break;
                }
            }
        }
        if (swapped > 0) replace(net, layers);
        return swapped;
    }

    /** Whether the layer at work is one of ours already (a second {@code apply} leaves it). */
    static boolean isImplementation(org.deeplearning4j.nn.api.Layer layer) {
        return layer.getClass().getPackage() == FastLayers.class.getPackage()
                || (layer instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization bn
                    && bn.getHelper() instanceof DnnlBatchNormalization);
    }

    /**
     * The new layer takes over the stock one's place and state, as DL4J's own {@code instantiate} and {@code init}
     * set them: listeners, index, the same parameter and gradient views (no new values), cache mode, and whether it
     * may modify its input. (Layers without parameters, such as pooling, have none of those arrays: null, empty.)
     */
    private static AbstractLayer<?> wire(AbstractLayer<?> layer, AbstractLayer<?> stock) {
        layer.setListeners(stock.getListeners());
        layer.setIndex(stock.getIndex());
        layer.setParamsViewArray(stock.params());
        layer.setParamTable(stock.paramTable());
        if (stock.getGradientsViewArray() != null) layer.setBackpropGradientsViewArray(stock.getGradientsViewArray());
        layer.setCacheMode(stock.getCacheMode());
        layer.allowInputModification(stock.isInputModificationAllowed());
        return layer;
    }

    /** The network's layers, and its map of layers by name ({@code net.getLayer(name)}), are the new ones. */
    private static void replace(MultiLayerNetwork net, org.deeplearning4j.nn.api.Layer[] layers) {
        net.setLayers(layers);
        try {
            Field field = MultiLayerNetwork.class.getDeclaredField("layerMap");
            field.setAccessible(true);
            Map<String, org.deeplearning4j.nn.api.Layer> byName = new LinkedHashMap<>();
            for (org.deeplearning4j.nn.api.Layer l : layers) byName.put(l.conf().getLayer().getLayerName(), l);
            field.set(net, byName);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this DL4J version's MultiLayerNetwork keeps its layers differently: " + e, e);
        }
    }
}
