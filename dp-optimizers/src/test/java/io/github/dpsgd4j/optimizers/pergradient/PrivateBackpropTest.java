package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PrivateBackpropTest {

    private static final ClipRule NO_CLIPPING = squared -> {
        double[] ones = new double[squared.length];
        Arrays.fill(ones, 1);
        return ones;
    };

    @Test
    void withDropout_clippedSumUsesTheForwardPassMasks() {
        // Book-keeping forms the clipped sum from the forward pass's own activations, so with
        // dropout (and no clipping) it must equal DL4J's gradient drawn with the same dropout masks.
        MultiLayerConfiguration conf = PerExampleGradientEquivalenceProperties.base(7).list()
                .layer(new DenseLayer.Builder().nOut(12).activation(Activation.RELU).dropOut(0.7).build())
                .layer(new DropoutLayer.Builder(0.8).build())
                .layer(new DenseLayer.Builder().nOut(9).activation(Activation.TANH).dropOut(0.6).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4).dropOut(0.9)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(10)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        Random random = new Random(7);
        INDArray x = PerExampleGradientEquivalenceProperties.gaussian(random, 16, 10);
        INDArray y = PerExampleGradientEquivalenceProperties.oneHot(random, 16, 4);

        INDArray sum = Nd4j.zeros(net.getGradientsViewArray().dataType(), net.getGradientsViewArray().shape());
        Nd4j.getRandom().setSeed(1234);
        PrivateBackprop.forNetwork(net).addClippedSum(x, y, null, null, NO_CLIPPING, sum);

        Nd4j.getRandom().setSeed(1234);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        PerExampleGradientEquivalenceProperties.assertClose(net.getGradientsViewArray(), sum);
    }

    @Test
    void perExampleLoop_equalsBookkeeping() {
        MultiLayerConfiguration conf = PerExampleGradientEquivalenceProperties.base(3).list()
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        Random random = new Random(3);
        INDArray x = PerExampleGradientEquivalenceProperties.gaussian(random, 9, 5);
        INDArray y = PerExampleGradientEquivalenceProperties.gaussian(random, 9, 3);
        ClipRule clip = squared -> {
            double[] f = new double[squared.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = Math.min(1, 0.3 / (Math.sqrt(squared[i]) + 1e-12));
            }
            return f;
        };
        PrivateBackprop bookkeeping = PrivateBackprop.forNetwork(net);
        PrivateBackprop loop = PrivateBackprop.forNetwork(net, Map.of());
        assertEquals(PrivateBackprop.Strategy.BOOKKEEPING, bookkeeping.strategy());
        assertEquals(PrivateBackprop.Strategy.PER_EXAMPLE_LOOP, loop.strategy());
        INDArray a = Nd4j.zeros(net.getGradientsViewArray().dataType(), net.getGradientsViewArray().shape());
        INDArray b = a.dup();
        MicroBatchResult ra = bookkeeping.addClippedSum(x, y, null, null, clip, a);
        MicroBatchResult rb = loop.addClippedSum(x, y, null, null, clip, b);
        PerExampleGradientEquivalenceProperties.assertClose(b, a);
        assertEquals(rb.summedLoss(), ra.summedLoss(), 1e-9 * Math.abs(rb.summedLoss()));
    }
}
