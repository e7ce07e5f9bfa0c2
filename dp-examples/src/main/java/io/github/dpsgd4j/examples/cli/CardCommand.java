package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.serving.Policies;
import io.github.dpsgd4j.serving.card.PrivacyCard;
import io.github.dpsgd4j.serving.card.PrivacyCardReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code dpsgd4j card}: the privacy card of a trained model. */
@Command(name = "card", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Writes the privacy card of a trained model: card.json and card.html with the unit of privacy, "
                        + "epsilon and delta recomputed from the privacy ledger, sampling, clipping and noise, the data, "
                        + "what the guarantee does not cover, and the audit results when an audit was run."})
final class CardCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "The report folder of a training run (ledger.json, report.json, model.zip).")
    private Path model;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the card (default: the --model folder).")
    private Path out;

    @Option(names = "--delta", paramLabel = "D",
            description = "Delta to state epsilon at, in (0, 1) (default: the run's delta from report.json).")
    private Double delta;

    @Option(names = "--audit", paramLabel = "FILE",
            description = "audit.json written by 'dpsgd4j audit' (default: audit.json or audit/audit.json in the folder).")
    private Path audit;

    @Option(names = "--served-with", paramLabel = "POLICY",
            description = "The output policy the model is served with: label, top-k:K, rounded:D or full.")
    private String servedWith;

    @Override
    public Integer call() throws IOException {
        PrivacyCard card = PrivacyCardReader.read(model, delta == null ? Double.NaN : delta, audit);
        if (servedWith != null) {
            card = card.servedWith(Policies.cliName(Policies.parse(servedWith)));
        }
        Path directory = out == null ? model : out;
        card.write(directory);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf("privacy card: %s (card.json, card.html)%n", directory);
        stdout.printf("  epsilon %s at delta %s (PLD accountant), %d steps, noise multiplier %s, sample rate %s%n",
                card.isPrivate() ? String.format(Locale.ROOT, "%.4f", card.epsilon()) : "infinite (no guarantee)",
                card.delta(), card.steps(), card.noiseMultiplier(), card.sampleRate());
        stdout.printf("  audit: %s%n", card.audit() == null ? "none run" : card.audit().source());
        stdout.flush();
        return 0;
    }
}
