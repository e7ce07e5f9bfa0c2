package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepCommandTest {

    @TempDir
    Path dir;

    @Test
    void sweep_digits_writesCsvAndPlotWithOnePointPerEpsilon() throws IOException {
        Path report = dir.resolve("sweep");
        JsonNode json = CliRun.of("sweep", "--dataset", "digits", "--epsilons", "1,8,inf", "--epochs", "2",
                "--seed", "31", "--out", report.toString(), "--json").succeeded().lastJsonLine();
        JsonNode points = json.get("points");
        assertEquals(3, points.size());
        assertEquals(1.0, points.get(0).get("target_epsilon").asDouble());
        assertTrue(points.get(0).get("epsilon").asDouble() <= 1.0);
        assertTrue(points.get(1).get("epsilon").asDouble() <= 8.0);
        assertTrue(points.get(1).get("noise_multiplier").asDouble() < points.get(0).get("noise_multiplier").asDouble());
        assertTrue(points.get(2).get("epsilon").isNull());
        assertEquals("Infinity", points.get(2).get("target_epsilon_non_finite").asText());
        List<String> csv = Files.readAllLines(report.resolve("sweep.csv"));
        assertEquals(4, csv.size());
        assertEquals("target_epsilon,epsilon,delta,test_accuracy,noise_multiplier,steps,seconds", csv.get(0));
        assertTrue(csv.get(3).startsWith("inf,inf,"), csv.get(3));
        assertTrue(Files.size(report.resolve("accuracy-vs-epsilon.png")) > 0);
        assertTrue(Files.size(report.resolve("report.json")) > 0);
    }

    @Test
    void sweep_badArguments_exitNonZeroWithOneLine() {
        CliRun.of("sweep", "--dataset", "cifar").failedWith("unknown dataset 'cifar'");
        CliRun.of("sweep", "--dataset", "digits", "--epsilons", "1,-2").failedWith("--epsilons: ");
        CliRun.of("sweep", "--dataset", "digits", "--epsilons", "inf")
                .failedWith("--epsilons needs at least one finite epsilon, got 'inf'");
        CliRun.of("sweep", "--dataset", "digits", "--epsilons", "1,,2")
                .failedWith("--epsilons must be a comma-separated list");
        CliRun.of("sweep").failedWith("Missing required option: '--dataset=NAME'");
    }
}
