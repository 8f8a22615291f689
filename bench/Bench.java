import ae.*;
import ae.data.*;
import ae.layers.*;
import java.util.*;
import org.deeplearning4j.nn.conf.*;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The DL4J side of `make bench` (run by scripts/bench.py, one JVM per model, with the kernel's JVM flags):
 *
 *   java -cp <helper jar and its libraries> bench/Bench.java peak
 *   java -cp ... bench/Bench.java <model> <seconds>
 *   java -cp ... bench/Bench.java fingerprints
 *
 * Each model is the one its notebook builds (same layers, settings and batch size; keep them in step) and trains
 * on the notebook's real data, shuffled (chapter 2's in order, as its tutorial), for a few warm-up steps and then for
 * about <seconds>. tests/test_bench.py checks that each model's configuration fingerprint equals the one its
 * notebook records (metrics.model). One JSON line goes to standard output. "peak" measures this machine's single-precision matrix multiply (ND4J mmul, 2048 x 2048).
 */
public class Bench {

    /** A model and its data: x and y hold one image per row; images says whether batches go in as [b, 1, 28, 28]. */
    record Model(String name, String chapter, MultiLayerNetwork net, InputType input, int batch, int epochSamples,
                 INDArray x, INDArray y, boolean images) {}

    static final long SEED = 42;

    public static void main(String[] args) {
        if (args.length == 0) throw new IllegalArgumentException("usage: Bench.java peak | fingerprints | <model> [seconds]; models: " + MODELS);
        if (args[0].equals("peak")) {
            peak();
            return;
        }
        if (args[0].equals("fingerprints")) {
            fingerprints();
            return;
        }
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        Model m = model(args[0]);
        train(m, seconds);
    }

    static final List<String> MODELS = List.of("cifar-horses", "fashion-dense", "fashion-conv", "mnist-denoising", "kittens");

    static Model model(String name) {
        Nd4j.getRandom().setSeed(SEED);
        return switch (name) {
            case "cifar-horses" -> {    // notebooks/02-cifar-horses.ipynb: gray values 0-255, 5,000 horses in the whole training set
                INDArray x = Cifar10.load().train("horse").grayscale().pixels().muli(255);
                yield new Model(name, "02", cifarHorses(), InputType.feedForward(1024), 150, 5_000, x, x, false);
            }
            case "kittens" -> {         // notebooks/05-kittens.ipynb, the final model: AutoEncatter trains on 7,373 of 8,192 photos
                // the photos at hand (the course's data folder holds the first 2,000); the epoch is extrapolated to 7,373
                int atHand = Kittens.atHand();
                INDArray x = Kittens.load(atHand > 0 ? atHand : Datasets.KITTENS, 48).pixels();
                yield new Model(name, "05", kittens(), InputType.feedForward(6912), 256, 7_373, x, x, false);
            }
            case "fashion-dense" -> {   // notebooks/03-fashion-mnist.ipynb, model 2
                INDArray x = Mnist.fashion().train().pixels();
                yield new Model(name, "03", fashionDense(), InputType.feedForward(784), 256, x.rows(), x, x, false);
            }
            case "fashion-conv" -> {    // notebooks/03-fashion-mnist.ipynb, model 3
                INDArray x = Mnist.fashion().train().pixels();
                yield new Model(name, "03", fashionConv(), InputType.convolutional(28, 28, 1), 256, x.rows(), x, x, true);
            }
            case "mnist-denoising" -> { // notebooks/04-mnist-denoising.ipynb
                INDArray clean = Mnist.digits().train().pixels();
                INDArray noisy = Transforms.min(Transforms.max(clean.add(Nd4j.randn(clean.dataType(), clean.shape()).muli(0.5)), 0.0, false), 1.0, false);
                yield new Model(name, "04", denoising(), InputType.convolutional(28, 28, 1), 64, 54_000, noisy, clean, true);
            }
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; models: " + MODELS);
        };
    }

