package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epsilon, delta and noise subcommands, run in-process through {@link Dpsgd4jCommand#execute}. */
class AccountingCommandsTest {

    /** q = 256/60000 exactly as TF-Privacy's MNIST tutorial writes it. */
    private static final String MNIST_Q = "0.0042666666666666667";

    @TempDir
    Path dir;

    private static void assertRelative(double expected, double actual, double tolerance) {
        assertTrue(Math.abs(actual - expected) <= tolerance * Math.abs(expected),
                "expected " + expected + " within " + tolerance + " relative, got " + actual);
    }

    @Test
    void epsilon_mnistSetting_printsDpAccountingEpsilonAsLastJsonLine() throws IOException {
        CliRun run = CliRun.of("epsilon", "--noise-multiplier", "1.1", "--sample-rate", MNIST_Q, "--steps", "14063",
                "--delta", "1e-5", "--accountant", "rdp", "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        JsonNode json = run.lastJsonLine();
        // [computed, dp_accounting 0.6.0] accounting.md section 6.2
        assertRelative(2.596655529521983, json.get("epsilon").asDouble(), 1e-9);
        assertEquals(8.1, json.get("order").asDouble());
        assertEquals("rdp", json.get("accountant").asText());
        assertEquals(14063, json.get("steps").asLong());
        assertEquals(Double.parseDouble(MNIST_Q), json.get("sample_rate").asDouble());
        assertEquals(1e-5, json.get("delta").asDouble());
        assertEquals(1.1, json.get("noise_multiplier").asDouble());
    }

    @Test
    void epsilon_withoutJson_printsAlignedLabelsWithSettingGuaranteeAndOrder() {
        CliRun run = CliRun.of("epsilon", "--noise-multiplier", "1.1", "--sample-rate", MNIST_Q, "--steps", "14063",
                "--delta", "1e-5", "--accountant", "rdp");
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.out().strip().split("\\R");
        assertTrue(run.out().contains("noise multiplier"), run.out());
        assertTrue(run.out().contains("optimal RDP order  8.1"), run.out());
        assertTrue(run.out().contains("epsilon            2.5966555295"), run.out());
        int column = -1;
        for (int i = 1; i < lines.length; i++) {
            int valueStart = lines[i].indexOf("  ", 2) + 2;
            while (lines[i].charAt(valueStart) == ' ') {
                valueStart++;
            }
            if (column < 0) {
                column = valueStart;
            }
            assertEquals(column, valueStart, "values are aligned: " + lines[i]);
        }
    }

    @Test
    void epsilon_acceptsAccountantNameInAnyCase() throws IOException {
        for (String name : new String[] {"rdp", "RDP", "Rdp"}) {
            CliRun run = CliRun.of("epsilon", "--noise-multiplier", "1.0", "--sample-rate", "0.01", "--steps", "100",
                    "--delta", "1e-5", "--accountant", name, "--json");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("rdp", run.lastJsonLine().get("accountant").asText());
        }
    }

    @Test
    void defaultAccountant_isRdp() throws IOException {
        assertEquals("rdp", AccountantOptions.DEFAULT_ACCOUNTANT);
        CliRun run = CliRun.of("epsilon", "--noise-multiplier", "1.0", "--sample-rate", "0.01", "--steps", "100",
                "--delta", "1e-5", "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("rdp", run.lastJsonLine().get("accountant").asText());
    }

    @Test
    void epsilon_ledgerFile_equalsComposingItsSegments() throws IOException {
        Path ledger = dir.resolve("ledger.json");
        Files.writeString(ledger, "{\"events\": [{\"noise_multiplier\": 1.0, \"sample_rate\": 0.01, \"steps\": 100},"
                + " {\"noise_multiplier\": 2.0, \"sample_rate\": 0.02, \"steps\": 200}]}", StandardCharsets.UTF_8);
        CliRun run = CliRun.of("epsilon", "--ledger", ledger.toString(), "--delta", "1e-5", "--accountant", "rdp", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = run.lastJsonLine();
        double expected = RdpAccountant.create()
                .compose(DpEvent.composed(DpEvent.dpSgd(1.0, 0.01, 100), DpEvent.dpSgd(2.0, 0.02, 200)))
                .epsilon(1e-5);
        assertEquals(expected, json.get("epsilon").asDouble());
        assertEquals(300, json.get("steps").asLong());
        assertEquals(2, json.get("segments").asInt());
        assertEquals(ledger.toString(), json.get("ledger").asText());
        assertEquals("POISSON", json.get("sampling_method").asText(), "a ledger without the field reads as Poisson");
        assertTrue(json.get("certified").asBoolean());
    }

    @Test
    void epsilon_ledgerWithShuffledSteps_saysItIsNotACertifiedBound() throws IOException {
        Path ledger = dir.resolve("shuffled.json");
        Files.writeString(ledger, "{\"events\": [{\"noise_multiplier\": 1.0, \"sample_rate\": 0.01, \"steps\": 100},"
                + " {\"noise_multiplier\": 1.0, \"sample_rate\": 0.01, \"steps\": 50, \"sampling_method\": \"SHUFFLED_FIXED_SIZE\"}]}",
                StandardCharsets.UTF_8);
        JsonNode json = CliRun.of("epsilon", "--ledger", ledger.toString(), "--delta", "1e-5", "--json").succeeded().lastJsonLine();
        assertEquals("SHUFFLED_FIXED_SIZE", json.get("sampling_method").asText());
        assertFalse(json.get("certified").asBoolean());
        assertEquals(RdpAccountant.create().compose(DpEvent.dpSgd(1.0, 0.01, 150)).epsilon(1e-5), json.get("epsilon").asDouble());
        String text = CliRun.of("epsilon", "--ledger", ledger.toString(), "--delta", "1e-5").succeeded().out();
        assertTrue(text.contains("NOT a certified bound"), text);
    }

    @Test
    void epsilon_noiseMultiplierZero_isJsonNullWithExplanation() throws IOException {
        CliRun run = CliRun.of("epsilon", "--noise-multiplier", "0", "--sample-rate", "0.1", "--steps", "3",
                "--delta", "1e-5", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = run.lastJsonLine();
        assertTrue(json.get("epsilon").isNull());
        assertEquals("Infinity", json.get("epsilon_non_finite").asText());
        assertFalse(json.has("order"), "no optimal order when epsilon is infinite");
    }

    @Test
    void delta_mnistSettingAtEpsilonOne_printsDpAccountingDeltaAndOrder() throws IOException {
        CliRun run = CliRun.of("delta", "--noise-multiplier", "1.1", "--sample-rate", MNIST_Q, "--steps", "14063",
                "--epsilon", "1", "--accountant", "rdp", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = run.lastJsonLine();
        // [computed, dp_accounting 0.6.0] accounting.md section 6.3
        assertRelative(0.03855698992698997, json.get("delta").asDouble(), 1e-9);
        assertEquals(4.2, json.get("order").asDouble());
        assertEquals(1.0, json.get("epsilon").asDouble());
    }

    @Test
    void noise_mnistTarget_meetsTargetWithinToleranceAboveDpAccountingRoot() throws IOException {
        CliRun run = CliRun.of("noise", "--target-epsilon", "3", "--delta", "1e-5", "--sample-rate", MNIST_Q,
                "--steps", "14063", "--accountant", "rdp", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = run.lastJsonLine();
        double sigma = json.get("noise_multiplier").asDouble();
        // [computed, dp_accounting 0.6.0 calibrate_dp_mechanism] accounting.md section 6.5
        double reference = 1.0140219473997427;
        assertTrue(sigma >= reference && sigma <= reference * (1 + 1e-4), "sigma " + sigma);
        double epsilon = json.get("epsilon").asDouble();
        assertTrue(epsilon <= 3.0, "epsilon " + epsilon);
        assertEquals(RdpAccountant.create().compose(DpEvent.dpSgd(sigma, Double.parseDouble(MNIST_Q), 14063))
                .epsilon(1e-5), epsilon);
        assertEquals(3.0, json.get("target_epsilon").asDouble());
        assertTrue(json.has("order"));
    }

    static Stream<Arguments> badInputs() {
        String[] mnist = {"--sample-rate", "0.01", "--steps", "100"};
        return Stream.of(
                Arguments.of("--noise-multiplier", args("epsilon", "--noise-multiplier", "NaN", mnist, "--delta", "1e-5")),
                Arguments.of("--noise-multiplier", args("epsilon", "--noise-multiplier", "-1", mnist, "--delta", "1e-5")),
                Arguments.of("--noise-multiplier", args("epsilon", "--noise-multiplier", "Infinity", mnist, "--delta", "1e-5")),
                Arguments.of("--noise-multiplier", args("epsilon", "--noise-multiplier", "abc", mnist, "--delta", "1e-5")),
                Arguments.of("--sample-rate", args("epsilon", "--noise-multiplier", "1", "--sample-rate", "1.5", "--steps", "100", "--delta", "1e-5")),
                Arguments.of("--sample-rate", args("epsilon", "--noise-multiplier", "1", "--sample-rate", "-0.1", "--steps", "100", "--delta", "1e-5")),
                Arguments.of("--sample-rate", args("epsilon", "--noise-multiplier", "1", "--sample-rate", "NaN", "--steps", "100", "--delta", "1e-5")),
                Arguments.of("--steps", args("epsilon", "--noise-multiplier", "1", "--sample-rate", "0.01", "--steps", "-1", "--delta", "1e-5")),
                Arguments.of("--steps", args("epsilon", "--noise-multiplier", "1", "--sample-rate", "0.01", "--steps", "1.5", "--delta", "1e-5")),
                Arguments.of("--delta", args("epsilon", "--noise-multiplier", "1", mnist, "--delta", "0")),
                Arguments.of("--delta", args("epsilon", "--noise-multiplier", "1", mnist, "--delta", "1")),
                Arguments.of("--delta", args("epsilon", "--noise-multiplier", "1", mnist, "--delta", "NaN")),
                Arguments.of("--delta", args("epsilon", "--noise-multiplier", "1", mnist)),
                Arguments.of("--noise-multiplier", args("epsilon", mnist, "--delta", "1e-5")),
                Arguments.of("--steps", args("epsilon", "--noise-multiplier", "1", "--sample-rate", "0.01", "--delta", "1e-5")),
                Arguments.of("--ledger", args("epsilon", "--ledger", "x.json", "--noise-multiplier", "1", "--delta", "1e-5")),
                Arguments.of("--ledger", args("epsilon", "--ledger", "x.json", "--steps", "3", "--delta", "1e-5")),
                Arguments.of("--ledger", args("epsilon", "--ledger", "/definitely/not/here.json", "--delta", "1e-5")),
                Arguments.of("--accountant", args("epsilon", "--noise-multiplier", "1", mnist, "--delta", "1e-5", "--accountant", "moments")),
                Arguments.of("--bogus", args("epsilon", "--noise-multiplier", "1", mnist, "--delta", "1e-5", "--bogus")),
                Arguments.of("--epsilon", args("delta", "--noise-multiplier", "1", mnist, "--epsilon", "-1")),
                Arguments.of("--epsilon", args("delta", "--noise-multiplier", "1", mnist, "--epsilon", "NaN")),
                Arguments.of("--epsilon", args("delta", "--noise-multiplier", "1", mnist, "--epsilon", "-inf")), // +inf is valid: delta 0
                Arguments.of("--epsilon", args("delta", "--noise-multiplier", "1", mnist)),
                Arguments.of("--noise-multiplier", args("delta", "--noise-multiplier", "-0.5", mnist, "--epsilon", "1")),
                Arguments.of("--target-epsilon", args("noise", "--target-epsilon", "0", "--delta", "1e-5", mnist)),
                Arguments.of("--target-epsilon", args("noise", "--target-epsilon", "NaN", "--delta", "1e-5", mnist)),
                Arguments.of("--sample-rate", args("noise", "--target-epsilon", "1", "--delta", "1e-5", "--sample-rate", "0", "--steps", "100")),
                Arguments.of("--steps", args("noise", "--target-epsilon", "1", "--delta", "1e-5", "--sample-rate", "0.01", "--steps", "0")),
                Arguments.of("--delta", args("noise", "--target-epsilon", "1", "--delta", "2", mnist)));
    }

    private static String[] args(Object... parts) {
        return Stream.of(parts).flatMap(p -> p instanceof String[] a ? Stream.of(a) : Stream.of((String) p))
                .toArray(String[]::new);
    }

    @ParameterizedTest(name = "{index}: {0} in {1}")
    @MethodSource("badInputs")
    void badInput_exitsNonZeroWithOneStderrLineNamingTheParameter(String parameter, String[] args) {
        CliRun run = CliRun.of(args);
        assertNotEquals(0, run.exitCode());
        assertEquals("", run.out());
        String[] lines = run.errLines();
        assertEquals(1, lines.length, "exactly one line on stderr: " + run.err());
        assertTrue(lines[0].contains(parameter), "names " + parameter + ": " + lines[0]);
    }

    static Stream<Arguments> malformedLedgers() {
        return Stream.of(
                Arguments.of("not JSON", "{\"events\": [", "not valid JSON"),
                Arguments.of("unknown field", "{\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 3, \"x\": 1}]}", "unknown field"),
                Arguments.of("missing field", "{\"events\": [{\"noise_multiplier\": 1, \"steps\": 3}]}", "sample_rate"),
                Arguments.of("fractional steps", "{\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 1.5}]}", "steps"),
                Arguments.of("sample rate 2", "{\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 2, \"steps\": 3}]}", "sample_rate must be in [0, 1], got 2.0"),
                Arguments.of("duplicate events", "{\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 3}], \"events\": []}", "Duplicate field"),
                Arguments.of("trailing document", "{\"events\": []} {\"events\": []}", "Trailing token"),
                Arguments.of("no events", "{\"steps\": 3}", "events"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedLedgers")
    void epsilon_malformedLedger_exitsNonZeroWithOneLineNamingFileAndFault(String what, String content, String fault)
            throws IOException {
        Path ledger = dir.resolve("bad.json");
        Files.writeString(ledger, content, StandardCharsets.UTF_8);
        CliRun run = CliRun.of("epsilon", "--ledger", ledger.toString(), "--delta", "1e-5", "--json");
        assertNotEquals(0, run.exitCode());
        String[] lines = run.errLines();
        assertEquals(1, lines.length, run.err());
        assertTrue(lines[0].contains("--ledger") && lines[0].contains(fault), lines[0]);
    }
}
