package ae.layers;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the oneDNN layers' configurations share: copying a stock configuration, wiring a layer as DL4J does. */
final class Confs {
    private Confs() {}

    /**
     * The stock configuration's settings in a subclass instance (DL4J's layer constructors that take a builder are
     * private): every non-static field, up the class hierarchy of {@code from}.
     */
    static <T> T copy(Object from, T to) {
        try {
            for (Class<?> c = from.getClass(); c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) continue;
                    f.setAccessible(true);
                    f.set(to, f.get(from));
                }
            }
            return to;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("could not copy the layer configuration " + from.getClass().getSimpleName(), e);
        }
    }

    /** What a DL4J configuration's instantiate() does with its layer: listeners, index, parameters, configuration. */
    static org.deeplearning4j.nn.api.Layer wire(AbstractLayer<?> layer, ParamInitializer initializer, NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int layerIndex, INDArray layerParamsView, boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer.init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
