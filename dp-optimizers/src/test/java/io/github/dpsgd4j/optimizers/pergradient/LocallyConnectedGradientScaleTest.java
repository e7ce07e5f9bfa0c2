package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LocallyConnected1D;
import org.deeplearning4j.nn.conf.layers.LocallyConnected2D;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Why the locally connected rules scale their gradients by {@link LayerState#SAME_DIFF_GRADIENT_SCALE}:
 * for L = sum(output * c), DL4J 1.0.0-M2.1's own {@code backpropGradient} of {@code LocallyConnected1D} and
 * {@code LocallyConnected2D} returns exactly twice the central finite-difference gradient of L
 * (parameters and input), as for the attention layers ({@code AttentionGradientScaleTest}), while the
 * rules' math without the scale equals the finite differences. Non-square images with padding in
 * NCHW and NHWC, so DL4J's order of locations is exercised. If a DL4J upgrade fixes the factor, the
 * first assertion fails and the scale must go.
 */
class LocallyConnectedGradientScaleTest {

    private static final double STEP = 1e-6;

    @Test
    void locallyConnected2d_dl4jGradientIsTwiceTheFiniteDifference_andTheRuleReproducesIt() {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            LocallyConnected2D layer = new LocallyConnected2D.Builder().nIn(1).nOut(2).kernelSize(2, 2).stride(1, 2)
                    .padding(1, 0).convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build();
            MultiLayerNetwork net = network(layer, InputType.convolutional(3, 4, 1, format));
            Random random = new Random(3);
            INDArray x = format == CNN2DFormat.NCHW ? PerExampleGradientEquivalenceProperties.gaussian(random, 1, 1, 3, 4)
                    : PerExampleGradientEquivalenceProperties.gaussian(random, 1, 3, 4, 1);
            assertScale(net, x, random, new LocallyConnected2DLayerRule());
        }
    }

    @Test
    void locallyConnected1d_dl4jGradientIsTwiceTheFiniteDifference_andTheRuleReproducesIt() {
        LocallyConnected1D layer = new LocallyConnected1D.Builder().nIn(2).nOut(3).kernelSize(2).stride(1)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.SIGMOID).build();
        MultiLayerNetwork net = network(layer, InputType.recurrent(2, 5));
        Random random = new Random(4);
        assertScale(net, PerExampleGradientEquivalenceProperties.gaussian(random, 1, 2, 5), random,
                new LocallyConnected1DLayerRule());
    }

    static MultiLayerNetwork network(org.deeplearning4j.nn.conf.layers.Layer layer, InputType inputType) {
        MultiLayerNetwork net = new MultiLayerNetwork(PerExampleGradientEquivalenceProperties.base(3).list()
                .layer(layer).setInputType(inputType).build());
        net.init();
        net.initGradientsView();
        return net;
    }

    /** DL4J's and the rule's gradients of sum(output * c), parameters then input, against the scaled finite differences. */
    static void assertScale(MultiLayerNetwork net, INDArray x, Random random, LayerRule rule) {
        Layer layer = net.getLayer(0);
        LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
        INDArray c = PerExampleGradientEquivalenceProperties.gaussian(random,
                layer.activate(x, false, workspaces).shape());

        long parameters = layer.numParams();
        INDArray finiteDifference = Nd4j.create(DataType.DOUBLE, parameters + x.length());
        for (String name : layer.paramTable().keySet()) {
            INDArray parameter = layer.getParam(name);
            INDArray view = layer.conf().getLayer().initializer().getGradientsFromFlattened(layer.conf(),
                    finiteDifference.get(NDArrayIndex.interval(0, parameters))).get(name);
            for (long j = 0; j < parameter.length(); j++) {
                view.putScalar(j, centralDifference(layer, x, c, parameter, j, workspaces));
            }
        }
        for (long j = 0; j < x.length(); j++) {
            finiteDifference.putScalar(parameters + j, centralDifference(layer, x, c, x, j, workspaces));
        }

        layer.activate(x, true, workspaces);
        INDArray dl4jInput = layer.backpropGradient(c.dup(), workspaces).getSecond();
        INDArray dl4j = Nd4j.concat(0, layer.getGradientsViewArray().reshape(-1), dl4jInput.reshape(-1));

        layer.activate(x, true, workspaces);
        layer.getGradientsViewArray().assign(0);
        LayerBackward backward = rule.backward(layer, c.dup(), true);
        backward.accumulateClippedSum(Nd4j.ones(DataType.DOUBLE, 1, 1));
        INDArray fromRule = Nd4j.concat(0, layer.getGradientsViewArray().reshape(-1),
                backward.inputGradient().dup('c').reshape(-1));

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
