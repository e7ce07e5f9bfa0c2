package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.accounting.PrivacyAccountant;
import io.github.dpsgd4j.accounting.rdp.RdpAccountant;
import io.github.dpsgd4j.accounting.rdp.RdpDelta;
import io.github.dpsgd4j.common.Checks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code dpsgd4j delta}: the delta of a DP-SGD setting at a given epsilon. */
@Command(name = "delta", mixinStandardHelpOptions = true,
        description = "Delta of DP-SGD at a given epsilon (add/remove adjacency, Poisson sampling, "
                + "one example as the unit of privacy).")
final class DeltaCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private AccountantOptions options;

    @Option(names = "--noise-multiplier", paramLabel = "S", required = true,
            description = "Noise standard deviation over the L2 clipping norm, finite and >= 0.")
    private Double noiseMultiplier;

    @Option(names = "--sample-rate", paramLabel = "Q", required = true, description = "Poisson sampling rate in (0, 1].")
    private Double sampleRate;

    @Option(names = "--steps", paramLabel = "T", required = true, description = "Number of DP-SGD steps, >= 0.")
    private Long steps;

    @Option(names = "--epsilon", paramLabel = "E", required = true,
            description = ">= 0, or inf (delta is then 0).")
    private double epsilon;

    @Override
    public Integer call() {
        EpsilonCommand.DpSgdSetting setting = EpsilonCommand.DpSgdSetting.of(spec, noiseMultiplier, sampleRate, steps);
        Checks.nonNegative("--epsilon", epsilon);
        PrivacyAccountant accountant = options.accountant.newAccountant().compose(setting.event());
        Report report = new Report("Privacy spent by DP-SGD").accountant(options.accountant);
        setting.describe(report);
        report.number("epsilon", "epsilon", epsilon);
        if (epsilon == Double.POSITIVE_INFINITY) {
            report.number("delta", "delta", 0.0); // an infinite epsilon is met with probability 1
        } else if (accountant instanceof RdpAccountant rdp) {
            RdpDelta result = rdp.deltaAndOrder(epsilon);
            report.number("delta", "delta", result.delta());
            if (result.delta() < 1) {
                report.number("order", "optimal RDP order", result.order());
            }
        } else {
            report.number("delta", "delta", accountant.delta(epsilon));
        }
        report.print(spec.commandLine().getOut(), options.json);
        return 0;
    }
}
