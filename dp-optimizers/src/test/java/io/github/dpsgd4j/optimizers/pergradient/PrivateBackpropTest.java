package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.core.clip.ClipFactors;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
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
    /**
     * An example whose gradient norm is not finite (here an infinite feature) is skipped: the clipped
     * sum equals the sum over the other examples alone, bit for bit free of NaN, for every engine and
     * layer kind, and the clip rule counts each example once.
     */
    @Test
    void nonFiniteExample_isLeftOutEntirely_notMultipliedByZero() {
        MultiLayerNetwork mlp = new MultiLayerNetwork(PerExampleGradientEquivalenceProperties.base(5).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build());
        MultiLayerNetwork cnn = new MultiLayerNetwork(PerExampleGradientEquivalenceProperties.base(6).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 1)).build());
        Random random = new Random(11);
        for (MultiLayerNetwork net : new MultiLayerNetwork[] {mlp, cnn}) {
            net.init();
            net.initGradientsView();
            long[] shape = net == mlp ? new long[] {6, 4} : new long[] {6, 1, 5, 5};
            INDArray x = PerExampleGradientEquivalenceProperties.gaussian(random, shape);
            INDArray y = PerExampleGradientEquivalenceProperties.oneHot(random, 6, 3);
            INDArray poisoned = x.dup();
            poisoned.slice(2).assign(Double.POSITIVE_INFINITY);
            int[] kept = {0, 1, 3, 4, 5};
            for (PrivateBackprop engine : new PrivateBackprop[] {PrivateBackprop.forNetwork(net),
                    PrivateBackprop.forNetwork(net, Map.of())}) {
                int[] counted = {0};
                ClipRule skip = new ClipRule() {
                    @Override
                    public double[] factors(double[] squaredNorms) {
                        counted[0] += squaredNorms.length;
                        return recountFree(squaredNorms);
                    }

                    @Override
                    public double[] recountFree(double[] squaredNorms) {
                        return ClipFactors.fromSquaredNorms(squaredNorms, 0.5, NonFiniteNormPolicy.SKIP).factors();
                    }
                };
                INDArray withPoison = Nd4j.zeros(net.getGradientsViewArray().dataType(),
                        net.getGradientsViewArray().shape());
                INDArray withoutIt = withPoison.dup();
                engine.addClippedSum(poisoned, y, null, null, skip, withPoison);
                assertEquals(6, counted[0], engine.strategy() + ": every example counted once");
                engine.addClippedSum(BookkeepingBackprop.rows(x, kept), BookkeepingBackprop.rows(y, kept), null, null,
                        skip, withoutIt);
                assertEquals(0, withPoison.isNaN().castTo(DataType.INT).sumNumber().intValue(),
                        engine.strategy() + ": no NaN in the clipped sum");
                PerExampleGradientEquivalenceProperties.assertClose(withoutIt, withPoison);
            }
        }
    }
}
