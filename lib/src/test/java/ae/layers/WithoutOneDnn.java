package ae.layers;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the switch does on a machine without oneDNN's natives (FastLayersTest runs this in a JVM whose classpath lacks
 * them, as a build with ONEDNN=0 or on ARM has): prints, one per line, whether the oneDNN layers are available and
 * why not, the class of each layer at work after {@code FastLayers.apply} in chapter 4's denoiser (small), how many
 * oneDNN primitives ran, and how far the switched network's output and score after 3 training steps are from the
 * stock network's.
 */
final class WithoutOneDnn {
    public static void main(String[] args) {
        MultiLayerConfiguration conf = FastLayersTest.denoiser(DataType.FLOAT);
        MultiLayerNetwork stock = new MultiLayerNetwork(conf.clone()), fast = new MultiLayerNetwork(conf.clone());
        stock.init();
        fast.init();
        int swapped = FastLayers.apply(fast, true);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 1, 8, 8);
        for (int step = 0; step < 3; step++) {
            stock.fit(x, x);
            fast.fit(x, x);
        }
        System.out.println("available=" + DnnlLayers.available());
        System.out.println("unavailable=" + DnnlLayers.unavailable());
        System.out.println("swapped=" + swapped);
        System.out.println("layers=" + Arrays.stream(fast.getLayers()).map(l -> l.getClass().getName()).collect(Collectors.joining(",")));
        System.out.println("executed=" + DnnlLayers.executed().values().stream().mapToLong(Long::longValue).sum());
        System.out.println("output=" + Compare.relativeError(fast.output(x), stock.output(x)));
        System.out.println("score=" + Math.abs(fast.score() - stock.score()) / stock.score());
    }
}
