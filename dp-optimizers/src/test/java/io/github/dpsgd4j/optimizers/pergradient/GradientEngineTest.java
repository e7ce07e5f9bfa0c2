package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.model.Batch;
import io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter;

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

class GradientEngineTest {

    private static GradientEngine engine(MultiLayerNetwork net, double clip, GradientEngine.Strategy strategy) {
        return new GradientEngine(new MultiLayerNetworkAdapter(net, LayerRules.defaults()), clip,
                NonFiniteNormPolicy.SKIP, strategy);
    }

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

        Nd4j.getRandom().setSeed(1234);
        INDArray sum = engine(net, Double.POSITIVE_INFINITY, GradientEngine.Strategy.BOOKKEEPING)
                .clippedSum(Batch.single(x, y, null, null)).sum();

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
        ClippedSum a = engine(net, 0.3, GradientEngine.Strategy.BOOKKEEPING).clippedSum(Batch.single(x, y, null, null));
        ClippedSum b = engine(net, 0.3, GradientEngine.Strategy.PER_EXAMPLE_LOOP)
                .clippedSum(Batch.single(x, y, null, null));
        assertEquals(b.stats().clippedCount(), a.stats().clippedCount());
        assertEquals(9, a.examples());
        assertEquals(9, b.examples());
        PerExampleGradientEquivalenceProperties.assertClose(b.sum(), a.sum());
        assertEquals(b.summedLoss(), a.summedLoss(), 1e-9 * Math.abs(b.summedLoss()));
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
            for (GradientEngine.Strategy strategy : GradientEngine.Strategy.values()) {
                GradientEngine engine = engine(net, 0.5, strategy);
                ClippedSum poisonedSum = engine.clippedSum(Batch.single(poisoned, y, null, null));
                assertEquals(6, poisonedSum.examples(), strategy + ": every example counted once");
                assertEquals(1, poisonedSum.stats().nonFiniteCount(), strategy + ": the poisoned example counted");
                INDArray withPoison = poisonedSum.sum();
                INDArray withoutIt = engine.clippedSum(Batch.single(Batch.rows(x, kept), Batch.rows(y, kept), null, null))
                        .sum();
                assertEquals(0, withPoison.isNaN().castTo(DataType.INT).sumNumber().intValue(),
                        strategy + ": no NaN in the clipped sum");
                PerExampleGradientEquivalenceProperties.assertClose(withoutIt, withPoison);
            }
        }
    }
}
