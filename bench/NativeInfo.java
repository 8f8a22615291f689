import ae.layers.DnnlLayers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What native code DL4J runs on this machine, for `make bench` (scripts/bench.py runs it with DNNL_VERBOSE=1,
 * ONEDNN_VERBOSE=1 and OPENBLAS_VERBOSE=2 and reads what the libraries print): one float convolution through
 * libnd4j (its own oneDNN prints its version and instruction set), one matrix product through the BLAS library
 * (OpenBLAS prints the core type it chose), and the oneDNN of the helper jar's layers (ae.layers).
 *
 *   java -cp <kernel classpath> bench/NativeInfo.java
 */
public class NativeInfo {
    public static void main(String[] args) {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 16, 8, 8), w = Nd4j.rand(DataType.FLOAT, 3, 3, 16, 16), b = Nd4j.zeros(DataType.FLOAT, 16);
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, w, b).addOutputs(Nd4j.create(DataType.FLOAT, 2, 16, 8, 8))
                .addIntegerArguments(3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 0).build());
        Nd4j.rand(DataType.FLOAT, 64, 64).mmul(Nd4j.rand(DataType.FLOAT, 64, 64));
        System.out.println("ae.layers: " + DnnlLayers.describe());
    }
}
