package io.github.dpsgd4j.audit.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.audit.ModelAudit;
import io.github.dpsgd4j.audit.epsilon.GradientCanaryAudit;
import io.github.dpsgd4j.audit.inversion.InversionMetrics;
import io.github.dpsgd4j.audit.membership.MembershipAudit;
import io.github.dpsgd4j.audit.stats.AttackMetrics;

import java.util.List;
import java.util.Map;

import static io.github.dpsgd4j.audit.report.JsonNumbers.put;
import static io.github.dpsgd4j.audit.report.JsonNumbers.putInterval;

/**
 * The JSON form of audits. {@link #summary} holds the fields other tools rely on (stable names);
 * {@link #detail} adds every metric. Thread-safe.
 */
public final class AuditJson {

    /** Shared mapper (thread-safe once configured). */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private AuditJson() {
    }

    /**
     * The summary of one model: {@code test_accuracy}, {@code train_accuracy}, {@code lira_auc},
     * {@code lira_auc_ci}, {@code lira_auc_null_half_width}, {@code loss_auc}, {@code lira_advantage},
     * {@code lira_advantage_null95}, {@code lira_tpr_at_fpr_10pct} (null if not resolvable),
     * {@code inversion_identification_rate}, {@code inversion_correlation},
     * {@code inversion_member_gap}, {@code inversion_member_gap_null95}, {@code epsilon_lower_bound}
     * (one-run, 95%), {@code epsilon} and {@code delta} (null epsilon with
     * {@code epsilon_non_finite: "Infinity"} for a non-private model), the caps
     * {@code max_advantage}, {@code max_auc}, and for private models the gradient-canary check
     * {@code gradient_canary_epsilon}, {@code gradient_canary_epsilon_ci},
     * {@code gradient_canary_noise_ratio}, {@code gradient_canary_violation}.
     */
    public static ObjectNode summary(ModelAudit a) {
        ObjectNode n = MAPPER.createObjectNode();
        put(n, "test_accuracy", a.testAccuracy());
        put(n, "train_accuracy", a.trainAccuracy());
        AttackMetrics lira = a.fullConfidences().liraOnline();
        put(n, "lira_auc", lira.auc());
        putInterval(n, "lira_auc_ci", lira.aucLower(), lira.aucUpper());
        put(n, "lira_auc_null_half_width", lira.aucNullHalfWidth());
        put(n, "lira_offline_auc", a.fullConfidences().liraOffline().auc());
        put(n, "loss_auc", a.lossAuc());
        put(n, "lira_advantage", lira.advantage());
        put(n, "lira_advantage_null95", lira.maxAdvantageNull95());
        AttackMetrics.TprAtFpr tpr10 = lira.atFpr(0.1);
        if (tpr10.resolvable()) {
            n.put("lira_tpr_at_fpr_10pct", tpr10.tpr());
        } else {
            n.putNull("lira_tpr_at_fpr_10pct");
        }
        put(n, "inversion_identification_rate", a.inversionIdentificationRate());
        put(n, "inversion_correlation", a.inversion().meanCorrelation());
        put(n, "inversion_member_gap", a.inversionMemberGap());
        put(n, "inversion_member_gap_null95", a.inversion().memberGapNull95());
        put(n, "epsilon_lower_bound", a.epsilonLowerBound());
        put(n, "epsilon", a.epsilon());
        put(n, "delta", a.delta());
        put(n, "max_advantage", a.caps().maxAdvantage());
        put(n, "max_auc", a.caps().maxAuc());
        GradientCanaryAudit.Result c = a.gradientCanary();
        if (c != null) {
            put(n, "gradient_canary_epsilon", c.epsilon());
            putInterval(n, "gradient_canary_epsilon_ci", c.epsilonLower(), c.epsilonUpper());
            put(n, "gradient_canary_noise_ratio", c.noiseStdRatio());
            n.put("gradient_canary_violation", c.violation());
        }
        put(n, "seconds", a.seconds());
        return n;
    }