    /** Each model's network, built as {@link #model} builds it (without its data), and the chapter it comes from. */
    static MultiLayerNetwork net(String name) {
        return switch (name) {
            case "cifar-horses" -> cifarHorses();
            case "fashion-dense" -> fashionDense();
            case "fashion-conv" -> fashionConv();
            case "mnist-denoising" -> denoising();
            case "kittens" -> kittens();
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; models: " + MODELS);
        };
    }

    static final Map<String, String> CHAPTERS = Map.of("cifar-horses", "02", "fashion-dense", "03", "fashion-conv", "03",
            "mnist-denoising", "04", "kittens", "05");

    /**
     * "fingerprints": one JSON line, model -> {chapter, params, config}, every model built without data or training.
     * config is {@code ae.Metrics.fingerprint} (the whole network configuration but its seed); the notebooks record
     * theirs with {@code metrics.model("<model>", net)}, and tests/test_bench.py fails when the two differ. Training
     * runs print it too, in their JSON line.
     */
    static void fingerprints() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : MODELS) {
            MultiLayerNetwork net = net(name);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("chapter", CHAPTERS.get(name));
            m.put("params", net.numParams());
            m.put("config", Metrics.fingerprint(net));
            out.put(name, m);
            net.close();
        }
        System.out.println(Metrics.toJson(out));
    }

    static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static MultiLayerNetwork fashionDense() {
        return init(new NeuralNetConfiguration.Builder()
                .seed(SEED).updater(new AdaDelta()).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new FastDenseLayer.Builder().nIn(784).nOut(32).activation(Activation.RELU).build())
                .layer(new FastOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(32).nOut(784).activation(Activation.SIGMOID).build())
                .build());
    }

    /**
     * Chapter 2's stacked autoencoder, the notebook's stackedAutoencoder(SEED, 0.01, 0), which is the tutorial's
     * network as it ran: 1024-300-150-300-1024, ELU hidden layers, a linear output, Glorot-uniform weights, mean
     * squared error, Adam at 0.01, batches of 150 in order (see train), gray values 0-255. Keep the two in step.
     */
    static MultiLayerNetwork cifarHorses() {
        return init(new NeuralNetConfiguration.Builder()
                .seed(SEED).updater(new Adam(0.01)).weightInit(WeightInit.XAVIER_UNIFORM)
                .list()
                .layer(new FastDenseLayer.Builder().nIn(1024).nOut(300).activation(Activation.ELU).build())
                .layer(new FastDenseLayer.Builder().nOut(150).activation(Activation.ELU).build())
                .layer(new FastDenseLayer.Builder().nOut(300).activation(Activation.ELU).build())
                .layer(new FastOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1024).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(1024))
                .build());
    }

    /**
     * Chapter 5's final model (notebooks/05-kittens.ipynb, model 3), AutoEncatter's Keras model layer for layer, with
     * its layer names: batch norm on the 6,912 input pixels, dense 3456 and 1728 (ReLU), batch norm, dense 3456
     * (ReLU), a sigmoid output of 6,912; mean squared error, Adam at 0.001, batches of 256. Batch norm with Keras's
     * defaults (momentum 0.99, epsilon 0.001). Keep it equal to the notebook's (its metrics record the configuration's
     * fingerprint under model_configs.kittens).
     */
    static MultiLayerNetwork kittens() {
        return init(new NeuralNetConfiguration.Builder()
                .seed(SEED).updater(new Adam(1e-3, 0.9, 0.999, 1e-7)).weightInit(WeightInit.XAVIER_UNIFORM)
                .cacheMode(CacheMode.DEVICE)
                .list()
                .layer(batchNorm())
                .layer(new FastDenseLayer.Builder().name("encoder").nOut(3456).activation(Activation.RELU).build())
                .layer(new FastDenseLayer.Builder().name("middle_layer").nOut(1728).activation(Activation.RELU).build())
                .layer(batchNorm())
                .layer(new FastDenseLayer.Builder().name("decoder").nOut(3456).activation(Activation.RELU).build())
                .layer(new FastOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(6912).activation(Activation.SIGMOID).build())
                .setInputType(InputType.feedForward(6912))
                .build());
    }

    static Layer conv(int filters, Activation activation, ConvolutionMode mode) {
        return new FastConvolutionLayer.Builder(3, 3).nOut(filters).activation(activation).convolutionMode(mode).build();
    }

    static Layer pool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                .convolutionMode(ConvolutionMode.Same).build();
    }

    static Layer up() {
        return new Upsampling2D.Builder(2).build();
    }

    static MultiLayerNetwork fashionConv() {
        var same = ConvolutionMode.Same;
        return init(new NeuralNetConfiguration.Builder()
                .seed(SEED).updater(new AdaDelta()).weightInit(WeightInit.XAVIER)
                .cacheMode(CacheMode.DEVICE)
                .list()
                .layer(conv(16, Activation.RELU, same)).layer(pool())
                .layer(conv(8, Activation.RELU, same)).layer(pool())
                .layer(conv(8, Activation.RELU, same)).layer(pool())
                .layer(conv(8, Activation.RELU, same)).layer(up())
                .layer(conv(8, Activation.RELU, same)).layer(up())
                .layer(conv(16, Activation.RELU, ConvolutionMode.Truncate)).layer(up())
                .layer(conv(1, Activation.SIGMOID, same))
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build());
    }

    static MultiLayerNetwork denoising() {
        return init(new NeuralNetConfiguration.Builder()
                .seed(SEED).updater(new Adam(1e-3, 0.9, 0.999, 1e-7)).weightInit(WeightInit.XAVIER_UNIFORM)
                .cacheMode(CacheMode.DEVICE)
                .list()
                .layer(conv(16, Activation.RELU, ConvolutionMode.Same)).layer(batchNorm()).layer(pool())
                .layer(conv(32, Activation.RELU, ConvolutionMode.Same)).layer(batchNorm()).layer(pool())
                .layer(conv(32, Activation.RELU, ConvolutionMode.Same))
                .layer(new FastDenseLayer.Builder().nOut(128).activation(Activation.SIGMOID).build())
                .layer(new FastDenseLayer.Builder().nOut(7 * 7 * 32).activation(Activation.RELU).build())
                .inputPreProcessor(9, new FeedForwardToCnnPreProcessor(7, 7, 32))
                .layer(deconv(32)).layer(batchNorm()).layer(up())
                .layer(deconv(32)).layer(batchNorm()).layer(up())
                .layer(deconv(16))
                .layer(conv(1, Activation.SIGMOID, ConvolutionMode.Same))
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build());
    }

    static Layer deconv(int filters) {
        return new FastDeconvolution2D.Builder(3, 3).nOut(filters).activation(Activation.RELU).build();
    }

    static Layer batchNorm() {
        return new FastBatchNormalization.Builder().decay(0.99).eps(1e-3).build();
    }

    /**
     * Multiply-add work of one training step per sample: 3 x the forward FLOPs of the convolution and dense layers
     * (forward, gradient of the input, gradient of the weights: the usual estimate); normalization, pooling,
     * upsampling and activations are left out.
     */
    static long trainingFlopsPerSample(MultiLayerNetwork net, InputType input) {
        List<InputType> outputs = net.getLayerWiseConfigurations().getLayerActivationTypes(input);
        long forward = 0;
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer layer = net.getLayer(i).conf().getLayer();
            if (layer instanceof ConvolutionLayer c) {   // also the transposed convolutions (stride 1)
                InputType.InputTypeConvolutional out = (InputType.InputTypeConvolutional) outputs.get(i);
                forward += 2L * out.getHeight() * out.getWidth() * c.getNOut() * c.getNIn() * c.getKernelSize()[0] * c.getKernelSize()[1];
            } else if (layer instanceof FeedForwardLayer f && !(layer instanceof BatchNormalization)) {
                forward += 2L * f.getNIn() * f.getNOut();
            }
        }
        return 3 * forward;
    }

    static void train(Model m, double seconds) {
        int n = (int) m.x().size(0);
        Random random = new Random(SEED);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        int position = n, warmup = 5, steps = 0;
        boolean inOrder = m.name().equals("cifar-horses");   // chapter 2's tutorial: repeat().batch(150), never shuffled
        long start = 0, end;
        for (int step = 0; ; step++) {
            if (inOrder) {
                if (position + m.batch() > n) {   // the data repeated end to end, never shuffled: batches run across its end
                    int[] from = order.clone();
                    for (int i = 0; i < n; i++) order[i] = from[(position + i) % n];
                    position = 0;
                }
            } else if (position + m.batch() > n) {   // a new shuffled pass, as the notebooks' loops do
                for (int i = n - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1), t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                position = 0;
            }
            int[] rows = Arrays.copyOfRange(order, position, position + m.batch());
            position += m.batch();
            if (step == warmup) start = System.nanoTime();
            INDArray x = Nd4j.pullRows(m.x(), 1, rows), y = Nd4j.pullRows(m.y(), 1, rows);
            if (m.images()) {
                x = x.reshape(x.rows(), 1, 28, 28);
                y = y.reshape(y.rows(), 1, 28, 28);
            }
            m.net().fit(x, y);
            if (step >= warmup) {
                steps++;
                if (steps >= 10 && (System.nanoTime() - start) / 1e9 >= seconds) break;
            }
        }
        end = System.nanoTime();
        double time = (end - start) / 1e9, perStep = time / steps;
        double samplesPerSecond = steps * (double) m.batch() / time;
        long flops = trainingFlopsPerSample(m.net(), m.input());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.name());
        out.put("chapter", m.chapter());
        out.put("framework", "DL4J 1.0.0-M2.1");
        out.put("batch", m.batch());
        out.put("params", m.net().numParams());
        out.put("config", Metrics.fingerprint(m.net()));   // the notebook's metrics.model(name, net) must record the same
        out.put("epoch_samples", m.epochSamples());
        out.put("timed_steps", steps);
        out.put("timed_seconds", time);
        out.put("seconds_per_step", perStep);
        out.put("samples_per_second", samplesPerSecond);
        out.put("seconds_per_epoch", m.epochSamples() / samplesPerSecond);
        out.put("seconds_per_epoch_is", "extrapolated from the timed steps (" + steps + " of " + (int) Math.ceil(m.epochSamples() / (double) m.batch()) + " per epoch)");
        out.put("training_flops_per_sample", flops);
        out.put("gflops", flops * samplesPerSecond / 1e9);
        out.put("omp_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
        out.put("blas_threads", Nd4j.factory().blas().getMaxThreads());
        out.put("last_loss", m.net().score());
        out.put("data_dir", Settings.dataDir().toString());
        System.out.println(Metrics.toJson(out));
    }

    /**
     * Best of a few 2048 x 2048 float matrix products, in GFLOP/s: with ND4J's BLAS library (INDArray.mmul, what
     * DL4J's stock layers call) and with libnd4j's matmul op (oneDNN on every OpenMP thread, what the helper jar's
     * Fast layers call).
     */
    static void peak() {
        int size = 2048;
        INDArray a = Nd4j.rand(DataType.FLOAT, size, size), b = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray c = Nd4j.create(DataType.FLOAT, size, size);
        double blas = 0, onednn = 0, flop = 2.0 * size * size * size;
        for (int i = 0; i < 6; i++) {
            long t = System.nanoTime();
            a.mmul(b, c);
            double s = (System.nanoTime() - t) / 1e9;
            t = System.nanoTime();
            Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(a, b).addOutputs(c).build());
            double s2 = (System.nanoTime() - t) / 1e9;
            if (i > 0) {
                blas = Math.max(blas, flop / s / 1e9);
                onednn = Math.max(onednn, flop / s2 / 1e9);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sgemm_gflops", blas);
        out.put("onednn_matmul_gflops", onednn);
        out.put("size", size);
        out.put("omp_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
        out.put("blas", Nd4j.getBlasWrapper().getClass().getSimpleName());
        out.put("blas_threads", Nd4j.factory().blas().getMaxThreads());
        System.out.println(Metrics.toJson(out));
    }
}
