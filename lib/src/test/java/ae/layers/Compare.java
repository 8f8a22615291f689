package ae.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The switched layers against DL4J's stock layers. {@link #compare}: the same network twice, the stock one in double
 * precision (the reference), the other in float with {@link FastLayers#apply} (the code path the notebooks use), with
 * the same parameters; outputs, score, parameter gradients and the input gradient compared with a float tolerance.
 * The others: both networks in the same precision, for the layers that compute in double too.
 */
final class Compare {
    private Compare() {}

    static MultiLayerNetwork net(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * Tests of the oneDNN layers run where oneDNN loads. A build with its natives (Maven profile onednn, which sets
     * ae.test.onednn) fails if it does not load; a build without them (ONEDNN=0, ARM) skips these tests, and
     * FastLayersTest checks what the switch does there instead.
     */
    static void requireOneDnn() {
        if (Boolean.getBoolean("ae.test.onednn")) assertTrue(DnnlLayers.available(), DnnlLayers.unavailable());
        else org.junit.jupiter.api.Assumptions.assumeTrue(DnnlLayers.available(), DnnlLayers.unavailable());
    }

    /** The stock configuration as a float network with the switch on (whatever AE_FAST_LAYERS says). */
    static MultiLayerNetwork switched(MultiLayerConfiguration stock) {
        requireOneDnn();
        MultiLayerConfiguration conf = stock.clone();
        conf.setDataType(DataType.FLOAT);
        MultiLayerNetwork net = net(conf);
        FastLayers.apply(net, true);
        return net;
    }

    /** How many layers of the network the switch computes (its implementations, or the stock batch norm with its helper). */
    static long swapped(MultiLayerNetwork net) {
        return java.util.Arrays.stream(net.getLayers()).filter(FastLayers::isImplementation).count();
    }

    /** Largest |a - b| relative to the largest |b| (1e-12 when b is all zero). */
    static double relativeError(INDArray a, INDArray b) {
        INDArray ad = a.castTo(DataType.DOUBLE), bd = b.castTo(DataType.DOUBLE);
        double scale = Math.max(bd.amaxNumber().doubleValue(), 1e-12);
        return Transforms.abs(ad.sub(bd)).maxNumber().doubleValue() / scale;
    }

    record Result(double output, double score, double gradient, double inputGradient) {}

    /**
     * Compares the stock network in double and the switched one in float, built from {@code stock}, on input x and
     * labels y: every error relative to the largest value of what it compares, which must stay under tolerance (each
     * parameter block on its own, so that a small block's error is not hidden by a large one's scale).
     */
    static Result compare(MultiLayerConfiguration stock, INDArray x, INDArray y, double tolerance) {
        MultiLayerConfiguration reference = stock.clone();
        reference.setDataType(DataType.DOUBLE);
        MultiLayerNetwork ref = net(reference);
        MultiLayerNetwork fast = switched(stock);
        assertTrue(swapped(fast) > 0, "the switch swapped no layer");
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
        assertEquals(ref.gradient().gradientForVariable().keySet(), fast.gradient().gradientForVariable().keySet());
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

    /** The same score and parameter gradients (within 1e-5) from both networks for the same input and labels. */
    static void assertSameScoreAndGradients(MultiLayerNetwork s, MultiLayerNetwork f, INDArray x, INDArray y) {
        for (MultiLayerNetwork n : new MultiLayerNetwork[] {s, f}) {
            n.setInput(x);
            n.setLabels(y);
            n.computeGradientAndScore();
        }
        assertEquals(s.score(), f.score(), 1e-10);
        assertEquals(s.gradient().gradientForVariable().keySet(), f.gradient().gradientForVariable().keySet());
        for (String key : s.gradient().gradientForVariable().keySet()) {
            INDArray gs = s.gradient().getGradientFor(key), gf = f.gradient().getGradientFor(key);
            double diff = gs.sub(gf.reshape(gs.shape())).amaxNumber().doubleValue();
            assertTrue(diff < 1e-5, key + " gradients differ by " + diff);
        }
    }

    /**
     * A saved model is a plain DL4J model: it loads with DL4J's layers, and the switch applies to it again; the
     * outputs stay the same (within eps) either way.
     */
    static void assertSavedAndLoaded(MultiLayerNetwork f, INDArray x, File dir, double eps) throws Exception {
        File file = new File(dir, "net.zip");
        ModelSerializer.writeModel(f, file, true);
        MultiLayerNetwork back = MultiLayerNetwork.load(file, true);
        assertEquals(f.getLayerWiseConfigurations().toJson(), back.getLayerWiseConfigurations().toJson());
        assertEquals(0, swapped(back), "loaded with DL4J's own layers");
        assertTrue(relativeError(back.output(x), f.output(x)) < eps, "loaded, with DL4J's own layers");
        assertTrue(FastLayers.apply(back, true) > 0);
        assertTrue(relativeError(back.output(x), f.output(x)) < eps, "loaded, then switched");
    }

    /**
     * {@link #compare} (printing the errors under {@code label}), then that each named kind of oneDNN primitive ran
     * during it: the numbers came from oneDNN, not from a stock fallback.
     */
    static Result compareOnOneDnn(String label, MultiLayerConfiguration stock, INDArray x, INDArray y, double tolerance, String... kinds) {
        Map<String, Long> before = DnnlLayers.executed();
        Result r = compare(stock, x, y, tolerance);
        System.out.println(label + ", switched (float) against stock (double): " + r);
        ran(before, kinds);
        return r;
    }

    /** Asserts that each kind of oneDNN primitive ran since {@code before} (DnnlLayers.executed()). */
    static void ran(Map<String, Long> before, String... kinds) {
        Map<String, Long> after = DnnlLayers.executed();
        for (String kind : kinds) assertTrue(after.getOrDefault(kind, 0L) > before.getOrDefault(kind, 0L), kind + " ran on oneDNN");
    }

    static INDArray images(long n, long c, long h, long w, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, n, c, h, w);
    }
}
