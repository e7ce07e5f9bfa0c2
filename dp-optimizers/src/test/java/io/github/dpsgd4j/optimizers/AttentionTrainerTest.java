package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attention layers in the trainer: with sigma = 0, C = infinity and q = 1 a private step through
 * {@code SelfAttentionLayerRule} or {@code RecurrentAttentionLayerRule} is DL4J's own {@code fit()} step
 * (Adam, three steps), with masked sequences in a MultiLayerNetwork and in a ComputationGraph.
 */
class AttentionTrainerTest {

    private static NeuralNetConfiguration.Builder base(WorkspaceMode workspaces) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(new Adam(0.01))
                .trainingWorkspaceMode(workspaces).inferenceWorkspaceMode(workspaces);
    }

    /** Sequences [B, 3, T] with one-hot labels per step and a mask keeping a prefix of 1..T steps. */
    private static DataSet maskedSequences(long seed, int batch, int steps) {
        Random random = new Random(seed);
        INDArray x = Nd4j.zeros(DataType.DOUBLE, batch, 3, steps);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, 2, steps);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, batch, steps);
        for (int i = 0; i < batch; i++) {
            int length = 1 + random.nextInt(steps);
            for (int t = 0; t < steps; t++) {
                for (int f = 0; f < 3; f++) {
                    x.putScalar(new long[] {i, f, t}, random.nextGaussian());
                }
                y.putScalar(new long[] {i, random.nextInt(2), t}, 1.0);
                mask.putScalar(i, t, t < length ? 1.0 : 0.0);
            }
        }
        return new DataSet(x, y, mask, mask);
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        double scale = expected.norm2Number().doubleValue();
        double difference = expected.sub(actual).norm2Number().doubleValue();
        assertTrue(difference <= 1e-10 * scale, "parameters differ from fit() by " + difference);
    }

    @Test
    void privateStep_withoutNoiseOrClipping_equalsFit_forMaskedSelfAttention() {
        DataSet data = maskedSequences(3, 8, 6);
        MultiLayerNetwork reference = new MultiLayerNetwork(base(WorkspaceMode.NONE).list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new SelfAttentionLayer.Builder().nIn(4).nOut(6).nHeads(2).projectInput(true).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        reference.init();
        MultiLayerNetwork privateNet = reference.clone();
        DpSgdTrainer trainer = DpSgdTrainer.builder(privateNet).l2NormClip(Double.POSITIVE_INFINITY)
                .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
        assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy(), trainer.warnings().toString());
        for (int step = 0; step < 3; step++) {
            reference.fit(data);
            trainer.step(data);
        }
        assertClose(reference.params(), privateNet.params());
    }

    @Test
    void privateStep_withoutNoiseOrClipping_equalsFit_forMaskedRecurrentAttention() {
        for (boolean projectInput : new boolean[] {true, false}) {
            DataSet data = maskedSequences(5, 6, 4);
            MultiLayerNetwork reference = new MultiLayerNetwork(base(WorkspaceMode.ENABLED).list()
                    .layer(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                    .layer(new RecurrentAttentionLayer.Builder().nIn(4).nOut(4).nHeads(projectInput ? 2 : 1)
                            .projectInput(projectInput).activation(Activation.TANH).build())
                    .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2)
                            .activation(Activation.SOFTMAX).build())
                    .build());
            reference.init();
            MultiLayerNetwork privateNet = reference.clone();
            DpSgdTrainer trainer = DpSgdTrainer.builder(privateNet).l2NormClip(Double.POSITIVE_INFINITY)
                    .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
            assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy(), trainer.warnings().toString());
            for (int step = 0; step < 3; step++) {
                reference.fit(data);
                trainer.step(data);
            }
            assertClose(reference.params(), privateNet.params());
        }
    }

    @Test
    void graphPrivateStep_withoutNoiseOrClipping_equalsGraphFit_forSelfAttention() {
        DataSet sequences = maskedSequences(4, 7, 5);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 7, 2);
        for (int i = 0; i < 7; i++) {
            labels.putScalar(i, i % 2, 1.0);
        }
        MultiDataSet data = new MultiDataSet(new INDArray[] {sequences.getFeatures()}, new INDArray[] {labels},
                new INDArray[] {sequences.getFeaturesMaskArray()}, null);
        ComputationGraph reference = new ComputationGraph(base(WorkspaceMode.ENABLED).graphBuilder().addInputs("seq")
                .addLayer("attention", new SelfAttentionLayer.Builder().nOut(4).nHeads(2).headSize(3)
                        .projectInput(true).build(), "seq")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "attention")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.recurrent(3, 5)).build());
        reference.init();
        ComputationGraph privateGraph = reference.clone();
        DpSgdTrainer trainer = DpSgdTrainer.builder(privateGraph).l2NormClip(Double.POSITIVE_INFINITY)
                .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
        assertEquals(GradientEngine.Strategy.BOOKKEEPING, trainer.strategy(), trainer.warnings().toString());
        for (int step = 0; step < 3; step++) {
            reference.fit(data);
            trainer.step(data);
        }
        assertClose(reference.params(), privateGraph.params());
    }
}
