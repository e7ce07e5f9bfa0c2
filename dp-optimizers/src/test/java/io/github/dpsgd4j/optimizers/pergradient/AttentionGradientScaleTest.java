package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Why the attention rules scale their gradients by {@link LayerState#SAME_DIFF_GRADIENT_SCALE}: for
 * L = sum(output * c), DL4J 1.0.0-M2.1's own {@code backpropGradient} of its SameDiff attention layers
 * returns exactly twice the central finite-difference gradient of L (parameters and input), while the
 * attention math of the rules, without the scale, equals the finite differences. If a DL4J upgrade
 * fixes this, the first assertion fails and the scale must go.
 */
class AttentionGradientScaleTest {

    private static final double STEP = 1e-6;

    @Test
    void selfAttention_dl4jGradientIsTwiceTheFiniteDifference_andTheRuleReproducesIt() {
        assertScale(new SelfAttentionLayer.Builder().nIn(3).nOut(4).nHeads(2).projectInput(true).build(),
                new SelfAttentionLayerRule());
    }

    @Test
    void recurrentAttention_dl4jGradientIsTwiceTheFiniteDifference_andTheRuleReproducesIt() {
        assertScale(new RecurrentAttentionLayer.Builder().nIn(3).nOut(4).nHeads(2).projectInput(true)
                .activation(Activation.TANH).build(), new RecurrentAttentionLayerRule());
    }

    private static void assertScale(org.deeplearning4j.nn.conf.layers.Layer attention, LayerRule rule) {
        MultiLayerConfiguration conf = PerExampleGradientEquivalenceProperties.base(3).list()
                .layer(attention)
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        Random random = new Random(3);
        INDArray x = PerExampleGradientEquivalenceProperties.gaussian(random, 1, 3, 3);
        INDArray c = PerExampleGradientEquivalenceProperties.gaussian(random, 1, 4, 3);
        Layer layer = net.getLayer(0);
        LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();

        INDArray finiteDifference = Nd4j.create(DataType.DOUBLE, layer.numParams() + x.length());
        long k = 0;
        for (String name : layer.paramTable().keySet()) {
            INDArray parameter = layer.getParam(name);
            INDArray view = layer.conf().getLayer().initializer()
                    .getGradientsFromFlattened(layer.conf(), finiteDifference.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, layer.numParams()))).get(name);
            for (long j = 0; j < parameter.length(); j++) {
                view.putScalar(j, centralDifference(layer, x, c, parameter, j, workspaces));
            }
            k += parameter.length();
        }
        for (long j = 0; j < x.length(); j++) {
            finiteDifference.putScalar(k + j, centralDifference(layer, x, c, x, j, workspaces));
        }

        layer.activate(x, true, workspaces);
        INDArray dl4jInput = layer.backpropGradient(c.dup(), workspaces).getSecond();
        INDArray dl4j = Nd4j.concat(0, layer.getGradientsViewArray().reshape(-1), dl4jInput.reshape(-1));

        layer.activate(x, true, workspaces);
        layer.getGradientsViewArray().assign(0);
        LayerBackward backward = rule.backward(layer, c.dup(), true);
        backward.accumulateClippedSum(Nd4j.ones(DataType.DOUBLE, 1, 1));
        INDArray fromRule = Nd4j.concat(0, layer.getGradientsViewArray().reshape(-1),
                backward.inputGradient().reshape(-1));

        INDArray scaled = finiteDifference.mul(LayerState.SAME_DIFF_GRADIENT_SCALE);
        assertClose(scaled, dl4j, "DL4J's backpropGradient against " + LayerState.SAME_DIFF_GRADIENT_SCALE
                + " x finite differences");
        assertClose(scaled, fromRule, "the rule against DL4J's scale x finite differences");
    }

    /** d/d(array[j]) of sum(layer output * c), by central differences (array is restored). */
    private static double centralDifference(Layer layer, INDArray x, INDArray c, INDArray array, long j,
                                            LayerWorkspaceMgr workspaces) {
        double old = array.getDouble(j);
        array.putScalar(j, old + STEP);
        double up = layer.activate(x, false, workspaces).mul(c).sumNumber().doubleValue();
        array.putScalar(j, old - STEP);
        double down = layer.activate(x, false, workspaces).mul(c).sumNumber().doubleValue();
        array.putScalar(j, old);
        return (up - down) / (2 * STEP);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double difference = expected.sub(actual).norm2Number().doubleValue();
        double scale = expected.norm2Number().doubleValue();
        assertTrue(difference <= 1e-6 * scale, what + ": differ by " + difference + " (scale " + scale + ")");
    }
}
