package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.training.ModelKind;
import io.github.dpsgd4j.examples.training.RunRecipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One spelling and one range per concept across the accounting and training commands (issue 13,
 * items 11 and 12): infinities, sample rates, the accountant, and output directories.
 */
class OptionConsistencyTest {

    private static final List<String> ACCOUNTING = List.of("epsilon", "delta", "noise");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"inf", "INF", "+inf", "infinity", "Infinity"})
    void noise_infiniteTarget_isAcceptedInEverySpelling_andNeedsNoNoise(String inf) throws IOException {
        JsonNode json = CliRun.of("noise", "--target-epsilon", inf, "--delta", "1e-5", "--sample-rate", "0.01",
                "--steps", "100", "--json").succeeded().lastJsonLine();
        assertEquals(0.0, json.get("noise_multiplier").asDouble());
        assertEquals("Infinity", json.get("epsilon_non_finite").asText());
        assertEquals("Infinity", json.get("target_epsilon_non_finite").asText());
    }

    @Test
    void delta_atInfiniteEpsilon_isZero() throws IOException {
        JsonNode json = CliRun.of("delta", "--noise-multiplier", "1", "--sample-rate", "0.01", "--steps", "100",
                "--epsilon", "inf", "--json").succeeded().lastJsonLine();
        assertEquals(0.0, json.get("delta").asDouble());
    }

    @Test
    void infiniteNoiseMultiplier_isReadAsANumber_andRefusedByItsRange() {
        CliRun.of("epsilon", "--noise-multiplier", "inf", "--sample-rate", "0.1", "--steps", "3", "--delta", "1e-5")
                .failedWith("--noise-multiplier must be finite and >= 0, got Infinity");
    }

    @Test
    void notANumber_saysHowToWriteOne() {
        CliRun.of("epsilon", "--noise-multiplier", "lots", "--sample-rate", "0.1", "--steps", "3", "--delta", "1e-5")
                .failedWith("'lots' is not a number (write for example 0.5, 1e-5 or inf)");
    }

    @Test
    void sampleRate_hasOneRangeInEveryAccountingCommand() throws IOException {
        for (String command : ACCOUNTING) {
            CliRun.of(sampleRateArgs(command, "0")).failedWith("--sample-rate must be in (0, 1], got 0.0");
            CliRun.of(sampleRateArgs(command, "1.5")).failedWith("--sample-rate must be in (0, 1], got 1.5");
            CliRun.of(sampleRateArgs(command, "1")).succeeded();
        }
        CommandLine cli = Dpsgd4jCommand.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
        for (String command : ACCOUNTING) {
            OptionSpec option = cli.getSubcommands().get(command).getCommandSpec().findOption("--sample-rate");
            assertTrue(String.join(" ", option.description()).contains("(0, 1]"), command + ": " + option.description()[0]);
        }
    }

    private static String[] sampleRateArgs(String command, String q) {
        return switch (command) {
            case "epsilon" -> new String[] {"epsilon", "--noise-multiplier", "1", "--sample-rate", q, "--steps", "10", "--delta", "1e-5"};
            case "delta" -> new String[] {"delta", "--noise-multiplier", "1", "--sample-rate", q, "--steps", "10", "--epsilon", "1"};
            default -> new String[] {"noise", "--target-epsilon", "8", "--delta", "1e-5", "--sample-rate", q, "--steps", "10"};
        };
    }

    @Test
    void accountantOption_hasOneNameAndOneSpellingInEveryCommandThatAccounts() {
        CommandLine cli = Dpsgd4jCommand.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
        for (String command : List.of("epsilon", "delta", "noise", "train")) {
            OptionSpec option = cli.getSubcommands().get(command).getCommandSpec().findOption("--accountant");
            assertTrue(option != null, command + " has --accountant");
            assertTrue(option.converters()[0] instanceof AccountantOptions.AccountantTypeConverter, command);
        }
    }

    @Test
    void train_withRdp_calibratesATargetTooLargeForPld_andReportsTheAccountant() throws IOException {
        JsonNode json = CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--target-epsilon", "1e9",
                "--accountant", "RDP", "--seed", "3", "--out", dir.resolve("rdp").toString(), "--json")
                .succeeded().lastJsonLine();
        assertEquals("rdp", json.get("accountant").asText());
        assertEquals("POISSON", json.get("sampling_method").asText(), "the report carries the ledger's sampling method");
        assertTrue(json.get("certified").asBoolean());
        assertTrue(json.get("epsilon").asDouble() <= 1e9);
    }

    @Test
    void train_targetTooLargeForPld_givesAdviceTrainCanFollow() {
        CliRun run = CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--target-epsilon", "1e9",
                "--out", dir.resolve("pld").toString());
        run.failedWith("use --accountant rdp, a smaller --target-epsilon, or --target-epsilon inf");
        assertEquals(2, run.exitCode(), "bad input, not a crash");
    }

    @Test
    void train_resumeKeepsItsAccountant() {
        CliRun.of("train", "--resume", dir.toString(), "--accountant", "rdp")
                .failedWith("--resume cannot be combined with --accountant");
    }

    @Test
    void trainState_keepsTheAccountant_andReadsOldFilesAsPld() throws IOException {
        RunRecipe recipe = new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, 3.0, 1e-5, 4, 256, 1.0, 0.1,
                AccountantType.RDP);
        Path checkpoint = dir.resolve("state");
        new TrainState(recipe, null, 7, List.of()).write(checkpoint);
        String written = Files.readString(checkpoint.resolve(TrainState.FILE_NAME), StandardCharsets.UTF_8);
        assertTrue(written.contains("\"accountant\" : \"rdp\""), written);
        assertEquals(AccountantType.RDP, TrainState.accountant(new TextNode("rdp")));
        assertEquals(AccountantType.PLD, TrainState.accountant(MissingNode.getInstance()), "files from 0.1.0");
    }

    @Test
    void outputDirectoriesUnderARegularFile_nameTheOptionAndThePath() throws IOException {
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        Path under = file.resolve("sub");
        CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--out", under.toString())
                .failedWith("--out " + under + ": " + file + " is a file, not a directory");
        CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--checkpoint", under.toString(),
                "--out", dir.resolve("ok").toString()).failedWith("--checkpoint " + under + ": " + file + " is a file");
        CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--out", file.toString())
                .failedWith("--out " + file + " is a file, not a directory");
        CliRun.of("sweep", "--dataset", "digits", "--epochs", "1", "--epsilons", "8", "--out", under.toString())
                .failedWith("--out " + under + ": " + file + " is a file, not a directory");
        CliRun.of("train", "--dataset", "digits", "--model", "scatternet", "--epochs", "1", "--cache-dir", under.toString(),
                "--out", dir.resolve("ok2").toString()).failedWith("--cache-dir " + under + ": " + file + " is a file");
    }
}
