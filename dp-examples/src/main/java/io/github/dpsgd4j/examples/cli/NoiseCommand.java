package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.NoiseCalibration;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.common.Checks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code dpsgd4j noise}: the smallest noise multiplier that meets a privacy target. */
@Command(name = "noise", mixinStandardHelpOptions = true,
        description = {
                "Smallest noise multiplier for which DP-SGD meets (target epsilon, delta), to 1e-4 relative "
                        + "and never below the exact root.",
                "Also prints the epsilon that noise multiplier achieves."})
final class NoiseCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private AccountantOptions options;

    @Option(names = "--target-epsilon", paramLabel = "E", required = true,
            description = "Target epsilon, > 0, or inf (noise multiplier 0: not private).")
    private double targetEpsilon;

    @Option(names = "--delta", paramLabel = "D", required = true, description = "Target delta in (0, 1).")
    private double delta;

    @Option(names = "--sample-rate", paramLabel = "Q", required = true, description = "Poisson sampling rate in (0, 1].")
    private double sampleRate;

    @Option(names = "--steps", paramLabel = "T", required = true, description = "Number of DP-SGD steps, > 0.")
    private long steps;

    @Override
    public Integer call() {
        Checks.positive("--target-epsilon", targetEpsilon);
        Checks.openUnitInterval("--delta", delta);
        Checks.sampleRate("--sample-rate", sampleRate);
        Checks.positive("--steps", steps);
        // An infinite target is met without noise (the non-private baseline, as in train).
        boolean infinite = targetEpsilon == Double.POSITIVE_INFINITY;
        double sigma = infinite ? 0 : NoiseCalibration.noiseMultiplier(options.accountant,
                new PrivacyBudget(targetEpsilon, delta), sampleRate, steps);
        new Report(infinite ? "Noise multiplier for DP-SGD (infinite target: no noise, NOT private)"
                : "Noise multiplier for DP-SGD")
                .accountant(options.accountant)
                .number("target_epsilon", "target epsilon", targetEpsilon)
                .number("delta", "delta", delta)
                .number("sample_rate", "sample rate", sampleRate)
                .number("steps", "steps", steps)
                .number("noise_multiplier", "noise multiplier", sigma)
                .epsilon(options.accountant.newAccountant().compose(DpEvent.dpSgd(sigma, sampleRate, steps)), delta)
                .print(spec.commandLine().getOut(), options.json);
        return 0;
    }
}
