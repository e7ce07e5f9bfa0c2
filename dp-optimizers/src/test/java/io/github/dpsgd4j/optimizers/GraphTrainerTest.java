package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphTrainerTest {

    /** A residual CNN with two inputs and two outputs (default workspace mode, as users build them). */
    static ComputationGraph residual(IUpdater updater, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .updater(updater).graphBuilder().addInputs("image", "side")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU).build(), "image")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU)
                        .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).build(), "c1")
                .addVertex("skip", new ElementWiseVertex(ElementWiseVertex.Op.Add), "c1", "c2")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "skip")
                .addLayer("ds", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "side")
                .addVertex("merge", new MergeVertex(), "pool", "ds")
                .addLayer("class", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "merge")
                .addLayer("value", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build(), "merge")
                .setOutputs("class", "value")
                .setInputTypes(InputType.convolutional(6, 6, 2), InputType.feedForward(3)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    static MultiDataSet residualData(long seed, int n) {
        Random r = new Random(seed);
        INDArray image = Nd4j.create(DataType.DOUBLE, n, 2, 6, 6);
        INDArray side = Nd4j.create(DataType.DOUBLE, n, 3);
        INDArray classes = Nd4j.zeros(DataType.DOUBLE, n, 3);
        INDArray value = Nd4j.create(DataType.DOUBLE, n, 1);
        for (long i = 0; i < image.length(); i++) {
            image.putScalar(i, r.nextGaussian());
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                side.putScalar(i, j, r.nextGaussian());
            }
            classes.putScalar(i, r.nextInt(3), 1);
            value.putScalar(i, 0, r.nextGaussian());
        }
        return new MultiDataSet(new INDArray[] {image, side}, new INDArray[] {classes, value});
    }

    private static double relativeDifference(INDArray expected, INDArray actual) {
        return expected.sub(actual).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    }

    @Test
    void privateStep_withoutNoiseOrClipping_equalsGraphFit() {
        for (IUpdater updater : List.of(new Sgd(0.1), new Adam(0.01), new Nesterovs(0.05, 0.9))) {
            MultiDataSet data = residualData(1, 12);
            ComputationGraph reference = residual(updater, 2);
            ComputationGraph privateGraph = residual(updater, 2);
            DpSgdTrainer trainer = DpSgdTrainer.builder(privateGraph).l2NormClip(Double.POSITIVE_INFINITY)
                    .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
            for (int step = 0; step < 3; step++) {
                reference.fit(data);
                assertEquals(12, trainer.step(data).batchSize());
            }
            double difference = relativeDifference(reference.params(), privateGraph.params());
            assertTrue(difference <= 1e-12, updater + ": parameters differ from fit() by " + difference);
            assertEquals(reference.getIterationCount(), privateGraph.getIterationCount());
            assertEquals(reference.score(), privateGraph.score(), 1e-9 * Math.abs(reference.score()));
        }
    }

    @Test
    void graphTraining_fitsCheckpointsAndReloads(@TempDir Path dir) throws IOException {
        ComputationGraph graph = residual(new Adam(0.01), 4);
        MultiDataSet data = residualData(4, 40);
        DpSgdTrainer trainer = DpSgdTrainer.builder(graph).l2NormClip(1).noiseMultiplier(1.0).sampleRate(0.25)
                .epochs(2).noiseSource(NoiseSource.seeded(5)).checkpoints(dir, 0).build();
        INDArray before = graph.params().dup();
        TrainingSummary summary = trainer.fit(data);
        assertEquals(8, summary.stepsTaken());
        assertNotEquals(before, graph.params());
        assertTrue(trainer.privacySpent(1e-5).epsilon() > 0);
        assertEquals(graph, trainer.graph());
        assertTrue(assertThrows(IllegalStateException.class, trainer::network).getMessage().contains("graph()"));
        DpSgdCheckpoint checkpoint = DpSgdCheckpoint.read(dir);
        assertTrue(checkpoint.model() instanceof ComputationGraph);
        assertEquals(graph.params(), ((ComputationGraph) checkpoint.model()).params());
        DpSgdTrainer resumed = DpSgdTrainer.resume(dir, NoiseSource.seeded(6));
        assertEquals(trainer.ledger(), resumed.ledger());
        resumed.fit(data, 1);
        assertEquals(12, resumed.ledger().totalSteps());
        // Saved through DL4J's serializer, the trained graph reloads as a ComputationGraph.
        Path file = dir.resolve("model.zip");
        ModelSerializer.writeModel(resumed.graph(), file.toFile(), true);
        assertEquals(resumed.graph().params(), ModelSerializer.restoreComputationGraph(file.toFile()).params());
    }

    @Test
    void mismatchedData_isRefusedBeforeAnythingIsSpent() {
        ComputationGraph graph = residual(new Sgd(0.1), 7);
        DpSgdTrainer trainer = DpSgdTrainer.builder(graph).l2NormClip(1).noiseMultiplier(1).sampleRate(0.5)
                .noiseSource(NoiseSource.seeded(7)).build();
        MultiDataSet good = residualData(7, 10);
        MultiDataSet oneLabel = new MultiDataSet(good.getFeatures(), new INDArray[] {good.getLabels(0)});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(oneLabel, 1));
        assertTrue(e.getMessage().contains("1 labels arrays but the model has 2 outputs"), e.getMessage());
        MultiDataSet swapped = new MultiDataSet(good.getFeatures(), new INDArray[] {good.getLabels(1), good.getLabels(0)});
        e = assertThrows(IllegalArgumentException.class, () -> trainer.step(swapped));
        assertTrue(e.getMessage().contains("output \"class\""), e.getMessage());
        MultiDataSet ragged = new MultiDataSet(new INDArray[] {good.getFeatures(0), good.getFeatures(1).get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 9), org.nd4j.linalg.indexing.NDArrayIndex.all())},
                good.getLabels());
        e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(ragged, 1));
        assertTrue(e.getMessage().contains("features") && e.getMessage().contains("[9, 3]"), e.getMessage());
        MultiDataSet oneMask = new MultiDataSet(good.getFeatures(), good.getLabels());
        oneMask.setFeaturesMaskArrays(new INDArray[] {Nd4j.ones(DataType.DOUBLE, 10, 1)});
        e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(oneMask, 1));
        assertTrue(e.getMessage().contains("1 features masks but the model has 2 inputs"), e.getMessage());
        assertEquals(0, trainer.ledger().totalSteps());
    }

    private static ComputationGraphConfiguration.GraphBuilder small() {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).updater(new Sgd(0.1))
                .graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(4));
    }

    @Test
    void badGraphs_areRefusedWithTheVertexAndTheFix() {
        var noLoss = small().addLayer("d", new DenseLayer.Builder().nOut(3).build(), "in").setOutputs("d").build();
        ComputationGraph headless = new ComputationGraph(noLoss);
        headless.init();
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                () -> DpSgdTrainer.builder(headless).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
        assertTrue(e.getMessage().contains("vertex \"d\"") && e.getMessage().contains("OutputLayer"), e.getMessage());

        var bn = small().addLayer("bn", new BatchNormalization.Builder().build(), "in")
                .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "bn")
                .setOutputs("out").build();
        ComputationGraph withBn = new ComputationGraph(bn);
        withBn.init();
        e = assertThrows(UnsupportedLayerException.class,
                () -> DpSgdTrainer.builder(withBn).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
        assertTrue(e.getMessage().contains("\"bn\"") && e.getMessage().contains("FrozenLayer"), e.getMessage());

        var reshape = small().addLayer("d", new DenseLayer.Builder().nOut(6).build(), "in")
                .addVertex("r", new org.deeplearning4j.nn.conf.graph.ReshapeVertex(10, 6), "d")
                .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "r")
                .setOutputs("out").build();
        ComputationGraph fixedBatch = new ComputationGraph(reshape);
        fixedBatch.init();
        e = assertThrows(UnsupportedLayerException.class,
                () -> DpSgdTrainer.builder(fixedBatch).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
        assertTrue(e.getMessage().contains("vertex \"r\"") && e.getMessage().contains("-1"), e.getMessage());

        var tbptt = small().addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "in")
                .setOutputs("out").backpropType(BackpropType.TruncatedBPTT).tBPTTLength(3).build();
        ComputationGraph truncated = new ComputationGraph(tbptt);
        truncated.init();
        e = assertThrows(UnsupportedLayerException.class,
                () -> DpSgdTrainer.builder(truncated).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
        assertTrue(e.getMessage().contains("Standard"), e.getMessage());
    }

    @Test
    void batchNormalization_isAcceptedFrozen_andRefusedInsideFrozenLayerWithBackprop() {
        var frozen = small().addLayer("bn", new FrozenLayer(new BatchNormalization.Builder().nOut(4).build()), "in")
                .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "bn")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(frozen);
        graph.init();
        DpSgdTrainer trainer = DpSgdTrainer.builder(graph).l2NormClip(1).noiseMultiplier(1).sampleRate(0.5)
                .noiseSource(NoiseSource.seeded(1)).build();
        INDArray bnBefore = graph.getLayer("bn").params().dup();
        trainer.fit(smallData(20), 1);
        assertEquals(bnBefore, graph.getLayer("bn").params(), "frozen batch normalisation changes by exactly 0");

        var withBackprop = small().addLayer("bn", new FrozenLayerWithBackprop(new BatchNormalization.Builder().nOut(4)
                        .build()), "in")
                .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "bn")
                .setOutputs("out").build();
        ComputationGraph flwb = new ComputationGraph(withBackprop);
        flwb.init();
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                () -> DpSgdTrainer.builder(flwb).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
        assertTrue(e.getMessage().contains("FrozenLayerWithBackprop"), e.getMessage());
    }

    static MultiDataSet smallData(int n) {
        Random r = new Random(n);
        INDArray x = Nd4j.create(DataType.DOUBLE, n, 4);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 2);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                x.putScalar(i, j, r.nextGaussian());
            }
            y.putScalar(i, r.nextInt(2), 1);
        }
        return new MultiDataSet(new INDArray[] {x}, new INDArray[] {y});
    }

    /**
     * Frozen parts as fit() treats them: "t1" sits below the frozen "f" but also feeds "side", so it
     * trains through that path only; "f" changes by exactly 0 even with noise. A feature extractor
     * built by TransferLearning freezes "t0" and its ancestors.
     */
    @Test
    void frozenParts_trainExactlyAsFit_andChangeByZero() {
        for (IUpdater updater : List.of(new Sgd(0.1), new Adam(0.01), new Nesterovs(0.05, 0.9))) {
            ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(9).dataType(DataType.DOUBLE)
                    .updater(updater).graphBuilder().addInputs("in")
                    .addLayer("t0", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                    .addLayer("t1", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "t0")
                    .addLayer("f", new FrozenLayer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH)
                            .build()), "t1")
                    .addLayer("side", new DenseLayer.Builder().nOut(3).activation(Activation.RELU).build(), "t1")
                    .addVertex("merge", new MergeVertex(), "f", "side")
                    .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "merge")
                    .setOutputs("out").setInputTypes(InputType.feedForward(4)).build();
            ComputationGraph base = new ComputationGraph(conf);
            base.init();
            ComputationGraph reference = new TransferLearning.GraphBuilder(base).setFeatureExtractor("t0").build();
            ComputationGraph privateGraph = new TransferLearning.GraphBuilder(base.clone()).setFeatureExtractor("t0")
                    .build();
            MultiDataSet data = smallData(16);
            DpSgdTrainer trainer = DpSgdTrainer.builder(privateGraph).l2NormClip(Double.POSITIVE_INFINITY)
                    .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
            INDArray frozenBefore = privateGraph.getLayer("f").params().dup();
            INDArray t0Before = privateGraph.getLayer("t0").params().dup();
            INDArray t1Before = privateGraph.getLayer("t1").params().dup();
            for (int step = 0; step < 3; step++) {
                reference.fit(data);
                trainer.step(data);
            }
            assertTrue(relativeDifference(reference.params(), privateGraph.params()) <= 1e-12, updater.toString());
            assertNotEquals(t1Before, privateGraph.getLayer("t1").params(), "t1 trains through the side path");
            assertEquals(frozenBefore, privateGraph.getLayer("f").params());
            assertEquals(t0Before, privateGraph.getLayer("t0").params());

            DpSgdTrainer noisy = DpSgdTrainer.builder(privateGraph).l2NormClip(1).noiseMultiplier(5).sampleRate(0.5)
                    .noiseSource(NoiseSource.seeded(4)).build();
            noisy.step(data);
            assertEquals(frozenBefore, privateGraph.getLayer("f").params(), "no noise on frozen parameters");
            assertEquals(t0Before, privateGraph.getLayer("t0").params());
        }
    }

    /**
     * The exact per-example loop (a registry without the recurrent rules) in DL4J's default workspace
     * mode equals fit().
     */
    @Test
    void perExampleLoopGraph_withoutNoiseOrClipping_equalsFit() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new Adam(0.01)).graphBuilder().addInputs("seq")
                .addLayer("lstm", new org.deeplearning4j.nn.conf.layers.LSTM.Builder().nOut(3)
                        .activation(Activation.TANH).build(), "seq")
                .addVertex("last", new org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex("seq"), "lstm")
                .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "last")
                .setOutputs("out").setInputTypes(InputType.recurrent(2, 4)).build();
        ComputationGraph reference = new ComputationGraph(conf);
        reference.init();
        ComputationGraph privateGraph = reference.clone();
        Random r = new Random(5);
        INDArray x = Nd4j.create(DataType.DOUBLE, 9, 2, 4);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, r.nextGaussian());
        }
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 9, 2);
        for (int i = 0; i < 9; i++) {
            y.putScalar(i, r.nextInt(2), 1);
        }
        MultiDataSet data = new MultiDataSet(new INDArray[] {x}, new INDArray[] {y});
        DpSgdTrainer trainer = DpSgdTrainer.builder(privateGraph).l2NormClip(Double.POSITIVE_INFINITY)
                .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3))
                .layerRules(io.github.dpsgd4j.optimizers.pergradient.LayerRules.of(java.util.List.of(
                        new io.github.dpsgd4j.optimizers.pergradient.DenseLayerRule())))
                .build();
        assertEquals(io.github.dpsgd4j.optimizers.engine.GradientEngine.Strategy.PER_EXAMPLE_LOOP, trainer.strategy());
        for (int step = 0; step < 2; step++) {
            reference.fit(data);
            trainer.step(data);
        }
        assertTrue(relativeDifference(reference.params(), privateGraph.params()) <= 1e-12);
    }
}
