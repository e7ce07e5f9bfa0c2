package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;
import io.github.dpsgd4j.optimizers.pergradient.RejectedLayerRule;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.List;
import java.util.function.IntConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13 item 16: a trainer step with a finite clip norm equals brute force. Brute force is DL4J's own
 * backprop on a batch of one per example, each gradient scaled by {@code min(1, C / ||g_i||)}, summed,
 * divided by {@code qN} and applied by plain Sgd ({@code params -= lr * mean}). With {@code q = 1} every
 * example is in the batch and sigma = 0 adds no noise, so the trainer's result is fully determined. C is
 * chosen between the smallest and the largest per-example norm, so some examples are clipped and some not.
 */
class TrainerStepBruteForceTest {

    private static final double LEARNING_RATE = 0.1;

    @Test
    void finiteClipStep_multiLayerNetwork_equalsBruteForce() {
        DataSet data = TestNetworks.gaussianData(4, 10, 5, 3, DataType.DOUBLE);
        MultiLayerNetwork net = TestNetworks.mlp(3, 5, 6, 3, new Sgd(LEARNING_RATE), DataType.DOUBLE);
        assertStepEqualsBruteForce(net, net.clone(), data.numExamples(),
                i -> oneExample(net, data, i), trainer -> trainer.step(data), LayerRules.defaults());
    }

    @Test
    void finiteClipStep_computationGraph_equalsBruteForce() {
        MultiDataSet data = GraphTrainerTest.residualData(5, 8);
        ComputationGraph graph = GraphTrainerTest.residual(new Sgd(LEARNING_RATE), 6);
        assertStepEqualsBruteForce(graph, graph.clone(), 8, i -> oneExample(graph, data, i),
                trainer -> trainer.step(data), LayerRules.defaults());
    }

    /**
     * Feature masks and label masks ([N, 1], two examples masked out by each) inside a trainer step: the per-example gradients behind the clipped sum are DL4J's masked ones.
     */
    @Test
    void finiteClipStep_withFeatureAndLabelMasks_equalsBruteForce() {
        assertMaskedStepEqualsBruteForce(LayerRules.defaults());
    }

    /**
     * The same masked step on the exact per-example loop (a registry with no fast rule): DL4J refuses the
     * [1, 1] label mask of a batch of one with softmax, so the loop must weight the unmasked example instead.
     */
    @Test
    void finiteClipStep_withFeatureAndLabelMasks_onTheExactLoop_equalsBruteForce() {
        assertMaskedStepEqualsBruteForce(LayerRules.of(List.of(new RejectedLayerRule())));
    }

    private static void assertMaskedStepEqualsBruteForce(LayerRules rules) {
        DataSet plain = TestNetworks.gaussianData(7, 10, 5, 3, DataType.DOUBLE);
        INDArray featuresMask = Nd4j.ones(DataType.DOUBLE, 10, 1);
        featuresMask.putScalar(2, 0, 0.0);
        featuresMask.putScalar(6, 0, 0.0);
        // [N, 1]: DL4J refuses per-output label masks with softmax. Masks are 0/1 as DL4J defines them (with
        // fractional weights the trainer and DL4J differ; see the issue note).
        INDArray labelsMask = Nd4j.ones(DataType.DOUBLE, 10, 1);
        labelsMask.putScalar(4, 0, 0.0);
        labelsMask.putScalar(8, 0, 0.0);
        DataSet data = new DataSet(plain.getFeatures(), plain.getLabels(), featuresMask, labelsMask);
        MultiLayerNetwork net = TestNetworks.mlp(9, 5, 6, 3, new Sgd(LEARNING_RATE), DataType.DOUBLE);
        assertStepEqualsBruteForce(net, net.clone(), 10, i -> oneMaskedExample(net, data, i),
                trainer -> trainer.step(data), rules);
    }

    private interface Step {
        void take(DpSgdTrainer trainer);
    }

