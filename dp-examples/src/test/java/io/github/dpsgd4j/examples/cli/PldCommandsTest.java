package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.pld.PldAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epsilon, delta and noise subcommands with {@code --accountant pld}, run in-process. */
class PldCommandsTest {

    /** q = 256/60000 as TF-Privacy's MNIST tutorial writes it. */
    private static final String MNIST_Q = "0.0042666666666666667";

    @TempDir
    Path dir;

    @Test
    void epsilon_pld_mnistSetting_printsDpAccountingPldEpsilon() throws IOException {
        CliRun run = CliRun.of("epsilon", "--accountant", "pld", "--noise-multiplier", "1.1", "--sample-rate", MNIST_Q,
                "--steps", "14063", "--delta", "1e-5", "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        JsonNode json = run.lastJsonLine();
        // [computed, dp_accounting 0.6.0, PLDAccountant d=1e-4] accounting.md sections 2 and 6.2
        assertEquals(2.381778812581751, json.get("epsilon").asDouble(), 1e-6);
        assertEquals("pld", json.get("accountant").asText());
        assertFalse(json.has("order"), "PLD has no optimal order");
        assertEquals(14063, json.get("steps").asLong());
        assertEquals(1e-5, json.get("delta").asDouble());
    }

    @Test
    void epsilon_rdp_isTheDefaultAccountant() throws IOException {
        CliRun explicit = CliRun.of("epsilon", "--accountant", "RDP", "--noise-multiplier", "1.0", "--sample-rate", "0.01",
                "--steps", "500", "--delta", "1e-6", "--json");
        CliRun implicit = CliRun.of("epsilon", "--noise-multiplier", "1.0", "--sample-rate", "0.01",
                "--steps", "500", "--delta", "1e-6", "--json");
        assertEquals(0, explicit.exitCode(), explicit.err());
        assertEquals(explicit.lastJsonLine(), implicit.lastJsonLine());
    }

    @Test
    void epsilon_pld_withoutJson_namesTheAccountant() {
        CliRun run = CliRun.of("epsilon", "--accountant", "pld", "--noise-multiplier", "1.1", "--sample-rate", MNIST_Q,
                "--steps", "14063", "--delta", "1e-5");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("PLD"), run.out());
        assertTrue(run.out().contains("2.38177"), run.out());
    }

    @Test
    void delta_pld_mnistSettingAtEpsilonOne_printsDpAccountingPldDelta() throws IOException {
        CliRun run = CliRun.of("delta", "--accountant", "pld", "--noise-multiplier", "1.1", "--sample-rate", MNIST_Q,
                "--steps", "14063", "--epsilon", "1", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = run.lastJsonLine();
        // [computed, dp_accounting 0.6.0] accounting.md section 6.3
        double expected = 0.015532699374582052;
        assertEquals(expected, json.get("delta").asDouble(), 1e-6 * expected);
        assertEquals("pld", json.get("accountant").asText());
        assertFalse(json.has("order"));
    }

    @Test
    void noise_pld_mnistTarget_isWithin1e4AboveDpAccountingsPldRoot() throws IOException {
        CliRun run = CliRun.of("noise", "--accountant", "pld", "--target-epsilon", "3", "--delta", "1e-5",
                "--sample-rate", MNIST_Q, "--steps", "14063", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = run.lastJsonLine();
        double sigma = json.get("noise_multiplier").asDouble();
        // [computed, dp_accounting 0.6.0 calibrate_dp_mechanism with PLD] accounting.md section 6.5;
        // its root is accurate to about 1e-6 (see PldCalibrationTest)
        double reference = 0.9684398546157345;
        assertTrue(sigma >= reference * (1 - 1e-6) && sigma <= reference * (1 + 1e-4), "sigma " + sigma);
        double epsilon = json.get("epsilon").asDouble();
        assertTrue(epsilon <= 3.0, "epsilon " + epsilon);
        assertEquals(PldAccountant.create().compose(DpEvent.dpSgd(sigma, Double.parseDouble(MNIST_Q), 14063))
                .epsilon(1e-5), epsilon);
        assertEquals("pld", json.get("accountant").asText());
    }

    @Test
    void epsilon_pld_ledgerFile_equalsComposingItsSegments() throws IOException {
        Path ledger = dir.resolve("ledger.json");
        Files.writeString(ledger, "{\"events\": [{\"noise_multiplier\": 1.0, \"sample_rate\": 0.01, \"steps\": 100},"
                + " {\"noise_multiplier\": 2.0, \"sample_rate\": 0.02, \"steps\": 200}]}", StandardCharsets.UTF_8);
        CliRun run = CliRun.of("epsilon", "--accountant", "pld", "--ledger", ledger.toString(), "--delta", "1e-5", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = run.lastJsonLine();
        double expected = PldAccountant.create()
                .compose(DpEvent.composed(DpEvent.dpSgd(1.0, 0.01, 100), DpEvent.dpSgd(2.0, 0.02, 200)))
                .epsilon(1e-5);
        assertEquals(expected, json.get("epsilon").asDouble());
        assertEquals("pld", json.get("accountant").asText());
        assertEquals(300, json.get("steps").asLong());
        assertEquals(2, json.get("segments").asInt());
    }

    @Test
    void epsilon_pld_deltaBelowTheTruncatedMass_exitsNonZeroWithOneLineSayingSo() {
        CliRun run = CliRun.of("epsilon", "--accountant", "pld", "--noise-multiplier", "1.1", "--sample-rate", MNIST_Q,
                "--steps", "1000", "--delta", "1e-17");
        assertNotEquals(0, run.exitCode());
        assertEquals("", run.out());
        String[] lines = run.err().strip().split("\\R");
        assertEquals(1, lines.length, run.err());
        assertTrue(lines[0].contains("delta 1.0E-17") && lines[0].contains("cannot resolve")
                && lines[0].contains("RDP accountant"), lines[0]);
    }

    @Test
    void epsilon_pld_noiseMultiplierZero_isJsonNullWithExplanation() throws IOException {
        CliRun run = CliRun.of("epsilon", "--accountant", "pld", "--noise-multiplier", "0", "--sample-rate", "0.1",
                "--steps", "3", "--delta", "1e-5", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = run.lastJsonLine();
        assertTrue(json.get("epsilon").isNull());
        assertEquals("Infinity", json.get("epsilon_non_finite").asText());
    }
}
