package ae.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The oneDNN layers against DL4J's stock layers: the same network twice, the stock one in double precision (the
 * reference), the other with the oneDNN layers swapped in, in float (the code path the notebooks use), with the same
 * parameters; outputs, score, parameter gradients and the input gradient compared with a float tolerance.
 */
final class Compare {
    private Compare() {}

    /** The stock configuration with every layer replaced by what {@code swap} returns for it (same configuration otherwise). */
    static MultiLayerConfiguration swapped(MultiLayerConfiguration stock, UnaryOperator<Layer> swap, DataType dataType) {
        MultiLayerConfiguration conf = stock.clone();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration c = conf.getConf(i);
            c.setLayer(swap.apply(c.getLayer()));
        }
        conf.setDataType(dataType);
        return conf;
    }

    static MultiLayerNetwork net(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Largest |a - b| relative to the largest |b| (1 when b is all zero). */
    static double relativeError(INDArray a, INDArray b) {
        INDArray ad = a.castTo(DataType.DOUBLE), bd = b.castTo(DataType.DOUBLE);
        double scale = Math.max(bd.amaxNumber().doubleValue(), 1e-12);
        return Transforms.abs(ad.sub(bd)).maxNumber().doubleValue() / scale;
    }

    record Result(double output, double score, double gradient, double inputGradient) {}

    /**
     * Compares stock (double) and swapped (float) networks built from {@code stock} on input x and labels y: every
     * error relative to the largest value of what it compares, which must stay under tolerance.
     */
    static Result compare(MultiLayerConfiguration stock, UnaryOperator<Layer> swap, INDArray x, INDArray y, double tolerance) {
        MultiLayerConfiguration reference = stock.clone();
        reference.setDataType(DataType.DOUBLE);
        MultiLayerNetwork ref = net(reference);
        MultiLayerNetwork fast = net(swapped(stock, swap, DataType.FLOAT));
        fast.setParams(ref.params().castTo(DataType.FLOAT));
        INDArray xd = x.castTo(DataType.DOUBLE), yd = y.castTo(DataType.DOUBLE);
        INDArray xf = x.castTo(DataType.FLOAT), yf = y.castTo(DataType.FLOAT);

        double output = relativeError(fast.output(xf), ref.output(xd));
        double outputTraining = relativeError(fast.output(xf, true), ref.output(xd, true));
        ref.setInput(xd);
        ref.setLabels(yd);
        ref.computeGradientAndScore();
        fast.setInput(xf);
        fast.setLabels(yf);
        fast.computeGradientAndScore();
        double score = Math.abs(fast.score() - ref.score()) / Math.max(Math.abs(ref.score()), 1e-12);
        double gradient = relativeError(fast.gradient().gradient(), ref.gradient().gradient());
        // per parameter block, so that a small block's error is not hidden by a large one's scale
        for (String key : ref.gradient().gradientForVariable().keySet()) {
            double e = relativeError(fast.gradient().getGradientFor(key), ref.gradient().getGradientFor(key));
            assertTrue(e < tolerance, "gradient " + key + ": relative error " + e);
        }
        Pair<Gradient, INDArray> refIn = ref.calculateGradients(xd, yd, null, null);
        Pair<Gradient, INDArray> fastIn = fast.calculateGradients(xf, yf, null, null);
        double inputGradient = relativeError(fastIn.getSecond(), refIn.getSecond());
        Result r = new Result(Math.max(output, outputTraining), score, gradient, inputGradient);
        assertTrue(r.output() < tolerance, "output: relative error " + r.output());
        assertTrue(r.score() < tolerance, "score: relative error " + r.score());
        assertTrue(r.gradient() < tolerance, "gradient: relative error " + r.gradient());
        assertTrue(r.inputGradient() < tolerance, "input gradient: relative error " + r.inputGradient());
        assertEquals(DataType.FLOAT, fast.params().dataType());
        return r;
    }

    static INDArray images(long n, long c, long h, long w, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, n, c, h, w);
    }
}
