package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dpsgd4j demo} in-process with its full recipe (30 epochs, epsilon 3). Seeded noise keeps
 * it deterministic; with secure noise the same recipe scores 94-97% private (see docs/examples.md).
 */
class DemoCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void demo_json_hasTheContractShapeAndSpendsAtMostEpsilon3() throws IOException {
        Path report = dir.resolve("demo");
        CliRun run = CliRun.of("demo", "--json", "--seed", "21", "--shadow-models", "4", "--out", report.toString())
                .succeeded();
        JsonNode json = run.lastJsonLine();
        JsonNode dp = json.get("private");
        JsonNode baseline = json.get("non_private");
        assertTrue(dp.get("epsilon").asDouble() <= 3.0, dp.toString());
        assertTrue(dp.get("epsilon").asDouble() > 2.9, "the calibrated noise spends the budget: " + dp);
        assertEquals(1e-5, dp.get("delta").asDouble());
        assertTrue(dp.get("noise_multiplier").asDouble() > 0);
        assertEquals(30 * 6, dp.get("steps").asLong());
        assertEquals(1.0, dp.get("clip").asDouble());
        assertEquals(256.0 / 1438, dp.get("sample_rate").asDouble(), 1e-15);
        assertTrue(dp.get("test_accuracy").asDouble() >= 0.85, dp.toString());
        assertTrue(baseline.get("test_accuracy").asDouble() >= 0.93, baseline.toString());
        assertTrue(baseline.get("epsilon").isNull());
        assertEquals("Infinity", baseline.get("epsilon_non_finite").asText());
        assertTrue(json.get("seconds").asDouble() > 0);
        assertFalse(json.get("secure_noise").asBoolean());
        assertTrue(json.get("noise").asText().contains("not secure"), json.toString());
        assertEquals(report.toString(), json.get("report_dir").asText());
        assertEquals(report.resolve("model.zip").toString(), json.get("model_file").asText());
        assertEquals(json.get("private").get("steps").asLong(),
                ModelSerializer.restoreMultiLayerNetwork(report.resolve("model.zip").toFile()).getIterationCount());
        assertEquals(Files.readString(report.resolve("ledger.json")),
                io.github.dpsgd4j.optimizers.SavedModel.ledgerOf(report.resolve("model.zip")).orElseThrow().toJson(),
                "model.zip carries the private run's ledger");
        for (String file : List.of("report.json", "accuracy.png", "epsilon.png", "ledger.json", "card.json", "card.html")) {
            assertTrue(Files.size(report.resolve(file)) > 0, file);
        }
        byte[] png = Files.readAllBytes(report.resolve("accuracy.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        JsonNode written = JSON.readTree(report.resolve("report.json").toFile());
        assertEquals(30, written.get("private").get("history").size());
        assertEquals(30, written.get("non_private").get("history").size());
        assertEquals(1, run.out().strip().split("\\R").length, "with --json, standard output is the JSON line");
        JsonNode audit = json.get("audit");
        for (String model : List.of("non_private", "private")) {
            for (String field : List.of("lira_auc", "loss_auc", "inversion_identification_rate", "epsilon_lower_bound")) {
                assertTrue(audit.get(model).get(field).isNumber(), model + "." + field + " in " + audit);
            }
        }
        assertTrue(audit.get("private").get("epsilon").asDouble() <= 3.0, audit.toString());
        assertTrue(Files.exists(report.resolve("audit").resolve("index.html")));
    }

    @Test
    void demo_text_printsTheTable() {
        CliRun run = CliRun.of("demo", "--epochs", "2", "--seed", "22", "--no-audit", "--out", dir.resolve("t").toString())
                .succeeded();
        assertTrue(run.out().contains("model        test accuracy  epsilon (delta = 1.0E-5)  seconds"), run.out());
        assertTrue(run.out().contains("\nnon-private  "), run.out());
        assertTrue(run.out().contains("\nprivate      "), run.out());
        assertTrue(run.out().contains("not secure"), run.out());
    }

    @Test
    void demo_badArguments_exitNonZeroWithOneLine() {
        CliRun.of("demo", "--epochs", "0").failedWith("--epochs must be > 0, got 0");
        CliRun.of("demo", "--colour").failedWith("Unknown option: '--colour'");
    }
}
