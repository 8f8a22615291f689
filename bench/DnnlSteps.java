import ae.*;
import ae.layers.DnnlLayers;
import java.util.*;
import org.deeplearning4j.nn.conf.*;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Per-step time of chapter 3's and chapter 4's convolutional models: the helper jar's Fast layers (libnd4j's ops) beside
 * the oneDNN layers of ae.layers (the stock configuration with DnnlLayers.replacement swapped in), same data, same
 * batch size, trained in alternating blocks in one JVM so that a busy machine slows both alike.
 *
 *   java -cp <kernel classpath> bench/DnnlSteps.java fashion-conv|mnist-denoising|batchnorm-dense [blocks] [steps per block]
 *
 * Prints min and median milliseconds per step of each implementation, one line each.
 */
public class DnnlSteps {
    public static void main(String[] args) {
        String model = args[0];
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 8, per = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        boolean fashion = model.equals("fashion-conv"), dense = model.equals("batchnorm-dense");
        INDArray x, y;
        int batch = fashion || dense ? 256 : 64;
        if (dense) {   // chapter 5's first layer: batch norm on 6,912 pixels (48 x 48 x 3), here on random rows
            Nd4j.getRandom().setSeed(42);
            x = y = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2048, 6912);
        } else if (fashion) {
            x = y = Mnist.fashion().train().pixels();
        } else {
            y = Mnist.digits().train().pixels();
            Nd4j.getRandom().setSeed(42);
            x = Transforms.min(Transforms.max(y.add(Nd4j.randn(y.dataType(), y.shape()).muli(0.5)), 0.0, false), 1.0, false);
        }
        Map<String, MultiLayerNetwork> nets = new LinkedHashMap<>();
        String only = System.getProperty("only", "");   // -Donly=fast or -Donly=dnnl: one implementation (for profiles)
        if (!only.equals("dnnl")) nets.put("Fast layers (libnd4j ops)", dense ? batchNormDense(true) : net(fashion, true));
        if (!only.equals("fast")) nets.put("oneDNN layers (ae.layers)", dense ? batchNormDense(false) : net(fashion, false));
        Map<String, List<Double>> times = new LinkedHashMap<>(), cpu = new LinkedHashMap<>();
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Random random = new Random(42);
        int n = (int) x.rows();
        for (int block = -1; block < blocks; block++) {   // block -1: warm-up
            for (var e : nets.entrySet()) {
                long t0 = 0, c0 = 0;
                for (int s = 0; s < per; s++) {
                    int[] rows = new int[batch];
                    for (int i = 0; i < batch; i++) rows[i] = random.nextInt(n);
                    INDArray xb = Nd4j.pullRows(x, 1, rows), yb = Nd4j.pullRows(y, 1, rows);
                    if (!dense) {
                        xb = xb.reshape(batch, 1, 28, 28);
                        yb = yb.reshape(batch, 1, 28, 28);
                    }
                    if (s == 1) {
                        t0 = System.nanoTime();
                        c0 = threads.getCurrentThreadCpuTime();
                    }
                    e.getValue().fit(xb, yb);
                }
                double ms = (System.nanoTime() - t0) / 1e6 / (per - 1), cpuMs = (threads.getCurrentThreadCpuTime() - c0) / 1e6 / (per - 1);
                if (block >= 0) {
                    times.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(ms);
                    cpu.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(cpuMs);
                }
            }
        }
        for (var e : times.entrySet()) {
            List<Double> t = new ArrayList<>(e.getValue()), c = new ArrayList<>(cpu.get(e.getKey()));
            Collections.sort(t);
            Collections.sort(c);
            System.out.printf("%s %-28s batch %d: wall min %.1f ms/step, median %.1f; main thread's CPU min %.1f, median %.1f (%d blocks of %d steps, OMP_NUM_THREADS=%s)%n",
                    model, e.getKey(), batch, t.get(0), t.get(t.size() / 2), c.get(0), c.get(c.size() / 2), t.size(), per - 1,
                    System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
        }
        System.out.println("oneDNN for ae.layers: " + DnnlLayers.describe() + "; primitives run: " + DnnlLayers.executed());
    }

