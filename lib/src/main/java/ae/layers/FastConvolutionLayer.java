package ae.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's {@link ConvolutionLayer}, computed by libnd4j's native {@code conv2d} / {@code conv2d_bp} ops instead of
 * DL4J's Java im2col: same configuration, same parameters ({@code W} [nOut, nIn, kH, kW], {@code b}), same results,
 * several times faster on a CPU. It supports what the course's models use: stride 1, no dilation, {@code Same} or
 * {@code Truncate} ("valid") convolution mode.
 *
 * <pre>
 *   new FastConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU)
 *           .convolutionMode(ConvolutionMode.Same).build()
 * </pre>
 */
public class FastConvolutionLayer extends ConvolutionLayer {

    protected FastConvolutionLayer(Builder builder) {
        super(builder);
    }

    /** For JSON deserialization (loading saved models). */
    protected FastConvolutionLayer() {}

    public static class Builder extends ConvolutionLayer.Builder {
        public Builder(int kernelHeight, int kernelWidth) {
            super(kernelHeight, kernelWidth);
        }

        @Override
        @SuppressWarnings("unchecked")
        public FastConvolutionLayer build() {
            if (stride[0] != 1 || stride[1] != 1 || dilation[0] != 1 || dilation[1] != 1) {
                throw new IllegalArgumentException("FastConvolutionLayer supports stride 1 and dilation 1 only; use "
                        + "ConvolutionLayer for stride " + java.util.Arrays.toString(stride) + ", dilation " + java.util.Arrays.toString(dilation));
            }
            if (convolutionMode != null && convolutionMode != ConvolutionMode.Same && convolutionMode != ConvolutionMode.Truncate) {
                throw new IllegalArgumentException("FastConvolutionLayer supports ConvolutionMode.Same and Truncate, not " + convolutionMode);
            }
            return new FastConvolutionLayer(this);
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return wire(new Impl(conf, networkDataType), initializer(), conf, listeners, layerIndex, layerParamsView, initializeParams);
    }

    /** What a DL4J configuration's instantiate() does with its layer: listeners, index, parameters, configuration. */
    static org.deeplearning4j.nn.api.Layer wire(org.deeplearning4j.nn.layers.BaseLayer<?> layer, ParamInitializer initializer,
            NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer.init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return ConvolutionParamInitializer.getInstance();
    }

    /** The layer at work: forward and backward through the native ops. */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        private int[] iArgs() {
            int[] k = layerConf().getKernelSize();
            boolean same = layerConf().getConvolutionMode() == ConvolutionMode.Same;
            // kH, kW, sH, sW, pH, pW, dH, dW, padding mode (1 = same, 0 = valid), data format (0 = NCHW), weights format (0 = YXIO)
            return new int[] {k[0], k[1], 1, 1, 0, 0, 1, 1, same ? 1 : 0, 0, 0};
        }

        /**
         * DL4J's weights [nOut, nIn, kH, kW] in the op's layout [kH, kW, nIn, nOut], copied into the layer's working
         * memory (a DL4J workspace, reused every step) rather than into a fresh buffer that waits for the garbage
         * collector.
         */
        protected INDArray yxio(INDArray w, LayerWorkspaceMgr workspaceMgr, ArrayType memory) {
            INDArray out = workspaceMgr.createUninitialized(memory, w.dataType(), new long[] {w.size(2), w.size(3), w.size(1), w.size(0)}, 'c');
            return out.assign(w.permute(2, 3, 1, 0));
        }

        /** Writes the op's weight gradient [kH, kW, nIn, nOut] into DL4J's gradient view (same layout as W). */
        protected void storeWeightGradient(INDArray wGrad, INDArray wView) {
            wView.assign(wGrad.permute(3, 2, 0, 1));
        }

        private long[] outputShape(INDArray in) {
            int[] k = layerConf().getKernelSize();
            boolean same = layerConf().getConvolutionMode() == ConvolutionMode.Same;
            long h = same ? in.size(2) : in.size(2) - k[0] + 1, w = same ? in.size(3) : in.size(3) - k[1] + 1;
            return new long[] {in.size(0), layerConf().getNOut(), h, w};
        }

        /** Whether the last training forward pass was kept for the backward pass (CacheMode other than NONE). */
        boolean hasCachedForward() {
            return preOutput != null;
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
            if (forBackprop && preOutput != null) {
                return new Pair<>(preOutput, null); // kept by the forward pass when the network's CacheMode is not NONE
            }
            assertInputSet(false);
            validateInputRank();
            validateInputDepth(layerConf().getNIn());
            INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
            INDArray b = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
            INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), outputShape(input), 'c');
            Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(input.castTo(w.dataType()), yxio(w, workspaceMgr, ArrayType.FF_WORKING_MEM), b.reshape(b.length()))
                    .addOutputs(z).addIntegerArguments(iArgs()).build());
            return new Pair<>(z, null);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray b = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr);
            INDArray z = preOutput(true, true, workspaceMgr).getFirst();
            INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();

            INDArray in = input.castTo(w.dataType());
            INDArray epsNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, w.dataType(), in.shape(), 'c');
            INDArray wOp = yxio(w, workspaceMgr, ArrayType.BP_WORKING_MEM);
            INDArray wGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, w.dataType(), wOp.shape(), 'c');
            INDArray bGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, w.dataType(), new long[] {b.length()}, 'c');
            Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(in, wOp, b.reshape(b.length()), delta)
                    .addOutputs(epsNext, wGrad, bGrad).addIntegerArguments(iArgs()).build());

            INDArray wView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
            INDArray bView = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            storeWeightGradient(wGrad, wView);
            bView.assign(bGrad.reshape(bView.shape()));
            Gradient gradient = new DefaultGradient();
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, bView);
            gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, wView, 'c');
            weightNoiseParams.clear();
            return new Pair<>(gradient, epsNext);
        }
    }
}
