package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.GaussianEvent;
import io.github.dpsgd4j.accounting.PoissonSampledEvent;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyBudgetExceededException;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.accounting.SamplingMethod;
import io.github.dpsgd4j.accounting.SelfComposedEvent;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdCheckpoint;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import io.github.dpsgd4j.optimizers.TrainingSummary;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ledger, budget, checkpoints, retries and what executors see. */
class SparkPrivacyTest {

    private static final double SIGMA = 1.1;
    private static final double Q = 0.25;
    private static final double DELTA = 1e-5;
    /** Tasks of partition 1 failed on purpose (local mode: the executors run in this JVM). */
    private static final AtomicInteger INJECTED_FAILURES = new AtomicInteger();

    private static SparkTrainerBuilder builder(MultiLayerNetwork net, JavaRDD<DataSet> rdd, long seed) {
        return SparkDpSgdTrainer.builder(SparkFixtures.spark(), net).data(rdd).l2NormClip(1).noiseMultiplier(SIGMA)
                .sampleRate(Q).noiseSource(NoiseSource.seeded(seed));
    }

    @Test
    void ledgerAfterSparkSteps_equalsTheAccountantForSigmaQSteps() {
        DataSet data = SparkFixtures.data(40, DataType.FLOAT, 1);
        try (SparkDpSgdTrainer trainer = builder(SparkFixtures.mlp(DataType.FLOAT, new Nesterovs(0.1), 1),
                SparkFixtures.rdd(data, 2), 1).build()) {
            trainer.fit(1); // ceil(1 / 0.25) = 4 steps
            assertEquals(4, trainer.stepsTaken());
            assertEquals(PrivacyLedger.empty().record(SIGMA, Q, 4, SamplingMethod.POISSON), trainer.ledger());
            double expected = AccountantType.PLD.newAccountant()
                    .compose(new SelfComposedEvent(new PoissonSampledEvent(Q, new GaussianEvent(SIGMA)), 4))
                    .epsilon(DELTA);
            assertEquals(expected, trainer.privacySpent(DELTA).epsilon(), 1e-9 * expected);
        }
    }

    @Test
    void budget_stopsTrainingBeforeTheStepThatWouldExceedIt() {
        double epsilonOf3 = PrivacyLedger.empty().record(SIGMA, Q, 3).guarantee(DELTA, AccountantType.PLD).epsilon();
        double epsilonOf4 = PrivacyLedger.empty().record(SIGMA, Q, 4).guarantee(DELTA, AccountantType.PLD).epsilon();
        PrivacyBudget budget = new PrivacyBudget((epsilonOf3 + epsilonOf4) / 2, DELTA);
        DataSet data = SparkFixtures.data(40, DataType.FLOAT, 2);
        try (SparkDpSgdTrainer trainer = builder(SparkFixtures.mlp(DataType.FLOAT, new Nesterovs(0.1), 2),
                SparkFixtures.rdd(data, 2), 2).budget(budget).build()) {
            TrainingSummary summary = trainer.fit(2);
            assertTrue(summary.stoppedByBudget());
            assertEquals(3, trainer.stepsTaken());
            assertEquals(3, trainer.ledger().totalSteps());
            assertTrue(trainer.privacySpent(DELTA).epsilon() <= budget.epsilon());
            assertThrows(PrivacyBudgetExceededException.class, trainer::step);
            assertEquals(3, trainer.ledger().totalSteps(), "a refused step spends nothing");
        }
    }

