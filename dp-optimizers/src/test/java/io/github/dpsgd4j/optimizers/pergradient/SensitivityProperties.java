package io.github.dpsgd4j.optimizers.pergradient;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sensitivity DP-SGD's noise is calibrated to: removing one example from a batch changes the
 * pre-noise clipped sum by at most C, replacing one by at most 2C (add/remove adjacency is what the
 * accountants assume). Inputs are scaled up so that most examples are clipped.
 */
class SensitivityProperties {

    @Property(tries = 20)
    void oneExample_movesTheClippedSumByAtMostC(@ForAll @IntRange(min = 2, max = 12) int batch,
                                                @ForAll @DoubleRange(min = 0.01, max = 5) double clip,
                                                @ForAll @DoubleRange(min = 0.1, max = 50) double inputScale,
                                                @ForAll boolean convolutional,
                                                @ForAll long seed) {
        NeuralNetConfigurationHolder holder = network(convolutional, seed);
        MultiLayerNetwork net = holder.net;
        Random random = new Random(seed);
        INDArray x = PerExampleGradientEquivalenceProperties.gaussian(random, holder.inputShape(batch)).muli(inputScale);
        INDArray y = PerExampleGradientEquivalenceProperties.oneHot(random, batch, 3);
        int changed = random.nextInt(batch);

        INDArray full = clippedSum(net, x, y, clip);
        INDArray removed = clippedSum(net, without(x, changed), without(y, changed), clip);
        INDArray xReplaced = x.dup();
        xReplaced.get(org.nd4j.linalg.indexing.NDArrayIndex.point(changed)).assign(
                PerExampleGradientEquivalenceProperties.gaussian(random, holder.inputShape(1)).muli(inputScale * 3)
                        .reshape(xReplaced.get(org.nd4j.linalg.indexing.NDArrayIndex.point(changed)).shape()));
        INDArray replaced = clippedSum(net, xReplaced, y, clip);

        double removal = full.sub(removed).norm2Number().doubleValue();
        double replacement = full.sub(replaced).norm2Number().doubleValue();
        assertTrue(removal <= clip * (1 + 1e-9), "removal moved the sum by " + removal + " > C = " + clip);
        assertTrue(replacement <= 2 * clip * (1 + 1e-9), "replacement moved the sum by " + replacement + " > 2C");
    }

    private record NeuralNetConfigurationHolder(MultiLayerNetwork net, boolean convolutional) {
        long[] inputShape(int batch) {
            return convolutional ? new long[] {batch, 2, 6, 6} : new long[] {batch, 5};
        }
    }

    private static NeuralNetConfigurationHolder network(boolean convolutional, long seed) {
        var list = PerExampleGradientEquivalenceProperties.base(seed).list();
        MultiLayerConfiguration conf;
        if (convolutional) {
            conf = list.layer(new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(6, 6, 2)).build();
        } else {
            conf = list.layer(new DenseLayer.Builder().nOut(6).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward(5)).build();
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        return new NeuralNetConfigurationHolder(net, convolutional);
    }

    private static INDArray clippedSum(MultiLayerNetwork net, INDArray x, INDArray y, double clip) {
        return new io.github.dpsgd4j.optimizers.engine.GradientEngine(
                new io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter(net, LayerRules.defaults()), clip,
                io.github.dpsgd4j.core.clip.NonFiniteNormPolicy.SKIP)
                .clippedSum(io.github.dpsgd4j.optimizers.model.Batch.single(x, y, null, null)).sum();
    }

    private static INDArray without(INDArray array, int row) {
        int n = (int) array.size(0);
        int[] keep = new int[n - 1];
        for (int i = 0, k = 0; i < n; i++) {
            if (i != row) {
                keep[k++] = i;
            }
        }
        long[] shape = array.shape().clone();
        shape[0] = n - 1;
        INDArray flat = array.reshape('c', n, array.length() / n);
        return Nd4j.pullRows(flat, 1, keep).reshape('c', shape);
    }
}
