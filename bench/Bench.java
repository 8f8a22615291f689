import ae.Metrics;
import ae.Settings;
import ae.data.Cifar10;
import ae.data.Datasets;
import ae.data.Kittens;
import ae.data.Mnist;
import ae.layers.FastLayers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The DL4J side of `make bench` (run by scripts/bench.py, one JVM per model, with the kernel's JVM flags):
 *
 *   java -cp <helper jar and its libraries> bench/Bench.java peak
 *   java -cp ... bench/Bench.java <model> <seconds>
 *   java -cp ... bench/Bench.java fingerprints
 *   java -cp ... bench/Bench.java models       (after running the notebooks: rewrites bench/models/ from their metrics)
 *
 * Each model is the one its notebook builds: the notebook records its network's configuration (metrics.model), which
 * bench/models/<model>.json keeps, and the bench builds the network from that file, with the notebook's switch to the
 * faster layers (FastLayers.apply). No model code is copied here; tests/test_bench.py checks each file against the
 * notebook's fingerprint. A model trains on the notebook's real data with its batch size, shuffled (chapter 2's in
 * order, as its tutorial), for a few warm-up steps and then for about <seconds>. One JSON line goes to standard
 * output. "peak" measures this machine's single-precision matrix multiply (ND4J mmul, 2048 x 2048).
 */
public class Bench {

    /** A model and its data: x and y hold one image per row; images says whether batches go in as [b, 1, 28, 28]. */
    record Model(String name, String chapter, MultiLayerNetwork net, InputType input, int batch, int epochSamples,
                 INDArray x, INDArray y, boolean images) {}

    static final long SEED = 42;
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws IOException {
        if (args.length == 0) throw new IllegalArgumentException("usage: Bench.java peak | fingerprints | models | <model> [seconds]; models: " + MODELS);
        if (args[0].equals("peak")) {
            peak();
            return;
        }
        if (args[0].equals("fingerprints")) {
            fingerprints();
            return;
        }
        if (args[0].equals("models")) {
            models();
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
                yield new Model(name, "02", net(name), InputType.feedForward(1024), 150, 5_000, x, x, false);
            }
            case "kittens" -> {         // notebooks/05-kittens.ipynb, the final model: AutoEncatter trains on 7,373 of 8,192 photos
                // the photos at hand (the course's data folder holds the first 2,000); the epoch is extrapolated to 7,373
                int atHand = Kittens.atHand();
                INDArray x = Kittens.load(atHand > 0 ? atHand : Datasets.KITTENS, 48).pixels();
                yield new Model(name, "05", net(name), InputType.feedForward(6912), 256, 7_373, x, x, false);
            }
            case "fashion-dense" -> {   // notebooks/03-fashion-mnist.ipynb, model 2
                INDArray x = Mnist.fashion().train().pixels();
                yield new Model(name, "03", net(name), InputType.feedForward(784), 256, x.rows(), x, x, false);
            }
            case "fashion-conv" -> {    // notebooks/03-fashion-mnist.ipynb, model 3
                INDArray x = Mnist.fashion().train().pixels();
                yield new Model(name, "03", net(name), InputType.convolutional(28, 28, 1), 256, x.rows(), x, x, true);
            }
            case "mnist-denoising" -> { // notebooks/04-mnist-denoising.ipynb
                INDArray clean = Mnist.digits().train().pixels();
                INDArray noisy = Transforms.min(Transforms.max(clean.add(Nd4j.randn(clean.dataType(), clean.shape()).muli(0.5)), 0.0, false), 1.0, false);
                yield new Model(name, "04", net(name), InputType.convolutional(28, 28, 1), 64, 54_000, noisy, clean, true);
            }
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; models: " + MODELS);
        };
    }

    /**
     * Each model's network: the configuration its notebook recorded ({@code metrics.model(name, net)}, kept in
     * {@code bench/models/<name>.json} by {@code Bench.java models}), initialised with the notebook's seed, and the
     * notebook's one switch to the faster layers ({@code FastLayers.apply}, off with {@code AE_FAST_LAYERS=0}). The
     * model code lives in the notebook only; the file is checked against it by fingerprint (tests/test_bench.py).
     */
    static MultiLayerNetwork net(String name) {
        if (!MODELS.contains(name)) throw new IllegalArgumentException("unknown model '" + name + "'; models: " + MODELS);
        Path file = MODEL_DIR.resolve(name + ".json");
        JsonNode saved;
        try {
            saved = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(file + " is missing or not JSON (" + e.getMessage() + "): run the notebook that records "
                    + name + ", then `Bench.java models` (CONTRIBUTING.md, Bench)", e);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(saved.get("configuration").toString()));
        net.init();
        String fingerprint = Metrics.fingerprint(net);
        if (!fingerprint.equals(saved.get("config").asText())) {
            throw new IllegalStateException(file + ": the configuration read back has fingerprint " + fingerprint + ", not the "
                    + saved.get("config").asText() + " its notebook recorded (DL4J's JSON did not round-trip)");
        }
        FastLayers.apply(net);
        return net;
    }

    static final Path MODEL_DIR = Settings.home().resolve("bench").resolve("models");

    static final Map<String, String> CHAPTERS = Map.of("cifar-horses", "02", "fashion-dense", "03", "fashion-conv", "03",
            "mnist-denoising", "04", "kittens", "05");

    /**
     * "models": writes bench/models/<model>.json for every bench model from the metrics its notebook saved last
     * (target/metrics/NN-*.json, or AE_METRICS_DIR): what {@code metrics.model(name, net)} recorded, the notebook's
     * name, and its fingerprint. Run it after changing a model in a notebook and running that notebook.
     */
    static void models() throws IOException {
        Map<String, Path> notebooks = new LinkedHashMap<>();
        for (String name : MODELS) {
            Path found = null;
            try (var files = Files.list(Settings.metricsDir())) {
                for (Path metrics : files.filter(p -> p.getFileName().toString().startsWith(CHAPTERS.get(name) + "-")).sorted().toList()) {
                    JsonNode recorded = JSON.readTree(metrics.toFile()).path("model_configs").path(name);
                    if (recorded.has("configuration")) {
                        ObjectNode out = JSON.createObjectNode();
                        out.put("model", name);
                        out.put("notebook", metrics.getFileName().toString().replaceAll("\\.json$", ".ipynb"));
                        out.put("params", recorded.get("params").asLong());
                        out.put("config", recorded.get("config").asText());
                        out.set("configuration", recorded.get("configuration"));
                        Files.createDirectories(MODEL_DIR);
                        JSON.writerWithDefaultPrettyPrinter().writeValue(MODEL_DIR.resolve(name + ".json").toFile(), out);
                        found = metrics;
                    }
                }
            }
            if (found == null) {
                throw new IllegalStateException("no notebook of chapter " + CHAPTERS.get(name) + " recorded model " + name + " in "
                        + Settings.metricsDir() + ": run it first (make notebooks NB=" + CHAPTERS.get(name) + ")");
            }
            notebooks.put(name, found);
            System.out.println(name + ": bench/models/" + name + ".json from " + found.getFileName());
        }
    }

    /**
     * "fingerprints": one JSON line, model -> {chapter, params, config}, every model built without data or training.
     * config is {@code ae.Metrics.fingerprint} (the whole network configuration but its seed); the notebooks record
     * theirs with {@code metrics.model("<model>", net)}, and tests/test_bench.py fails when the two differ. Training
     * runs print it too, in their JSON line.
     */
    static void fingerprints() throws IOException {
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
        System.out.println(JSON.writeValueAsString(out));
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

    static void train(Model m, double seconds) throws IOException {
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
        out.put("data_rows", m.x().rows());   // the samples it trained on (the kittens at hand): the Keras side takes as many
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
        System.out.println(JSON.writeValueAsString(out));
    }

    /**
     * Best of a few 2048 x 2048 float matrix products, in GFLOP/s: with ND4J's BLAS library (INDArray.mmul, what
     * DL4J's stock layers call) and with libnd4j's matmul op (oneDNN on every OpenMP thread, what the switched dense
     * and output layers call).
     */
    static void peak() throws IOException {
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
        System.out.println(JSON.writeValueAsString(out));
    }
}