    /** Batch norm on 6,912 features and a loss: chapter 5's first layer, alone. */
    static MultiLayerNetwork batchNormDense(boolean fastLayers) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(1e-3)).list()
                .layer(bn(fastLayers))
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(6912)).build();
        if (!fastLayers) {
            for (NeuralNetConfiguration c : conf.getConfs()) c.setLayer(maybeSwap(c.getLayer(), false));
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static Layer maybeSwap(Layer l, boolean fast) {
        if (fast) return l;
        Layer r = DnnlLayers.replacement(l);
        return r == null ? l : r;
    }

    static MultiLayerNetwork net(boolean fashion, boolean fastLayers) {
        MultiLayerConfiguration conf = fashion ? fashionConv(fastLayers) : denoiser(fastLayers);
        if (!fastLayers) {
            for (NeuralNetConfiguration c : conf.getConfs()) c.setLayer(maybeSwap(c.getLayer(), false));
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static Layer conv(boolean fast, int filters, Activation a, ConvolutionMode mode) {
        return fast ? new FastConvolutionLayer.Builder(3, 3).nOut(filters).activation(a).convolutionMode(mode).build()
                : new ConvolutionLayer.Builder(3, 3).nOut(filters).activation(a).convolutionMode(mode).build();
    }

    static Layer pool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).convolutionMode(ConvolutionMode.Same).build();
    }

    static MultiLayerConfiguration fashionConv(boolean f) {
        var same = ConvolutionMode.Same;
        return new NeuralNetConfiguration.Builder().seed(42).updater(new AdaDelta()).weightInit(WeightInit.XAVIER)
                .cacheMode(CacheMode.DEVICE).list()
                .layer(conv(f, 16, Activation.RELU, same)).layer(pool())
                .layer(conv(f, 8, Activation.RELU, same)).layer(pool())
                .layer(conv(f, 8, Activation.RELU, same)).layer(pool())
                .layer(conv(f, 8, Activation.RELU, same)).layer(new Upsampling2D.Builder(2).build())
                .layer(conv(f, 8, Activation.RELU, same)).layer(new Upsampling2D.Builder(2).build())
                .layer(conv(f, 16, Activation.RELU, ConvolutionMode.Truncate)).layer(new Upsampling2D.Builder(2).build())
                .layer(conv(f, 1, Activation.SIGMOID, same))
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build();
    }

    static Layer bn(boolean f) {
        return f ? new FastBatchNormalization.Builder().decay(0.99).eps(1e-3).build() : new BatchNormalization.Builder().decay(0.99).eps(1e-3).build();
    }

    static Layer deconv(boolean f, int filters) {
        return f ? new FastDeconvolution2D.Builder(3, 3).nOut(filters).activation(Activation.RELU).build()
                : new Deconvolution2D.Builder(3, 3).nOut(filters).activation(Activation.RELU).convolutionMode(ConvolutionMode.Same).build();
    }

    static MultiLayerConfiguration denoiser(boolean f) {
        return new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(1e-3, 0.9, 0.999, 1e-7)).weightInit(WeightInit.XAVIER_UNIFORM)
                .cacheMode(CacheMode.DEVICE).list()
                .layer(conv(f, 16, Activation.RELU, ConvolutionMode.Same)).layer(bn(f)).layer(pool())
                .layer(conv(f, 32, Activation.RELU, ConvolutionMode.Same)).layer(bn(f)).layer(pool())
                .layer(conv(f, 32, Activation.RELU, ConvolutionMode.Same))
                .layer(new FastDenseLayer.Builder().nOut(128).activation(Activation.SIGMOID).build())
                .layer(new FastDenseLayer.Builder().nOut(7 * 7 * 32).activation(Activation.RELU).build())
                .inputPreProcessor(9, new FeedForwardToCnnPreProcessor(7, 7, 32))
                .layer(deconv(f, 32)).layer(bn(f)).layer(new Upsampling2D.Builder(2).build())
                .layer(deconv(f, 32)).layer(bn(f)).layer(new Upsampling2D.Builder(2).build())
                .layer(deconv(f, 16))
                .layer(conv(f, 1, Activation.SIGMOID, ConvolutionMode.Same))
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build();
    }
}
