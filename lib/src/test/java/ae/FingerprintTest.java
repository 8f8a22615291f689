package ae;

import static org.junit.jupiter.api.Assertions.*;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class FingerprintTest {

    static MultiLayerNetwork net(long seed, Activation hidden) {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(2).activation(hidden).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(4).activation(Activation.IDENTITY).build())
                .build());
        n.init();
        return n;
    }

    @Test
    void sameLayersSameFingerprintWhateverTheSeedOrTraining() {
        MultiLayerNetwork a = net(1, Activation.TANH), b = net(2, Activation.TANH);
        String before = Metrics.fingerprint(a);
        assertEquals(before, Metrics.fingerprint(b));
        var x = Nd4j.rand(8, 4);
        a.fit(x, x);
        a.fit(x, x);
        assertEquals(before, Metrics.fingerprint(a));
        assertNotEquals(before, Metrics.fingerprint(net(1, Activation.ELU)));
    }
}