    /**
     * @param bruteForceModel a model whose gradient view the per-example function fills
     * @param trained         an identical model for the trainer
     */
    private static void assertStepEqualsBruteForce(Model bruteForceModel, Model trained, int n,
                                                   IntConsumer exampleGradientIntoView, Step step, LayerRules rules) {
        INDArray before = bruteForceModel.params().dup();
        INDArray[] gradients = new INDArray[n];
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            exampleGradientIntoView.accept(i);
            gradients[i] = bruteForceModel.getGradientsViewArray().dup().reshape(1, before.length());
            norms[i] = gradients[i].norm2Number().doubleValue();
        }
        double[] sorted = norms.clone();
        java.util.Arrays.sort(sorted);
        assertTrue(sorted[0] < sorted[n - 1] && sorted[n - 1] > 0, "per-example norms must differ");
        double clip = (sorted[n / 2 - 1] + sorted[n / 2]) / 2; // about half the examples are clipped
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, 1, before.length());
        int clipped = 0;
        for (int i = 0; i < n; i++) {
            double factor = Math.min(1.0, clip / norms[i]);
            clipped += factor < 1 ? 1 : 0;
            sum.addi(gradients[i].mul(factor));
        }
        assertTrue(clipped > 0 && clipped < n, "some but not all examples clipped: " + clipped);
        INDArray expected = before.reshape(1, before.length()).sub(sum.mul(LEARNING_RATE / n));

        DpSgdTrainer.Builder builder = trained instanceof ComputationGraph graph ? DpSgdTrainer.builder(graph)
                : DpSgdTrainer.builder((MultiLayerNetwork) trained);
        DpSgdTrainer trainer = builder.layerRules(rules).l2NormClip(clip).noiseMultiplier(0).sampleRate(1.0)
                .noiseSource(NoiseSource.seeded(1)).build();
        step.take(trainer);
        assertEquals(1, trainer.stepsTaken());
        INDArray actual = trained.params().reshape(1, before.length());
        double difference = expected.sub(actual).norm2Number().doubleValue();
        double change = expected.sub(before.reshape(1, before.length())).norm2Number().doubleValue();
        assertTrue(difference <= 1e-9 * change, "trainer step differs from brute force by " + difference
                + " (the step moved the parameters by " + change + ")");
    }

    /** DL4J's backprop on example {@code i} alone (with its masks), leaving the gradient in the view. */
    private static void oneExample(MultiLayerNetwork net, DataSet data, int i) {
        net.clearLayerMaskArrays();
        net.setInput(row(data.getFeatures(), i));
        net.setLabels(row(data.getLabels(), i));
        net.setLayerMaskArrays(row(data.getFeaturesMaskArray(), i), row(data.getLabelsMaskArray(), i));
        net.computeGradientAndScore();
    }

    /**
     * DL4J's backprop of example {@code i} with its masks, on the whole batch with every other example's label
     * mask set to 0 (DL4J refuses a label mask on a batch of one with softmax: a [1, 1] mask counts as per-output).
     * DL4J's gradient view holds the sum over the batch (its updater divides by the batch size), so this is
     * example {@code i}'s gradient alone.
     */
    private static void oneMaskedExample(MultiLayerNetwork net, DataSet data, int i) {
        INDArray labelsMask = Nd4j.zeros(DataType.DOUBLE, data.numExamples(), 1);
        labelsMask.putScalar(i, 0, data.getLabelsMaskArray().getDouble(i, 0));
        net.clearLayerMaskArrays();
        net.setInput(data.getFeatures());
        net.setLabels(data.getLabels());
        net.setLayerMaskArrays(data.getFeaturesMaskArray(), labelsMask);
        net.computeGradientAndScore();
    }

    private static void oneExample(ComputationGraph graph, MultiDataSet data, int i) {
        INDArray[] features = new INDArray[data.getFeatures().length];
        for (int k = 0; k < features.length; k++) {
            features[k] = row(data.getFeatures(k), i);
        }
        INDArray[] labels = new INDArray[data.getLabels().length];
        for (int k = 0; k < labels.length; k++) {
            labels[k] = row(data.getLabels(k), i);
        }
        graph.setInputs(features);
        graph.setLabels(labels);
        graph.computeGradientAndScore();
    }

    private static INDArray row(INDArray array, int i) {
        if (array == null) {
            return null;
        }
        return array.get(NDArrayIndex.interval(i, i + 1)).dup();
    }
}