    /** Every metric of one model (a superset of {@link #summary}). */
    public static ObjectNode detail(ModelAudit a) {
        ObjectNode n = summary(a);
        n.put("name", a.name());
        n.put("members", a.memberCount());
        n.put("non_members", a.nonMemberCount());
        ObjectNode caps = n.putObject("caps");
        put(caps, "max_advantage", a.caps().maxAdvantage());
        put(caps, "max_auc", a.caps().maxAuc());
        for (double f : AttackMetrics.TARGET_FPRS) {
            put(caps, "max_tpr_at_fpr_" + label(f), a.caps().maxTprAtFpr(f));
        }
        ArrayNode policies = n.putArray("membership");
        for (MembershipAudit.Result r : a.membership()) {
            ObjectNode p = policies.addObject();
            p.put("policy", r.policy());
            p.set("loss", attack(r.loss()));
            p.set("lira_online", attack(r.liraOnline()));
            p.set("lira_offline", attack(r.liraOffline()));
        }
        ObjectNode one = n.putObject("one_run_audit");
        put(one, "epsilon_lower_bound", a.oneRun().epsilon());
        one.put("canaries", a.oneRun().canaries());
        one.put("guesses", a.oneRun().guesses());
        one.put("correct", a.oneRun().correct());
        n.set("inversion_white_box", inversion(a.inversion()));
        ObjectNode bb = n.putObject("inversion_black_box");
        for (Map.Entry<String, InversionMetrics> e : a.blackBoxInversion().entrySet()) {
            bb.set(e.getKey(), inversion(e.getValue()));
        }
        ObjectNode phases = n.putObject("phase_seconds");
        a.phaseSeconds().forEach((k, v) -> put(phases, k, v));
        GradientCanaryAudit.Result c = a.gradientCanary();
        if (c != null) {
            ObjectNode g = n.putObject("gradient_canary");
            put(g, "noise_std_ratio", c.noiseStdRatio());
            putInterval(g, "noise_std_ratio_ci999", c.noiseStdRatioLower(), c.noiseStdRatioUpper());
            put(g, "canary_mean_ratio", c.canaryMeanRatio());
            put(g, "mu", c.mu());
            putInterval(g, "mu_ci", c.muLower(), c.muUpper());
            put(g, "epsilon", c.epsilon());
            putInterval(g, "epsilon_ci", c.epsilonLower(), c.epsilonUpper());
            put(g, "clopper_pearson_epsilon", c.clopperPearsonEpsilon());
            put(g, "accountant_epsilon", c.accountantEpsilon());
            g.put("noise_calibrated", c.noiseCalibrated());
            g.put("violation", c.violation());
        }
        return n;
    }

    /** One attack's metrics. */
    public static ObjectNode attack(AttackMetrics m) {
        ObjectNode n = MAPPER.createObjectNode();
        put(n, "auc", m.auc());
        putInterval(n, "auc_ci", m.aucLower(), m.aucUpper());
        put(n, "auc_null_half_width", m.aucNullHalfWidth());
        put(n, "advantage", m.advantage());
        put(n, "max_advantage_in_sample", m.maxAdvantage());
        put(n, "advantage_null95", m.maxAdvantageNull95());
        put(n, "balanced_accuracy", m.balancedAccuracy());
        for (AttackMetrics.TprAtFpr t : m.tprAtFpr()) {
            String key = "tpr_at_fpr_" + label(t.targetFpr());
            if (t.resolvable()) {
                n.put(key, t.tpr());
                n.put(key + "_achieved_fpr", t.achievedFpr());
            } else {
                n.putNull(key);
                n.put(key + "_note", "not resolvable: needs at least " + (int) Math.ceil(10 / t.targetFpr())
                        + " non-members, have " + m.nonMembers());
            }
        }
        return n;
    }

    private static ObjectNode inversion(InversionMetrics m) {
        ObjectNode n = MAPPER.createObjectNode();
        put(n, "identification_rate", m.identificationRate());
        put(n, "chance", m.chance());
        put(n, "correlation", m.meanCorrelation());
        put(n, "ssim", m.meanSsim());
        put(n, "mse", m.meanMse());
        put(n, "baseline_mse_global_mean", m.baselineMse());
        put(n, "member_gap", m.memberGap());
        put(n, "member_gap_null95", m.memberGapNull95());
        put(n, "mean_confidence", m.meanConfidence());
        put(n, "mean_iterations", m.meanIterations());
        return n;
    }

    static String label(double fpr) {
        return fpr >= 0.1 ? "10pct" : fpr >= 0.01 ? "1pct" : "0_1pct";
    }

    /** {"non_private": summary, "private": summary, ...} keyed by model name. */
    public static ObjectNode summaries(List<ModelAudit> audits) {
        ObjectNode n = MAPPER.createObjectNode();
        for (ModelAudit a : audits) {
            n.set(a.name(), summary(a));
        }
        return n;
    }
}
