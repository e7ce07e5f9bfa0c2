package io.github.dpsgd4j.serving.card;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.accounting.LedgerEntry;
import io.github.dpsgd4j.common.Checks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A privacy card: what one trained model's privacy guarantee is and is not. Built from a report
 * folder by {@link PrivacyCardReader}; written as {@code card.json} ({@link #toJson()}) and
 * {@code card.html} ({@link PrivacyCardHtml}).
 *
 * @param model           the model file, or null
 * @param dataset         data set name, or null
 * @param trainSize       training examples (the population the guarantee protects), or -1
 * @param architecture    model kind, or null
 * @param testAccuracy    test accuracy in [0, 1], or NaN
 * @param epsilon         certified epsilon at {@code delta}: the larger of the ledger's PLD
 *                        recomputation and the value recorded at training time; +infinity without a guarantee
 * @param delta           delta
 * @param accountant      "pld"
 * @param epsilonRdp      the RDP accountant's epsilon for the same ledger (an upper bound; cross-check)
 * @param noiseMultiplier sigma if every ledger segment has the same, else NaN (see {@code segments})
 * @param sampleRate      q if every segment has the same, else NaN
 * @param steps           total steps
 * @param clip            per-example L2 clipping norm C, or NaN if the report does not record it
 * @param segments        the ledger's segments
 * @param audit           audit findings, or null when no audit was run
 * @param servedWith      output policy the model is served with, or null when not recorded
 */
public record PrivacyCard(String model, String dataset, long trainSize, String architecture, double testAccuracy,
                          double epsilon, double delta, String accountant, double epsilonRdp, double noiseMultiplier,
                          double sampleRate, long steps, double clip, List<LedgerEntry> segments, AuditFindings audit,
                          String servedWith) {

    /** The unit of privacy, as the card states it. */
    public static final String UNIT_OF_PRIVACY = "one training example";
    /** The adjacency notion. */
    public static final String ADJACENCY = "add or remove one training example; batches drawn by Poisson sampling";
    /** What the guarantee does not cover. */
    public static final List<String> NOT_COVERED = List.of(
            "preprocessing fitted on the data (normalisation statistics, feature selection, vocabularies)",
            "hyperparameter tuning and model selection on the private data (each run trained on it spends privacy)",
            "the test set used to report accuracy",
            "more than one example per person: the unit is one example, not one person",
            "data outside the training set, and information the output policy or serving guards withhold "
                    + "(those raise the cost of attacks but are not differential privacy)");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public PrivacyCard {
        Checks.nonNegative("epsilon", epsilon);
        Checks.probability("delta", delta);
        Checks.notNull("accountant", accountant);
        segments = List.copyOf(segments);
    }

    /** Whether the model carries a finite guarantee. */
    public boolean isPrivate() {
        return Double.isFinite(epsilon);
    }

    /** A copy that records the output policy it is served with. */
    public PrivacyCard servedWith(String policy) {
        return new PrivacyCard(model, dataset, trainSize, architecture, testAccuracy, epsilon, delta, accountant,
                epsilonRdp, noiseMultiplier, sampleRate, steps, clip, segments, audit, policy);
    }

    /**
     * The JSON form. Fields: {@code unit_of_privacy}, {@code adjacency}, {@code epsilon},
     * {@code delta}, {@code accountant}, {@code epsilon_rdp}, {@code noise_multiplier},
     * {@code sample_rate}, {@code steps}, {@code clip}, {@code ledger_segments}, {@code model},
     * {@code dataset}, {@code train_size}, {@code architecture}, {@code test_accuracy},
     * {@code not_covered}, {@code audit} (null when none was run), {@code served_with}. Numbers
     * that are infinite or unknown are null, with {@code <name>_non_finite} = "Infinity" for an
     * infinite epsilon.
     */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("unit_of_privacy", UNIT_OF_PRIVACY);
        n.put("adjacency", ADJACENCY);
        number(n, "epsilon", epsilon);
        n.put("delta", delta);
        n.put("accountant", accountant);
        number(n, "epsilon_rdp", epsilonRdp);
        number(n, "noise_multiplier", noiseMultiplier);
        number(n, "sample_rate", sampleRate);
        n.put("steps", steps);
        number(n, "clip", clip);
        ArrayNode seg = n.putArray("ledger_segments");
        for (LedgerEntry e : segments) {
            seg.addObject().put("noise_multiplier", e.noiseMultiplier()).put("sample_rate", e.sampleRate())
                    .put("steps", e.steps());
        }
        text(n, "model", model);
        text(n, "dataset", dataset);
        if (trainSize >= 0) {
            n.put("train_size", trainSize);
        } else {
            n.putNull("train_size");
        }
        text(n, "architecture", architecture);
        number(n, "test_accuracy", testAccuracy);
        ArrayNode notCovered = n.putArray("not_covered");
        NOT_COVERED.forEach(notCovered::add);
        if (audit == null) {
            n.putNull("audit");
        } else {
            ObjectNode a = n.putObject("audit");
            a.put("subject", audit.subject());
            a.put("source", audit.source());
            number(a, "lira_auc", audit.liraAuc());
            number(a, "lira_auc_null_half_width", audit.liraAucNullHalfWidth());
            number(a, "loss_auc", audit.lossAuc());
            number(a, "lira_advantage", audit.liraAdvantage());
            number(a, "lira_advantage_null95", audit.liraAdvantageNull95());
            number(a, "epsilon_lower_bound", audit.epsilonLowerBound());
            number(a, "inversion_identification_rate", audit.inversionIdentification());
            number(a, "max_auc", audit.maxAuc());
            number(a, "max_advantage", audit.maxAdvantage());
        }
        text(n, "served_with", servedWith);
        return n;
    }

    /**
     * Writes {@code card.json} and {@code card.html} into {@code directory} (created if missing).
     *
     * @return the JSON file
     */
    public Path write(Path directory) throws IOException {
        Checks.notNull("directory", directory);
        Files.createDirectories(directory);
        Path json = directory.resolve("card.json");
        Files.writeString(json, JSON.writeValueAsString(toJson()) + "\n", StandardCharsets.UTF_8);
        Files.writeString(directory.resolve("card.html"), PrivacyCardHtml.render(this), StandardCharsets.UTF_8);
        return json;
    }

    /**
     * Reads the report folder that {@code dpsgd4j train} or {@code demo} wrote and writes the card
     * beside the report: the one call those commands make.
     *
     * @param reportFolder holds report.json and ledger.json (and optionally model.zip, audit results)
     * @return the card written
     */
    public static PrivacyCard writeBeside(Path reportFolder) throws IOException {
        PrivacyCard card = PrivacyCardReader.read(reportFolder, Double.NaN, null);
        card.write(reportFolder);
        return card;
    }

    private static void number(ObjectNode n, String name, double value) {
        if (Double.isFinite(value)) {
            n.put(name, value);
        } else {
            n.putNull(name);
            if (value == Double.POSITIVE_INFINITY) {
                n.put(name + "_non_finite", "Infinity");
            }
        }
    }

    private static void text(ObjectNode n, String name, String value) {
        if (value == null) {
            n.putNull(name);
        } else {
            n.put(name, value);
        }
    }
}
