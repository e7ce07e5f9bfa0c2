package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.data.IdxFiles;
import io.github.dpsgd4j.examples.training.ModelKind;
import io.github.dpsgd4j.examples.training.PreparedData;
import io.github.dpsgd4j.examples.training.RunRecipe;
import io.github.dpsgd4j.examples.training.RunResult;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import io.github.dpsgd4j.examples.training.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dpsgd4j train}: argument validation and short end-to-end runs on the bundled digits. */
class TrainCommandTest {

    /** Steps per digits epoch at batch 256: ceil(1438 / 256). */
    private static final int DIGITS_STEPS_PER_EPOCH = 6;

    @TempDir
    Path dir;

    private String out(String name) {
        return dir.resolve(name).toString();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--dataset mnist | unknown dataset 'mnist': expected one of digits, fashion-mnist",
            "--dataset digits --model resnet | unknown model 'resnet': expected one of mlp, cnn, scatternet",
            "--preset cifar-eps8 | unknown preset 'cifar-eps8': expected one of fashion-mnist-eps3",
            "--dataset digits --target-epsilon 0 | --target-epsilon must be > 0 (or 'inf' for a non-private baseline), got 0",
            "--dataset digits --target-epsilon -1 | --target-epsilon must be > 0",
            "--dataset digits --target-epsilon NaN | --target-epsilon must be > 0",
            "--dataset digits --target-epsilon lots | --target-epsilon must be a number > 0 or 'inf', got 'lots'",
            "--dataset digits --delta 0 | --delta must be in (0, 1), got 0.0",
            "--dataset digits --delta 1 | --delta must be in (0, 1), got 1.0",
            "--dataset digits --delta 1.5 | --delta must be in (0, 1), got 1.5",
            "--dataset digits --batch-size 0 | --batch-size must be > 0, got 0",
            "--dataset digits --batch-size -3 | --batch-size must be > 0, got -3",
            "--dataset digits --batch-size 5000 | --batch-size must be <= the training set size 1438 (digits), got 5000",
            "--dataset digits --epochs 0 | --epochs must be > 0, got 0",
            "--dataset digits --clip 0 | --clip must be finite and > 0, got 0.0",
            "--dataset digits --lr -0.1 | --lr must be finite and > 0, got -0.1",
            "--dataset digits --threads 0 | --threads must be > 0, got 0",
            "--model mlp | missing option --dataset (digits or fashion-mnist), or give --preset NAME or --resume DIR",
            "--preset fashion-mnist-eps3 --clip 1 | --preset cannot be combined with --clip: a preset fixes the whole recipe",
            "--dataset digits --delta abc | Invalid value for option '--delta'",
    })
    void badArguments_exitNonZeroWithOneLine(String arguments, String expected) {
        String[] args = ("train " + arguments + " --out " + out("report")).split(" ");
        CliRun.of(args).failedWith(expected);
    }

    @Test
    void missingFashionMnist_saysHowToInstallIt() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun.of("train", "--dataset", "fashion-mnist", "--data", empty.toString(), "--out", out("r"))
                .failedWith("Fashion-MNIST not found: " + empty.resolve("train-images-idx3-ubyte.gz")
                        + " is missing. Install it with 'sudo apt-get install dataset-fashion-mnist', or pass --data DIR");
    }

    @Test
    void corruptFashionMnist_isRejectedWithTheFileName() throws IOException {
        Path data = dir.resolve("data");
        IdxFiles.writeFashionLike(data, 20, 10);
        Files.write(data.resolve("t10k-images-idx3-ubyte.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2});
        CliRun.of("train", "--dataset", "fashion-mnist", "--data", data.toString(), "--out", out("r"))
                .failedWith("t10k-images-idx3-ubyte.gz: corrupt or truncated gzip data");
    }

    @Test
    void resume_rejectsDirectoriesThatAreNotCheckpoints() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("not-a-checkpoint"));
        CliRun.of("train", "--resume", empty.toString(), "--out", out("r"))
                .failedWith("--resume " + empty + ": not a dpsgd4j checkpoint directory (no checkpoint.zip)");
        CliRun.of("train", "--resume", dir.resolve("absent").toString(), "--out", out("r"))
                .failedWith("no such directory");
        CliRun.of("train", "--resume", empty.toString(), "--dataset", "digits", "--out", out("r"))
                .failedWith("--resume cannot be combined with --dataset: a resumed run keeps its recipe");
    }

    @Test
    void train_digitsMlp_printsTheContractFieldsAndWritesTheReport() throws IOException {
        Path report = dir.resolve("report");
        CliRun run = CliRun.of("train", "--dataset", "digits", "--model", "mlp", "--target-epsilon", "2",
                "--delta", "1e-5", "--epochs", "3", "--batch-size", "256", "--clip", "1", "--lr", "0.1",
                "--seed", "11", "--out", report.toString(), "--json").succeeded();
        JsonNode json = run.lastJsonLine();
        assertTrue(json.get("test_accuracy").asDouble() > 0.5, json.toString());
        assertTrue(json.get("epsilon").asDouble() <= 2.0, json.toString());
        assertTrue(json.get("epsilon").asDouble() > 1.9, "the calibrated noise spends the budget: " + json);
        assertEquals(1e-5, json.get("delta").asDouble());
        assertTrue(json.get("noise_multiplier").asDouble() > 0);
        assertEquals(3 * DIGITS_STEPS_PER_EPOCH, json.get("steps").asLong());
        assertTrue(json.get("seconds").asDouble() > 0);
        assertEquals("digits", json.get("dataset").asText());
        assertEquals(256.0 / 1438, json.get("sample_rate").asDouble(), 1e-15);
        assertFalse(json.get("secure_noise").asBoolean());
        assertTrue(json.get("noise").asText().contains("not secure"));
        assertEquals(report.toString(), json.get("report_dir").asText());
        for (String file : List.of("report.json", "accuracy.png", "epsilon.png", "ledger.json", "model.zip")) {
            assertTrue(Files.size(report.resolve(file)) > 0, file);
        }
        assertEquals(3 * DIGITS_STEPS_PER_EPOCH, PrivacyLedger.read(report.resolve("ledger.json")).totalSteps());
        io.github.dpsgd4j.optimizers.SavedModel saved =
                io.github.dpsgd4j.optimizers.SavedModel.read(report.resolve("model.zip"));
        assertEquals(Files.readString(report.resolve("ledger.json")), saved.ledger().toJson(),
                "model.zip carries the run's ledger");
        assertEquals(256.0 / 1438, saved.config().sampleRate(), 1e-15);
        assertEquals(3, new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.resolve("report.json")
                .toFile()).get("history").size());
        assertTrue(run.err().contains("epoch 3/3"), "progress on standard error: " + run.err());
    }

    @Test
    void train_withoutJson_printsOneLinePerEpochAndTheResult() {
        CliRun run = CliRun.of("train", "--dataset", "digits", "--epochs", "2", "--seed", "3",
                "--out", out("text")).succeeded();
        assertTrue(run.out().contains("  epoch  steps  test accuracy  epsilon  seconds"), run.out());
        assertTrue(run.out().contains("\n  2      12     "), run.out());
        assertTrue(run.out().contains("epsilon           "), run.out());
        assertTrue(run.out().contains("not secure"), run.out());
    }

    @Test
    void train_nonPrivateBaseline_hasInfiniteEpsilonAsNull() throws IOException {
        JsonNode json = CliRun.of("train", "--dataset", "digits", "--target-epsilon", "inf", "--epochs", "2",
                "--seed", "4", "--out", out("baseline"), "--json").succeeded().lastJsonLine();
        assertTrue(json.get("epsilon").isNull());
        assertEquals("Infinity", json.get("epsilon_non_finite").asText());
        assertEquals(0.0, json.get("noise_multiplier").asDouble());
        assertFalse(json.get("private").asBoolean());
    }

    @Test
    void train_cnnAndScatternetOnDigits_run() throws IOException {
        JsonNode cnn = CliRun.of("train", "--dataset", "digits", "--model", "cnn", "--epochs", "1", "--seed", "5",
                "--out", out("cnn"), "--json").succeeded().lastJsonLine();
        assertEquals(DIGITS_STEPS_PER_EPOCH, cnn.get("steps").asLong());
        assertTrue(cnn.get("epsilon").asDouble() <= 3.0);
        JsonNode scatter = CliRun.of("train", "--dataset", "digits", "--model", "scatternet", "--epochs", "3",
                "--seed", "6", "--cache-dir", dir.resolve("cache").toString(), "--out", out("scatter"), "--json")
                .succeeded().lastJsonLine();
        assertEquals(0.1, scatter.get("clip").asDouble());
        assertEquals(16.0, scatter.get("learning_rate").asDouble());
        assertTrue(scatter.get("test_accuracy").asDouble() > 0.5, scatter.toString());
        assertTrue(scatter.get("feature_seconds").asDouble() > 0);
    }

    @Test
    void train_digitsLstm_trainsPrivatelyAndReportsAccuracyAndEpsilon() throws IOException {
        JsonNode lstm = CliRun.of("train", "--dataset", "digits", "--model", "lstm", "--epochs", "2", "--seed", "8",
                "--out", out("lstm"), "--json").succeeded().lastJsonLine();
        assertEquals("lstm", lstm.get("model").asText());
        assertEquals(2 * DIGITS_STEPS_PER_EPOCH, lstm.get("steps").asLong());
        assertTrue(lstm.get("epsilon").asDouble() <= 3.0 && lstm.get("epsilon").asDouble() > 2.9, lstm.toString());
        assertTrue(lstm.get("test_accuracy").asDouble() > 0.18, "well above chance (0.1): " + lstm);
        assertEquals(ModelKind.LSTM.defaultLearningRate(), lstm.get("learning_rate").asDouble());
        assertEquals(1.0, lstm.get("clip").asDouble());
        assertTrue(Files.size(dir.resolve("lstm").resolve("model.zip")) > 0);
    }

    @Test
    void train_fashionMnistFromDataDirectory_readsTheIdxFiles() throws IOException {
        Path data = dir.resolve("fashion");
        IdxFiles.writeFashionLike(data, 300, 50);
        JsonNode json = CliRun.of("train", "--dataset", "fashion-mnist", "--data", data.toString(), "--epochs", "2",
                "--batch-size", "100", "--seed", "7", "--out", out("fashion"), "--json").succeeded().lastJsonLine();
        assertEquals(300, json.get("train_size").asInt());
        assertEquals(50, json.get("test_size").asInt());
        assertEquals(2 * 3, json.get("steps").asLong());
    }

    /**
     * A run stopped after 2 of 4 epochs (its noise calibrated for all 4) is continued by
     * {@code --resume}: the ledger continues, the history keeps the first epochs, and all 4 epochs
     * together spend the target epsilon.
     */
    @Test
    void resume_continuesAStoppedRunToItsEpochs() throws IOException {
        Path checkpoint = dir.resolve("checkpoint");
        RunRecipe recipe = new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, 3.0, 1e-5, 4, 256, 1.0, 0.1);
        PreparedData data = PreparedData.prepare(DatasetName.DIGITS, DatasetName.DIGITS.load(null), ModelKind.MLP,
                Optional.empty(), 1, null);
        RunResult firstPart = new TrainingRun(recipe, data, NoiseSource.seeded(8), 7, TrainingMonitor.NONE)
                .train(checkpoint, 2);
        assertEquals(2 * DIGITS_STEPS_PER_EPOCH, firstPart.steps());
        assertTrue(firstPart.epsilon() < 3.0);
        new TrainState(recipe, null, 7, firstPart.history()).write(checkpoint);

        CliRun.of("train", "--dataset", "digits", "--checkpoint", checkpoint.toString(), "--out", out("again"))
                .failedWith("--checkpoint " + checkpoint + " already holds a run: continue it with --resume");

        JsonNode json = CliRun.of("train", "--resume", checkpoint.toString(), "--seed", "9", "--out", out("resumed"),
                "--json").succeeded().lastJsonLine();
        assertTrue(json.get("resumed").asBoolean());
        assertEquals(4 * DIGITS_STEPS_PER_EPOCH, json.get("steps").asLong());
        assertEquals(4, json.get("epochs").asInt());
        assertTrue(json.get("epsilon").asDouble() <= 3.0, json.toString());
        assertTrue(json.get("epsilon").asDouble() > firstPart.epsilon());
        assertFalse(json.has("budget_stop"), json.toString());
        JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                dir.resolve("resumed").resolve("report.json").toFile());
        assertEquals(4, report.get("history").size());
        assertEquals(firstPart.history().get(1).testAccuracy(), report.get("history").get(1).get("test_accuracy")
                .asDouble());
        assertEquals(4, TrainState.read(checkpoint).history().size());
    }

    /**
     * A run killed before its first checkpoint leaves only its privacy journal (and the CLI's state file):
     * {@code --resume} restarts it from fresh weights with the journal's steps counted as spent, so the whole
     * ledger (journal plus new steps) stays within the target; {@code --checkpoint} on it points to {@code --resume}.
     */
    @Test
    void resume_ofARunKilledBeforeItsFirstCheckpoint_restartsAndKeepsTheJournalsStepsCounted() throws IOException {
        Path checkpoint = dir.resolve("killed");
        RunRecipe recipe = new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, 3.0, 1e-5, 12, 256, 1.0, 0.1);
        PreparedData data = PreparedData.prepare(DatasetName.DIGITS, DatasetName.DIGITS.load(null), ModelKind.MLP,
                Optional.empty(), 1, null);
        new TrainState(recipe, null, 7, List.of()).write(checkpoint); // as the CLI does before training
        TrainingMonitor killedAtStep2 = new TrainingMonitor() {
            private int steps;

            @Override
            public void stepDone() {
                if (++steps == 2) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        TrainingRun killed = new TrainingRun(recipe, data, NoiseSource.seeded(8), 7, killedAtStep2);
        assertEquals("killed", org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> killed.train(checkpoint)).getMessage());
        assertFalse(Files.exists(checkpoint.resolve(io.github.dpsgd4j.optimizers.DpSgdCheckpoint.FILE_NAME)));
        long journaled = io.github.dpsgd4j.optimizers.DpSgdCheckpoint.journalWithoutCheckpoint(checkpoint)
                .orElseThrow().totalSteps();
        assertTrue(journaled >= 2, "journal steps " + journaled);

        CliRun.of("train", "--dataset", "digits", "--checkpoint", checkpoint.toString(), "--out", out("again"))
                .failedWith("--checkpoint " + checkpoint + " already holds a run: continue it with --resume");

        CliRun resumed = CliRun.of("train", "--resume", checkpoint.toString(), "--seed", "9", "--out", out("resumed"),
                "--json").succeeded();
        assertTrue(resumed.err().contains("privacy journal's " + journaled + " steps stay counted as spent"),
                resumed.err());
        JsonNode json = resumed.lastJsonLine();
        assertTrue(json.get("resumed").asBoolean());
        assertTrue(json.get("epsilon").asDouble() <= 3.0, json.toString());
        long stepsNow = json.get("steps").asLong();
        PrivacyLedger ledger = PrivacyLedger.read(dir.resolve("resumed").resolve("ledger.json"));
        assertEquals(journaled + stepsNow, ledger.totalSteps());
        assertTrue(stepsNow < 12 * DIGITS_STEPS_PER_EPOCH, "the journal's steps leave less budget: " + stepsNow);
        assertTrue(io.github.dpsgd4j.optimizers.DpSgdCheckpoint.exists(checkpoint));
    }

    @Test
    void resume_ofAJournalWithoutTheCliState_saysToStartAgainWithCheckpoint() throws IOException {
        Path checkpoint = dir.resolve("java-run");
        Files.createDirectories(checkpoint);
        Files.writeString(checkpoint.resolve("privacy-ledger.journal"), PrivacyLedger.empty()
                .record(1.0, 0.1, 5, io.github.dpsgd4j.accounting.SamplingMethod.POISSON).toJson()
                .replaceAll("\\s*\\R\\s*", " ") + "\n"); // the journal's format: one ledger per line
        CliRun.of("train", "--resume", checkpoint.toString(), "--out", out("r"))
                .failedWith("stopped before its first checkpoint (5 steps counted as spent) but no dpsgd4j-train.json: "
                        + "start the run again with --checkpoint " + checkpoint);
    }
}
