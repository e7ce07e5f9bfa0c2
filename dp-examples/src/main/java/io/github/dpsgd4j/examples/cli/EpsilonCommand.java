package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.PrivacyAccountant;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code dpsgd4j epsilon}: the epsilon spent at a given delta, either by a DP-SGD setting
 * (noise multiplier, sample rate, steps) or by a privacy ledger file.
 */
@Command(name = "epsilon", mixinStandardHelpOptions = true,
        description = {
                "Epsilon spent by DP-SGD at a given delta (add/remove adjacency, Poisson sampling, "
                        + "one example as the unit of privacy).",
                "Give either --noise-multiplier, --sample-rate and --steps, or --ledger FILE."})
final class EpsilonCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private AccountantOptions options;

    @Option(names = "--noise-multiplier", paramLabel = "S",
            description = "Noise standard deviation over the L2 clipping norm, finite and >= 0.")
    private Double noiseMultiplier;

    @Option(names = "--sample-rate", paramLabel = "Q", description = "Poisson sampling rate in (0, 1].")
    private Double sampleRate;

    @Option(names = "--steps", paramLabel = "T", description = "Number of DP-SGD steps, >= 0.")
    private Long steps;

    @Option(names = "--ledger", paramLabel = "FILE",
            description = "A privacy ledger (ledger.json, or a model zip written by DpSgdTrainer.saveModel): {\"events\": [{\"noise_multiplier\": S, \"sample_rate\": Q, \"steps\": T, "
                    + "\"sampling_method\": \"POISSON\"}, ...]} (sampling_method optional, POISSON when absent; "
                    + "SHUFFLED_FIXED_SIZE makes the result an approximation, not a certified bound).")
    private Path ledger;

    @Option(names = "--delta", paramLabel = "D", required = true, description = "Target delta in (0, 1).")
    private double delta;

    @Override
    public Integer call() {
        Checks.openUnitInterval("--delta", delta);
        Report report;
        PrivacyAccountant accountant = options.accountant.newAccountant();
        if (ledger != null) {
            if (noiseMultiplier != null || sampleRate != null || steps != null) {
                throw new ParameterException(spec.commandLine(),
                        "--ledger cannot be combined with --noise-multiplier, --sample-rate or --steps");
            }
            PrivacyLedger entries = readLedger(ledger);
            accountant.compose(entries.toEvent());
            report = new Report("Privacy spent by the ledger " + ledger)
                    .accountant(options.accountant)
                    .text("ledger", "ledger", ledger.toString())
                    .number("segments", "segments", entries.entries().size())
                    .number("steps", "steps", entries.totalSteps())
                    .sampling(entries.samplingMethod());
        } else {
            DpSgdSetting setting = DpSgdSetting.of(spec, noiseMultiplier, sampleRate, steps);
            accountant.compose(setting.event());
            report = new Report("Privacy spent by DP-SGD")
                    .accountant(options.accountant);
            setting.describe(report);
        }
        report.number("delta", "delta", delta).epsilon(accountant, delta).print(spec.commandLine().getOut(), options.json);
        return 0;
    }

    private PrivacyLedger readLedger(Path file) {
        try {
            if (file.getFileName() != null && file.getFileName().toString().endsWith(".zip")) {
                // A model saved with DpSgdTrainer.saveModel carries its ledger inside the zip.
                return io.github.dpsgd4j.optimizers.SavedModel.ledgerOf(file).orElseThrow(() ->
                        new IllegalArgumentException("the model file carries no dpsgd4j privacy ledger (saved with "
                                + "ModelSerializer alone?): what its training spent is unknown; save models with "
                                + "DpSgdTrainer.saveModel"));
            }
            return PrivacyLedger.read(file);
        } catch (NoSuchFileException ex) {
            throw new IllegalArgumentException("--ledger " + file + ": no such file");
        } catch (IOException ex) {
            throw new IllegalArgumentException("--ledger " + file + ": cannot read it (" + ex + ")");
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("--ledger " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** A validated DP-SGD setting from the command line options. */
    record DpSgdSetting(double noiseMultiplier, double sampleRate, long steps) {

        static DpSgdSetting of(CommandSpec spec, Double noiseMultiplier, Double sampleRate, Long steps) {
            String hint = " (give --noise-multiplier, --sample-rate and --steps, or --ledger FILE)";
            if (noiseMultiplier == null) {
                throw new ParameterException(spec.commandLine(), "missing option --noise-multiplier" + hint);
            }
            if (sampleRate == null) {
                throw new ParameterException(spec.commandLine(), "missing option --sample-rate" + hint);
            }
            if (steps == null) {
                throw new ParameterException(spec.commandLine(), "missing option --steps" + hint);
            }
            Checks.finiteNonNegative("--noise-multiplier", noiseMultiplier);
            Checks.sampleRate("--sample-rate", sampleRate);
            Checks.nonNegative("--steps", steps.longValue());
            return new DpSgdSetting(noiseMultiplier, sampleRate, steps);
        }

        DpEvent event() {
            return DpEvent.dpSgd(noiseMultiplier, sampleRate, steps);
        }

        void describe(Report report) {
            report.number("noise_multiplier", "noise multiplier", noiseMultiplier)
                    .number("sample_rate", "sample rate", sampleRate)
                    .number("steps", "steps", steps);
        }
    }
}
