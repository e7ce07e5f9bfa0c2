package io.github.dpsgd4j.serving.card;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.LedgerEntry;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds a {@link PrivacyCard} from a report folder: {@code ledger.json} (required: the guarantee
 * is recomputed from it), {@code report.json} (delta, clip, data set and accuracy as
 * {@code dpsgd4j train} writes them, or the {@code private} run of {@code dpsgd4j demo}), and the
 * audit when one was run ({@code audit.json} or {@code audit/audit.json} as dp-audit writes them,
 * else the {@code audit} summaries in {@code report.json}).
 *
 * <p>Stateless and thread-safe.
 */
public final class PrivacyCardReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PrivacyCardReader() {
    }

    /**
     * Reads the folder.
     *
     * @param folder     the report folder
     * @param delta      delta to certify epsilon at, in (0, 1); NaN to take report.json's
     * @param auditFile  an audit.json to use instead of the folder's, or null
     * @throws IllegalArgumentException naming the missing or malformed file and what to do
     */
    public static PrivacyCard read(Path folder, double delta, Path auditFile) throws IOException {
        Checks.notNull("folder", folder);
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("--model " + folder + " is not a directory; give the report folder "
                    + "that 'dpsgd4j train' wrote (it holds ledger.json and report.json)");
        }
        Path ledgerFile = folder.resolve("ledger.json");
        if (!Files.isRegularFile(ledgerFile)) {
            throw new IllegalArgumentException(folder + " has no ledger.json: a card is computed from the privacy "
                    + "ledger; give the report or checkpoint folder of a dpsgd4j training run");
        }
        PrivacyLedger ledger = PrivacyLedger.read(ledgerFile);
        JsonNode report = readJson(folder.resolve("report.json"));
        JsonNode run = report;
        if (report != null && report.has("private") && report.get("private").isObject()) {
            run = report.get("private");
        }
        double d = delta;
        if (Double.isNaN(d)) {
            if (run == null || !run.has("delta") || !run.get("delta").isNumber()) {
                throw new IllegalArgumentException(folder + " has no report.json with a delta; give --delta");
            }
            d = run.get("delta").asDouble();
        }
        Checks.openUnitInterval("delta", d);
        double rdp = ledger.accountant(AccountantType.RDP).epsilon(d);
        // PLD is the tight default; a ledger whose privacy loss it cannot discretise (a run trained
        // with the RDP accountant for a huge target, say) gets RDP's upper bound instead, named as such.
        double tight;
        String accountant;
        try {
            tight = ledger.accountant(AccountantType.PLD).epsilon(d);
            accountant = "pld";
        } catch (IllegalArgumentException | IllegalStateException pldCannot) {
            tight = rdp;
            accountant = "rdp";
        }
        double recorded = number(run, "epsilon");
        boolean recordedInfinite = run != null && run.has("epsilon_non_finite");
        double epsilon = recordedInfinite ? Double.POSITIVE_INFINITY
                : Double.isNaN(recorded) ? tight : Math.max(tight, recorded);
        List<LedgerEntry> segments = ledger.entries();
        double sigma = Double.NaN;
        double q = Double.NaN;
        if (!segments.isEmpty() && segments.stream().allMatch(e -> e.noiseMultiplier() == segments.get(0)
                .noiseMultiplier() && e.sampleRate() == segments.get(0).sampleRate())) {
            sigma = segments.get(0).noiseMultiplier();
            q = segments.get(0).sampleRate();
        }
        String modelFile = Files.isRegularFile(folder.resolve("model.zip")) ? "model.zip" : null;
        AuditFindings audit = audit(folder, auditFile, report, Double.isFinite(epsilon));
        return new PrivacyCard(modelFile, text(report, "dataset"), (long) orMinusOne(number(report, "train_size")),
                text(report, "model"), number(run, "test_accuracy"), epsilon, d, accountant, rdp, sigma, q,
                ledger.totalSteps(), number(run, "clip"), segments, audit, null);
    }

    private static AuditFindings audit(Path folder, Path auditFile, JsonNode report, boolean privateModel)
            throws IOException {
        Path file = auditFile;
        if (file == null) {
            for (Path candidate : List.of(folder.resolve("audit.json"), folder.resolve("audit").resolve("audit.json"))) {
                if (Files.isRegularFile(candidate)) {
                    file = candidate;
                    break;
                }
            }
        } else if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--audit " + file + " is not a file; give the audit.json that "
                    + "'dpsgd4j audit' wrote");
        }
        boolean demo = report != null && "demo".equals(text(report, "command"));
        String subject = demo ? "dp-audit's reference experiment with the same recipe (models trained on a random "
                + "half of the digits), not this model file" : "this model";
        if (file != null) {
            JsonNode root = readJson(file);
            JsonNode models = root == null ? null : root.get("models");
            if (models == null || !models.isArray() || models.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no audited models (no \"models\" array); give the "
                        + "audit.json that 'dpsgd4j audit' wrote");
            }
            Path absolute = file.toAbsolutePath();
            String source = absolute.startsWith(folder.toAbsolutePath())
                    ? folder.toAbsolutePath().relativize(absolute).toString() : file.toString();
            return findings(pick(models, privateModel), subject, source);
        }
        if (report != null && report.has("audit") && report.get("audit").isObject()) {
            JsonNode summaries = report.get("audit");
            String name = privateModel ? "private" : "non_private";
            JsonNode chosen = summaries.has(name) ? summaries.get(name) : summaries.elements().next();
            return findings(chosen, subject, "report.json");
        }
        return null;
    }

    private static JsonNode pick(JsonNode models, boolean privateModel) {
        String wanted = privateModel ? "private" : "non_private";
        for (JsonNode m : models) {
            if (wanted.equals(text(m, "name"))) {
                return m;
            }
        }
        return models.get(0);
    }

    private static AuditFindings findings(JsonNode a, String subject, String source) {
        return new AuditFindings(subject, source, number(a, "lira_auc"), number(a, "lira_auc_null_half_width"),
                number(a, "loss_auc"), number(a, "lira_advantage"), number(a, "lira_advantage_null95"),
                number(a, "epsilon_lower_bound"), number(a, "inversion_identification_rate"), number(a, "max_auc"),
                number(a, "max_advantage"));
    }

    private static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException ex) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + ex.getMessage() + ")", ex);
        }
    }

    private static double number(JsonNode n, String field) {
        return n != null && n.has(field) && n.get(field).isNumber() ? n.get(field).asDouble() : Double.NaN;
    }

    private static String text(JsonNode n, String field) {
        return n != null && n.has(field) && n.get(field).isTextual() ? n.get(field).asText() : null;
    }

    private static double orMinusOne(double v) {
        return Double.isNaN(v) ? -1 : v;
    }
}