    @Test
    void killedDriver_resumesFromItsCheckpoint_withNothingUnderCounted(@TempDir Path directory) throws Exception {
        DataSet data = SparkFixtures.data(40, DataType.FLOAT, 3);
        JavaRDD<DataSet> rdd = SparkFixtures.rdd(data, 2).cache();
        MultiLayerNetwork net = SparkFixtures.mlp(DataType.FLOAT, new Nesterovs(0.1, 0.9), 3);
        SparkDpSgdTrainer first = builder(net, rdd, 3).checkpoints(directory, 0).journalReservation(1).build();
        first.fit(1); // 4 steps, checkpointed at the end of the epoch
        MultiLayerNetwork checkpointed = net.clone();
        first.step();
        first.step(); // 2 more steps, journaled but never checkpointed: then the driver "dies"
        first.close();

        try (SparkDpSgdTrainer resumed = SparkDpSgdTrainer.resume(SparkFixtures.spark(), directory, rdd,
                NoiseSource.seeded(4))) {
            assertEquals(6, resumed.ledger().totalSteps(), "the journaled steps count as spent");
            assertEquals(4, resumed.stepsTaken());
            assertEquals(checkpointed.params(), ((MultiLayerNetwork) resumed.model()).params());
            assertFalse(resumed.warnings().isEmpty());
            resumed.fit(1);
            assertEquals(10, resumed.ledger().totalSteps());
        }
        // The same checkpoint format as the single-machine trainer: it resumes there too.
        DpSgdTrainer local = DpSgdTrainer.resume(directory, NoiseSource.seeded(5));
        assertEquals(10, local.ledger().totalSteps());
        assertTrue(DpSgdCheckpoint.exists(directory));
    }

    @Test
    void failedAndRetriedTasks_doNotChangeTheResult() {
        DataSet data = SparkFixtures.data(48, DataType.DOUBLE, 4);
        MultiLayerNetwork start = SparkFixtures.mlp(DataType.DOUBLE, new Nesterovs(0.1, 0.9), 4);
        MultiLayerNetwork plain = start.clone();
        MultiLayerNetwork retried = start.clone();
        // NONE: partitions are recomputed inside every step's job, so the injected failure hits the step's task.
        try (SparkDpSgdTrainer trainer = builder(plain, SparkFixtures.rdd(data, 3), 6)
                .storageLevel(StorageLevel.NONE()).build()) {
            trainer.fit(1);
        }
        JavaRDD<DataSet> failing = SparkFixtures.rdd(data, 3).map(example -> {
            TaskContext task = TaskContext.get();
            if (task.partitionId() == 1 && task.attemptNumber() == 0) {
                INJECTED_FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure of a first attempt");
            }
            return example;
        });
        int before = INJECTED_FAILURES.get();
        try (SparkDpSgdTrainer trainer = builder(retried, failing, 6).storageLevel(StorageLevel.NONE()).build()) {
            trainer.fit(1);
            assertEquals(4, trainer.stepsTaken());
        }
        assertTrue(INJECTED_FAILURES.get() - before >= 4, "every step's job retried a failed task");
        assertEquals(plain.params(), retried.params());
    }

    @Test
    void tasks_carryNoNoiseSourceLedgerUpdaterParametersOrConstantsOfTheRun() throws Exception {
        DataSet data = SparkFixtures.data(20, DataType.FLOAT, 5);
        MultiLayerNetwork net = SparkFixtures.mlp(DataType.FLOAT, new Nesterovs(0.1, 0.9), 5);
        try (SparkDpSgdTrainer trainer = builder(net, SparkFixtures.rdd(data, 2), 7).build()) {
            trainer.step();
            Broadcast<ParameterVector> parameters = SparkFixtures.spark().broadcast(ParameterVector.of(net.params()));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(trainer.task(parameters, new byte[32]));
            }
            parameters.destroy();
            String serialized = new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
            for (String secret : new String[] {"io.github.dpsgd4j.core.noise", "io.github.dpsgd4j.accounting",
                    "PrivacyGuard", "CheckpointJournal", "org.deeplearning4j.nn.multilayer", "org.deeplearning4j.nn.updater",
                    "org.nd4j.linalg.api.ndarray", "ParameterVector",
                    // constant over the run: broadcast once, not serialised again with every step's task
                    "ModelBlueprint", "RunConstants", "ExecutorRules", "MultiLayerConfiguration"}) {
                assertFalse(serialized.contains(secret), "a task must not carry " + secret);
            }
            assertTrue(serialized.contains("StepTask") && serialized.contains("Broadcast"));
        }
    }
}
