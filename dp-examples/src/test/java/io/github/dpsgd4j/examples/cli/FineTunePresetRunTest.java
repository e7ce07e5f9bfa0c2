package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.dpsgd4j.examples.data.FashionMnist;
import io.github.dpsgd4j.examples.data.IdxFiles;
import io.github.dpsgd4j.examples.finetune.FineTuneRecipe;
import io.github.dpsgd4j.examples.finetune.ResidualCnn;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dpsgd4j train --preset fashion-mnist-finetune-eps1}: dispatch, option conflicts, report, on tiny data. */
class FineTunePresetRunTest {

    private static final String PRESET = "fashion-mnist-finetune-eps1";
    /**
     * 100 public (80 + 20) and 100 private examples of a 200-image training file; one epoch each; as
     * in the preset, only the output layer is fine-tuned.
     */
    private static final FineTuneRecipe TINY = new FineTuneRecipe(new PrivacyBudget(1.0, 1e-5), 80, 20, 3L, 4,
            new FineTuneRecipe.Pretraining(1, 40, 2e-3), ResidualCnn.HIDDEN_LAYER,
            new FineTuneRecipe.PrivatePhase(1, 50, 1.0, 0.5),
            new FineTuneRecipe.PrivatePhase(1, 50, 1.0, 0.5));

    @TempDir
    Path dir;

    @Test
    void presetRun_endToEnd_printsTheJsonFields_andWritesAReloadableGraph() throws IOException {
        Path data = dir.resolve("fashion");
        IdxFiles.writeFashionLike(data, 200, 30);
        StringWriter out = new StringWriter();
        int code = FineTunePresetRun.run(PRESET, TINY, FashionMnist.load(data), dir.resolve("report"), 5L, true,
                TrainingMonitor.NONE, new PrintWriter(out));
        assertEquals(0, code);
        String[] lines = out.toString().strip().split("\\R");
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        for (String field : List.of("test_accuracy", "epsilon", "from_scratch_test_accuracy", "public_examples",
                "delta", "noise_multiplier", "steps", "seconds", "preset", "report_dir")) {
            assertTrue(json.has(field), field + " in " + json);
        }
        assertEquals(PRESET, json.get("preset").asText());
        assertEquals(100, json.get("public_examples").asInt());
        assertEquals(100, json.get("private_examples").asInt());
        assertTrue(json.get("epsilon").asDouble() <= 1.0, json.toString());
        Path report = dir.resolve("report");
        for (String file : List.of("report.json", "accuracy.png", "ledger.json", "ledger-from-scratch.json",
                "model.zip")) {
            assertTrue(Files.isRegularFile(report.resolve(file)), file);
        }
        ComputationGraph reloaded = ModelSerializer.restoreComputationGraph(report.resolve("model.zip").toFile());
        assertEquals(Files.readString(report.resolve("ledger.json")),
                io.github.dpsgd4j.optimizers.SavedModel.ledgerOf(report.resolve("model.zip")).orElseThrow().toJson(),
                "model.zip carries the fine-tuning's ledger");
        assertEquals(json.get("parameters").asLong(), reloaded.numParams());
        assertEquals(ResidualCnn.HIDDEN_LAYER, json.get("frozen_up_to").asText());
        assertEquals(reloaded.getLayer(ResidualCnn.OUTPUT).numParams(), json.get("trainable_parameters").asLong(),
                "only the output layer is fine-tuned");
        assertEquals(reloaded.numParams(), json.get("from_scratch").get("trainable_parameters").asLong());
    }

    @Test
    void preset_refusesRecipeOptions_andMissingData_withOneLine() {
        CliRun.of("train", "--preset", PRESET, "--epochs", "3")
                .failedWith("--preset " + PRESET + " cannot be combined with --epochs");
        CliRun.of("train", "--preset", PRESET, "--checkpoint", dir.resolve("c").toString())
                .failedWith("cannot be combined with --checkpoint");
        Path empty = dir.resolve("empty");
        CliRun.of("train", "--preset", PRESET, "--data", empty.toString(), "--out", dir.resolve("o").toString())
                .failedWith("Fashion-MNIST not found: " + empty.resolve("train-images-idx3-ubyte.gz"));
    }
}
