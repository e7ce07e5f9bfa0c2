package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyBudgetExceededException;
import io.github.dpsgd4j.accounting.PrivacyGuarantee;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DpSgdTrainerTest {

    @Test
    void privateStep_withoutNoiseOrClipping_equalsFit() {
        // sigma = 0, C = infinity, q = 1: every example is in every batch and the expected batch
        // size equals the actual one, so a private step must be DL4J's own fit() step.
        for (var updater : List.of(new Sgd(0.1), new Adam(0.01), new Nesterovs(0.05, 0.9))) {
            DataSet data = TestNetworks.gaussianData(1, 24, 7, 3, DataType.DOUBLE);
            MultiLayerNetwork reference = TestNetworks.mlp(5, 7, 6, 3, updater, DataType.DOUBLE);
            MultiLayerNetwork privateNet = reference.clone();
            DpSgdTrainer trainer = DpSgdTrainer.builder(privateNet).l2NormClip(Double.POSITIVE_INFINITY)
                    .noiseMultiplier(0).sampleRate(1.0).noiseSource(NoiseSource.seeded(3)).build();
            for (int step = 0; step < 4; step++) {
                reference.fit(data);
                StepReport report = trainer.step(data);
                assertEquals(24, report.batchSize());
            }
            double scale = reference.params().norm2Number().doubleValue();
            double difference = reference.params().sub(privateNet.params()).norm2Number().doubleValue();
            assertTrue(difference <= 1e-12 * scale, updater + ": parameters differ from fit() by " + difference);
            assertEquals(reference.getIterationCount(), privateNet.getIterationCount());
        }
    }

    @Test
    void noiseOnlyStep_movesParametersByCalibratedNoise() {
        // With q tiny the batch is empty (probability 1 - 1e-4): the update is noise / (qN) only.
        int n = 100;
        double q = 1e-6;
        double clip = 0.7;
        double sigma = 1.3;
        double learningRate = 0.01;
        MultiLayerNetwork net = TestNetworks.mlp(2, 50, 100, 10, new Sgd(learningRate), DataType.DOUBLE);
        DataSet data = TestNetworks.gaussianData(2, n, 50, 10, DataType.DOUBLE);
        INDArray before = net.params().dup();
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(clip).noiseMultiplier(sigma).sampleRate(q)
                .noiseSource(NoiseSource.seeded(11)).build();
        StepReport report = trainer.step(data);
        assertEquals(0, report.batchSize());
        INDArray change = net.params().sub(before);
        double expectedStd = learningRate * sigma * clip / (q * n);
        double mean = change.meanNumber().doubleValue();
        double std = change.stdNumber().doubleValue();
        long count = change.length();
        // 6,160 coordinates: the standard error of the sample std is about 0.9%; 5% is > 5 standard errors.
        assertEquals(expectedStd, std, 0.05 * expectedStd, "noise scale");
        assertEquals(0, mean, 6 * expectedStd / Math.sqrt(count), "noise mean");
    }

    @Test
    void budget_isNeverExceeded_andTrainingSaysWhyItStopped() {
        MultiLayerNetwork net = TestNetworks.mlp(3, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(3, 200, 5, 2, DataType.FLOAT);
        PrivacyBudget budget = new PrivacyBudget(1.0, 1e-5);
        List<String> stops = new ArrayList<>();
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1.0).sampleRate(0.1)
                .budget(budget).noiseSource(NoiseSource.seeded(4))
                .listener(new PrivacyListener() {
                    @Override
                    public void onBudgetExhausted(String message) {
                        stops.add(message);
                    }
                })
                .build();
        TrainingSummary summary = trainer.fit(data, 1000);
        assertTrue(summary.stoppedByBudget());
        assertEquals(1, stops.size());
        assertTrue(stops.get(0).contains("budget"), stops.get(0));
        PrivacyGuarantee spent = trainer.privacySpent(1e-5);
        assertTrue(spent.epsilon() <= 1.0, "spent " + spent);
        PrivacyLedger oneMore = trainer.ledger().record(1.0, 0.1, 1);
        assertTrue(oneMore.accountant(AccountantType.PLD).epsilon(1e-5) > 1.0, "one more step must exceed the budget");
        assertThrows(PrivacyBudgetExceededException.class, () -> trainer.step(data));
        assertEquals(summary.stepsTaken(), trainer.ledger().totalSteps());
    }

    @Test
    void targetBudget_calibratesNoiseToSpendTheBudgetOverTheEpochs() {
        MultiLayerNetwork net = TestNetworks.mlp(6, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(6, 100, 5, 2, DataType.FLOAT);
        PrivacyBudget target = new PrivacyBudget(2.0, 1e-5);
        // q = 0.15: an epoch is ceil(1/q) = 7 steps, so 3 epochs are 21 steps (not ceil(3/q) = 20).
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).targetBudget(target, 3).sampleRate(0.15)
                .noiseSource(NoiseSource.seeded(6)).build();
        TrainingSummary summary = trainer.fit(data, 3);
        assertFalse(summary.stoppedByBudget(), "calibration must leave room for every planned step");
        assertEquals(21, trainer.ledger().totalSteps());
        double spent = trainer.privacySpent(1e-5).epsilon();
        assertTrue(spent <= 2.0 && spent > 1.99, "spent " + spent);
    }

    @Test
    void networkWithLstm_usesTheExactPerExampleLoop() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(0.1)).list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        // LSTM has a rule among the defaults (issue 11); a registry without it takes the exact loop.
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(0.5)
                .layerRules(io.github.dpsgd4j.optimizers.pergradient.LayerRules.of(java.util.List.of(
                        new io.github.dpsgd4j.optimizers.pergradient.RnnOutputLayerRule())))
                .noiseSource(NoiseSource.seeded(1)).build();
        assertEquals(GradientEngine.Strategy.PER_EXAMPLE_LOOP, trainer.strategy());
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 3, 5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 2, 5);
        y.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(1);
        INDArray before = net.params().dup();
        trainer.step(new DataSet(x, y));
        assertTrue(net.params().sub(before).norm2Number().doubleValue() > 0);
    }

    @Test
    void batchNormalization_isRefusedWithTheLayerAndTheFix() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(4).name("hidden").build())
                .layer(new BatchNormalization.Builder().name("bn").build())
                .layer(new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                () -> DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
        assertTrue(e.getMessage().contains("\"bn\"") && e.getMessage().contains("BatchNormalization")
                && e.getMessage().contains("hasLayerNorm"), e.getMessage());
    }

    @Test
    void gradientNormalization_isRefused() {
        assertSmallMlpRefused(new NeuralNetConfiguration.Builder()
                .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(1),
                "ClipL2PerLayer");
    }

    @Test
    void weightNoise_isRefused() {
        assertSmallMlpRefused(new NeuralNetConfiguration.Builder()
                .weightNoise(new org.deeplearning4j.nn.conf.weightnoise.DropConnect(0.5)), "weightNoise");
    }

    /** A 4-4-2 network on {@code base} is refused by the builder with a message that names {@code what}. */
    private static void assertSmallMlpRefused(NeuralNetConfiguration.Builder base, String what) {
        MultiLayerConfiguration conf = base.list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(4).build())
                .layer(new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                () -> DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
        assertTrue(e.getMessage().contains(what), e.getMessage());
    }

    @Test
    void dl4jTrainingListeners_keepWorking() {
        MultiLayerNetwork net = TestNetworks.mlp(3, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        List<Integer> iterations = new ArrayList<>();
        List<Integer> epochEnds = new ArrayList<>();
        net.setListeners(new org.deeplearning4j.optimize.api.BaseTrainingListener() {
            @Override
            public void iterationDone(org.deeplearning4j.nn.api.Model model, int iteration, int epoch) {
                iterations.add(iteration);
            }

            @Override
            public void onEpochEnd(org.deeplearning4j.nn.api.Model model) {
                epochEnds.add(((MultiLayerNetwork) model).getEpochCount());
            }
        });
        DataSet data = TestNetworks.gaussianData(3, 40, 5, 2, DataType.FLOAT);
        DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(0.25)
                .noiseSource(NoiseSource.seeded(3)).build().fit(data, 2);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), iterations);
        assertEquals(List.of(1, 2), epochEnds);
        assertTrue(Double.isFinite(net.score()), "score is set for listeners");
    }

    @Test
    void badSettings_areRefusedWithTheParameterAndValue() {
        MultiLayerNetwork net = TestNetworks.mlp(1, 3, 3, 2, new Sgd(0.1), DataType.FLOAT);
        assertMessage("l2NormClip must be > 0, got NaN", () -> DpSgdTrainer.builder(net).l2NormClip(Double.NaN));
        assertMessage("l2NormClip must be > 0, got -1.0", () -> DpSgdTrainer.builder(net).l2NormClip(-1));
        assertMessage("noiseMultiplier must be finite and >= 0, got -0.5",
                () -> DpSgdTrainer.builder(net).noiseMultiplier(-0.5));
        assertMessage("sampleRate must be in (0, 1], got 1.5", () -> DpSgdTrainer.builder(net).sampleRate(1.5));
        assertMessage("sampleRate must be in (0, 1], got 0.0", () -> DpSgdTrainer.builder(net).sampleRate(0));
        assertMessage("l2NormClip may be infinite",
                () -> DpSgdTrainer.builder(net).l2NormClip(Double.POSITIVE_INFINITY).noiseMultiplier(1).sampleRate(0.1).build());
        assertMessage("set exactly one of noiseMultiplier",
                () -> DpSgdTrainer.builder(net).l2NormClip(1).sampleRate(0.1).build());
        assertMessage("sampleRate is required", () -> DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).build());
        MultiLayerNetwork uninitialised = new MultiLayerNetwork(net.getLayerWiseConfigurations().clone());
        assertMessage("call net.init()",
                () -> DpSgdTrainer.builder(uninitialised).l2NormClip(1).noiseMultiplier(1).sampleRate(0.1).build());
    }

    @Test
    void step_seesArraysReplacedInTheSameDataSet() {
        MultiLayerNetwork net = TestNetworks.mlp(2, 3, 3, 2, new Sgd(0.1), DataType.FLOAT);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(1.0)
                .noiseSource(NoiseSource.seeded(2)).build();
        DataSet data = TestNetworks.gaussianData(2, 10, 3, 2, DataType.FLOAT);
        assertEquals(10, trainer.step(data).batchSize());
        DataSet smaller = TestNetworks.gaussianData(3, 4, 3, 2, DataType.FLOAT);
        data.setFeatures(smaller.getFeatures());
        data.setLabels(smaller.getLabels());
        assertEquals(4, trainer.step(data).batchSize(), "q = 1 samples every example of the new arrays");
    }

    @Test
    void dataWithMismatchedRows_isRefused() {
        MultiLayerNetwork net = TestNetworks.mlp(1, 3, 3, 2, new Sgd(0.1), DataType.FLOAT);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1).sampleRate(0.5)
                .noiseSource(NoiseSource.seeded(1)).build();
        DataSet data = TestNetworks.gaussianData(1, 10, 3, 2, DataType.FLOAT);
        DataSet shortLabels = new DataSet(data.getFeatures(), data.getLabels().get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 9), org.nd4j.linalg.indexing.NDArrayIndex.all()));
        assertMessage("10 feature rows but 9 label rows", () -> trainer.step(shortLabels));
        DataSet badMask = new DataSet(data.getFeatures(), data.getLabels(), null, Nd4j.ones(DataType.FLOAT, 4, 1));
        assertMessage("its labels mask has shape [4, 1]; its first dimension must be 10", () -> trainer.step(badMask));
        assertEquals(0, trainer.stepsTaken(), "nothing was spent on refused data");
    }

    @Test
    void checkpoint_roundTripsModelUpdaterLedgerAndCounters(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = TestNetworks.mlp(8, 5, 4, 2, new Adam(0.01), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(8, 60, 5, 2, DataType.FLOAT);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1.1).sampleRate(0.2)
                .budget(new PrivacyBudget(8, 1e-5)).noiseSource(NoiseSource.seeded(8)).checkpoints(dir, 3).build();
        trainer.fit(data, 2);
        DpSgdTrainer resumed = DpSgdTrainer.resume(dir, NoiseSource.seeded(9));
        assertEquals(trainer.ledger(), resumed.ledger());
        assertEquals(trainer.stepsTaken(), resumed.stepsTaken());
        assertEquals(trainer.config(), resumed.config());
        assertEquals(net.params(), resumed.network().params());
        assertEquals(net.getUpdater().getStateViewArray(), resumed.network().getUpdater().getStateViewArray());
        assertEquals(net.getIterationCount(), resumed.network().getIterationCount());
        assertEquals(net.getEpochCount(), resumed.network().getEpochCount());
        resumed.fit(data, 1);
        assertEquals(trainer.ledger().totalSteps() + 5, resumed.ledger().totalSteps());
    }

    @Test
    void checkpointWithoutLedger_isRefused(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = TestNetworks.mlp(8, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1.1).sampleRate(0.2)
                .noiseSource(NoiseSource.seeded(8)).build();
        trainer.saveCheckpoint(dir);
        Path file = dir.resolve(DpSgdCheckpoint.FILE_NAME);
        Path stripped = dir.resolve("stripped.zip");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(file));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(stripped))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (!e.getName().equals(DpSgdCheckpoint.LEDGER_ENTRY)) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    out.write(in.readAllBytes());
                    out.closeEntry();
                }
            }
        }
        Files.move(stripped, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DpSgdTrainer.resume(dir));
        assertTrue(e.getMessage().contains("no privacy ledger"), e.getMessage());
    }

    @Test
    void newRun_refusesADirectoryHoldingAnotherRun(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = TestNetworks.mlp(8, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1.1).sampleRate(0.2).build().saveCheckpoint(dir);
        assertMessage("already holds a dpsgd4j run", () -> DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1.1)
                .sampleRate(0.2).checkpoints(dir, 0).build());
    }

    @Test
    void epochListener_reportsGrowingEpsilon() {
        MultiLayerNetwork net = TestNetworks.mlp(3, 5, 4, 2, new Sgd(0.1), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(3, 50, 5, 2, DataType.FLOAT);
        List<EpochReport> reports = new ArrayList<>();
        List<StepReport> steps = new ArrayList<>();
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1.5).sampleRate(0.2)
                .noiseSource(NoiseSource.seeded(3)).listener(new PrivacyListener() {
                    @Override
                    public void onEpochEnd(EpochReport report) {
                        reports.add(report);
                    }

                    @Override
                    public void onStep(StepReport report) {
                        steps.add(report);
                    }
                }).build();
        trainer.fit(data, 3);
        assertEquals(3, reports.size());
        assertEquals(15, steps.size());
        assertTrue(reports.get(0).spent().epsilon() < reports.get(1).spent().epsilon());
        assertTrue(reports.get(1).spent().epsilon() < reports.get(2).spent().epsilon());
        assertEquals(trainer.privacySpent(1e-5), reports.get(2).spent());
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
    }
}
