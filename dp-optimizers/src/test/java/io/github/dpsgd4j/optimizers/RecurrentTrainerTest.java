package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;
import io.github.dpsgd4j.optimizers.pergradient.SelfAttentionLayerRule;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recurrent networks in the trainer: book-keeping, fit() equivalence with masks, the loop warning. */
class RecurrentTrainerTest {

    private static MultiLayerConfiguration recurrentNetwork(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).updater(new Adam(0.01))
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE).list()
                .layer(new SimpleRnn.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new LSTM.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(new GravesLSTM.Builder().nOut(4).activation(Activation.SOFTSIGN).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.recurrent(3, 7))
                .build();
    }

    private static DataSet maskedSequences(long seed, int batch, int steps) {
        Random random = new Random(seed);
        INDArray x = Nd4j.zeros(DataType.DOUBLE, batch, 3, steps);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, 3, steps);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, batch, steps);
        for (int i = 0; i < batch; i++) {
            int length = 1 + random.nextInt(steps);
            for (int t = 0; t < steps; t++) {
                for (int f = 0; f < 3; f++) {
                    x.putScalar(new long[] {i, f, t}, random.nextGaussian());
                }
                y.putScalar(new long[] {i, random.nextInt(3), t}, 1.0);
                mask.putScalar(i, t, t < length ? 1.0 : 0.0);
            }
        }
        return new DataSet(x, y, mask, mask);
    }

    @Test
    void privateStep_withoutNoiseOrClipping_equalsFit_forMaskedRecurrentLayers() {
        // sigma = 0, C = infinity, q = 1: the private step is DL4J's fit() step (Adam, four steps).
        DataSet data = maskedSequences(3, 9, 7);
        MultiLayerNetwork reference = new MultiLayerNetwork(recurrentNetwork(5));
        reference.init();
        MultiLayerNetwork privateNet = reference.clone();
        DpSgdTrainer trainer = DpSgdTrainer.builder(privateNet).l2NormClip(Double.POSITIVE_INFINITY)
                .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
        assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy());
        for (int step = 0; step < 4; step++) {
            reference.fit(data);
            trainer.step(data);
        }
        double scale = reference.params().norm2Number().doubleValue();
        double difference = reference.params().sub(privateNet.params()).norm2Number().doubleValue();
        assertTrue(difference <= 1e-10 * scale, "parameters differ from fit() by " + difference);
    }

    /** sigma = 0, C = infinity, q = 1: the private step is DL4J's fit() step (Adam, three steps). */
    private static void assertPrivateStepEqualsFit(MultiLayerConfiguration conf, DataSet data) {
        MultiLayerNetwork reference = new MultiLayerNetwork(conf);
        reference.init();
        MultiLayerNetwork privateNet = reference.clone();
        DpSgdTrainer trainer = DpSgdTrainer.builder(privateNet).l2NormClip(Double.POSITIVE_INFINITY)
                .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
        assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy(), trainer.warnings().toString());
        for (int step = 0; step < 3; step++) {
            reference.fit(data);
            trainer.step(data);
        }
        double scale = reference.params().norm2Number().doubleValue();
        double difference = reference.params().sub(privateNet.params()).norm2Number().doubleValue();
        assertTrue(difference <= 1e-10 * scale, "parameters differ from fit() by " + difference);
    }

    @Test
    void privateStep_withoutNoiseOrClipping_equalsFit_forBidirectionalAndTimeDistributed() {
        DataSet masked = maskedSequences(4, 7, 6);
        DataSet unmasked = new DataSet(masked.getFeatures(), masked.getLabels());
        for (Bidirectional.Mode mode : Bidirectional.Mode.values()) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(6).dataType(DataType.DOUBLE)
                    .updater(new Adam(0.01)).trainingWorkspaceMode(WorkspaceMode.NONE)
                    .inferenceWorkspaceMode(WorkspaceMode.NONE).list()
                    .layer(new Bidirectional(mode, new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build()))
                    .layer(new TimeDistributed(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build()))
                    .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.recurrent(3, 6))
                    .build();
            assertPrivateStepEqualsFit(conf, unmasked);
        }
        MultiLayerConfiguration maskedConf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new Adam(0.01)).trainingWorkspaceMode(WorkspaceMode.NONE)
                .inferenceWorkspaceMode(WorkspaceMode.NONE).list()
                .layer(new Bidirectional(Bidirectional.Mode.CONCAT,
                        new GravesLSTM.Builder().nIn(3).nOut(3).activation(Activation.TANH).build()))
                .layer(new Bidirectional(Bidirectional.Mode.MUL,
                        new SimpleRnn.Builder().nOut(4).activation(Activation.TANH).build()))
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.recurrent(3, 6))
                .build();
        assertPrivateStepEqualsFit(maskedConf, masked);
    }

    @Test
    void recurrentLayerWithoutRule_warnsOfTheExactLoopWithoutALoggingBackend() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(0.01)).list()
                .layer(new SelfAttentionLayer.Builder().nIn(3).nOut(4).nHeads(1).projectInput(true).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.recurrent(3, 5))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        // The default rules handle SelfAttentionLayer: leave its rule out so that the layer has none.
        LayerRules withoutAttention = LayerRules.of(LayerRules.defaults().rules().stream()
                .filter(rule -> !(rule instanceof SelfAttentionLayerRule)).toList());
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(0.5)
                .layerRules(withoutAttention).build();
        assertEquals(GradientEngine.Strategy.PER_EXAMPLE_LOOP, trainer.strategy());
        assertTrue(trainer.warnings().stream().anyMatch(w -> w.contains("exact per-example loop")
                && w.contains("SelfAttentionLayer")), trainer.warnings().toString());
    }
}
