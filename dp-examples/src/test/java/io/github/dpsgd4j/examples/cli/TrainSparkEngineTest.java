package io.github.dpsgd4j.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.training.ModelKind;
import io.github.dpsgd4j.examples.training.PreparedData;
import io.github.dpsgd4j.examples.training.RunRecipe;
import io.github.dpsgd4j.examples.training.RunResult;
import io.github.dpsgd4j.examples.training.SparkTrainingRun;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import io.github.dpsgd4j.optimizers.DpSgdCheckpoint;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --engine spark}: bad combinations and master URLs fail with one line before Spark starts;
 * checkpoints and resumes continue the ledger. (An embedded Spark driver needs Spark's Java 17 flags, which
 * {@code ./dpsgd4j} and this module's Surefire configuration pass; see docs/spark.md.)
 */
class TrainSparkEngineTest {

    /** ceil(1 / q) for digits' 1,437 training examples at the default expected batch 256. */
    private static final int DIGITS_STEPS_PER_EPOCH = 6;

    @TempDir
    Path dir;

    private String out() {
        return dir.resolve("report").toString();
    }

    @Test
    void unknownEngine_isRejected() {
        CliRun.of("train", "--dataset", "digits", "--engine", "flink", "--out", out())
                .failedWith("--engine must be local or spark, got 'flink'");
    }

    @Test
    void sparkMaster_needsTheSparkEngine() {
        CliRun.of("train", "--dataset", "digits", "--spark-master", "local[2]", "--out", out())
                .failedWith("--spark-master needs --engine spark");
    }

    /**
     * A Spark run stopped after 2 of 4 epochs (its noise calibrated for all 4) is continued by {@code --resume
     * --engine spark} on {@code local[2]}: the ledger continues, so all 4 epochs' steps are counted (nothing
     * under-counted) and the epsilon reported is the accountant's for all of them, within the target. A new
     * {@code --checkpoint} run on Spark writes the same files (it stops at its budget when resumed past its epochs).
     */
    @Test
    void checkpointAndResume_onSpark_continueTheLedger() throws IOException {
        Path checkpoint = dir.resolve("checkpoint");
        RunRecipe recipe = new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, 3.0, 1e-5, 4, 256, 1.0, 0.1);
        PreparedData data = PreparedData.prepare(DatasetName.DIGITS, DatasetName.DIGITS.load(null), ModelKind.MLP,
                Optional.empty(), 1, null);
        RunResult firstPart = new SparkTrainingRun(recipe, data, NoiseSource.seeded(8), 7, TrainingMonitor.NONE,
                "local[2]").train(checkpoint, 2);
        assertEquals(2 * DIGITS_STEPS_PER_EPOCH, firstPart.steps());
        new TrainState(recipe, null, 7, firstPart.history()).write(checkpoint);

        JsonNode resumed = CliRun.of("train", "--resume", checkpoint.toString(), "--engine", "spark", "--seed", "9",
                "--out", dir.resolve("resumed").toString(), "--json").succeeded().lastJsonLine();
        assertEquals("spark", resumed.get("engine").asText());
        assertTrue(resumed.get("resumed").asBoolean());
        assertFalse(resumed.has("budget_stop"), resumed.toString());
        long steps = 4 * DIGITS_STEPS_PER_EPOCH;
        assertEquals(steps, resumed.get("steps").asLong());
        PrivacyLedger ledger = PrivacyLedger.fromJson(Files.readString(dir.resolve("resumed").resolve("ledger.json")));
        assertEquals(steps, ledger.totalSteps(), "both parts' steps are in the ledger");
        assertEquals(steps, DpSgdCheckpoint.read(checkpoint).ledger().totalSteps());
        double accountant = PrivacyLedger.empty().record(resumed.get("noise_multiplier").asDouble(),
                resumed.get("sample_rate").asDouble(), steps).guarantee(1e-5, AccountantType.PLD).epsilon();
        assertEquals(accountant, resumed.get("epsilon").asDouble(), 1e-9 * accountant);
        assertTrue(resumed.get("epsilon").asDouble() <= 3.0 && resumed.get("epsilon").asDouble() > firstPart.epsilon());

        Path fresh = dir.resolve("fresh");
        JsonNode run = CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--engine", "spark", "--checkpoint",
                fresh.toString(), "--seed", "3", "--out", dir.resolve("first").toString(), "--json")
                .succeeded().lastJsonLine();
        assertEquals(DIGITS_STEPS_PER_EPOCH, run.get("steps").asLong());
        assertEquals(DIGITS_STEPS_PER_EPOCH, DpSgdCheckpoint.read(fresh).ledger().totalSteps());
        JsonNode again = CliRun.of("train", "--resume", fresh.toString(), "--epochs", "2", "--engine", "spark",
                "--out", dir.resolve("again").toString(), "--json").succeeded().lastJsonLine();
        assertTrue(again.has("budget_stop"), "the budget of the first epoch is spent: " + again);
        assertEquals(DIGITS_STEPS_PER_EPOCH, again.get("steps").asLong());
    }

    @Test
    void malformedMaster_isRejectedWithTheValue() {
        CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--engine", "spark", "--spark-master", "local[0]",
                "--out", out()).failedWith("Spark master 'local[0]' is not a master URL");
    }

    @Test
    void unreachableStandaloneMaster_isReportedBeforeAnythingStarts() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--engine", "spark", "--spark-master",
                "spark://127.0.0.1:" + port, "--out", out()).failedWith("cannot reach the Spark master");
    }
}
