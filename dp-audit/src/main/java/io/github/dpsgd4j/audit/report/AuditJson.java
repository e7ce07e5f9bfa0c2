package io.github.dpsgd4j.audit.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.audit.ModelAudit;
import io.github.dpsgd4j.audit.epsilon.GradientCanaryAudit;
import io.github.dpsgd4j.audit.inversion.HalfImageCompletion;
import io.github.dpsgd4j.audit.inversion.InversionMetrics;
import io.github.dpsgd4j.audit.membership.ClassSlice;
import io.github.dpsgd4j.audit.membership.MembershipAudit;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.audit.stats.BinomialIntervals;

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

    /** Why offline RMIA is missing from an audit with fewer than 4 shadow models. */
    public static final String OFFLINE_RMIA_NOTE = "not run: offline RMIA needs at least 4 shadow models (one plays "
            + "the target while a is tuned, the others must leave every example out at least once)";

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
     * {@code gradient_canary_noise_ratio}, {@code gradient_canary_violation}; {@code rmia_auc},
     * {@code rmia_auc_ci}, {@code rmia_tpr_at_fpr} and {@code lira_tpr_at_fpr} (keys {@code 10pct},
     * {@code 1pct}, {@code 0_1pct}: {@code tpr}, Clopper&ndash;Pearson {@code tpr_ci},
     * {@code achieved_fpr}; null where not resolvable), {@code roc_bound} (the accountant's largest TPR
     * at those FPRs; 1 without a guarantee) and {@code epsilon_lower_bound_gdp} (Gaussian-DP one-run, 95%);
     * offline RMIA ({@code Rmia.scoreOffline} with the a tuned on the shadows): {@code rmia_offline_auc},
     * {@code rmia_offline_auc_ci}, {@code rmia_offline_a} and {@code rmia_offline_tpr_at_fpr} (as
     * {@code rmia_tpr_at_fpr}), all null with {@code rmia_offline_note} when the audit had fewer than 4
     * shadow models; {@code shadow_models_note} when the recipe shares one model's certification among
     * its siblings ({@code TrainingRecipe.shadowCertificationNote()}).
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
        AttackMetrics rmia = a.fullConfidences().rmia();
        if (rmia != null) {
            put(n, "rmia_auc", rmia.auc());
            putInterval(n, "rmia_auc_ci", rmia.aucLower(), rmia.aucUpper());
            n.set("rmia_tpr_at_fpr", tprAtFpr(rmia));
        }
        AttackMetrics offline = a.fullConfidences().rmiaOffline();
        if (offline != null) {
            put(n, "rmia_offline_auc", offline.auc());
            putInterval(n, "rmia_offline_auc_ci", offline.aucLower(), offline.aucUpper());
            put(n, "rmia_offline_a", a.fullConfidences().rmiaOfflineA());
            n.set("rmia_offline_tpr_at_fpr", tprAtFpr(offline));
        } else {
            for (String key : new String[] {"rmia_offline_auc", "rmia_offline_auc_ci", "rmia_offline_a",
                    "rmia_offline_tpr_at_fpr"}) {
                n.putNull(key);
            }
            n.put("rmia_offline_note", OFFLINE_RMIA_NOTE);
        }
        n.set("lira_tpr_at_fpr", tprAtFpr(lira));
        ObjectNode bound = n.putObject("roc_bound");
        for (double f : AttackMetrics.TARGET_FPRS) {
            put(bound, label(f), a.rocBound() == null ? 1.0 : a.rocBound().tprAt(f));
        }
        bound.put("source", a.rocBound() == null ? "no guarantee: any TPR up to 1" : a.rocBound().source());
        put(n, "epsilon_lower_bound_gdp", a.epsilonLowerBoundGdp());
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
        if (a.shadowNote() != null) {
            n.put("shadow_models_note", a.shadowNote());
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
            if (r.rmia() != null) {
                p.set("rmia", attack(r.rmia()));
            }
            if (r.rmiaOffline() != null) {
                ObjectNode offlineNode = attack(r.rmiaOffline());
                put(offlineNode, "a", r.rmiaOfflineA());
                p.set("rmia_offline", offlineNode);
            }
        }
        ObjectNode one = n.putObject("one_run_audit");
        put(one, "epsilon_lower_bound", a.oneRun().epsilon());
        one.put("canaries", a.oneRun().canaries());
        one.put("guesses", a.oneRun().guesses());
        one.put("correct", a.oneRun().correct());
        if (a.oneRunGdp() != null) {
            ObjectNode gdp = n.putObject("one_run_audit_gdp");
            put(gdp, "epsilon_lower_bound", a.oneRunGdp().epsilon());
            gdp.put("canaries", a.oneRunGdp().canaries());
            gdp.put("guesses", a.oneRunGdp().guesses());
            gdp.put("correct", a.oneRunGdp().correct());
        }
        ArrayNode slices = n.putArray("membership_by_class");
        for (ClassSlice c : a.classSlices()) {
            ObjectNode e = slices.addObject();
            e.put("class", c.label());
            e.put("members", c.members());
            e.put("non_members", c.nonMembers());
            put(e, "test_accuracy", c.testAccuracy());
            put(e, "lira_auc", c.liraAuc());
            putInterval(e, "lira_auc_ci", c.liraAucLower(), c.liraAucUpper());
            put(e, "rmia_auc", c.rmiaAuc());
            put(e, "auc_null_half_width", c.aucNullHalfWidth());
        }
        HalfImageCompletion hc = a.completion();
        if (hc != null) {
            ObjectNode e = n.putObject("inversion_half_image_completion");
            put(e, "member_gain", hc.memberGain());
            put(e, "non_member_gain", hc.nonMemberGain());
            put(e, "member_gap", hc.memberGap());
            putInterval(e, "member_gap_ci", hc.memberGapLower(), hc.memberGapUpper());
            put(e, "prior_mse", hc.priorMse());
            e.put("iterations", hc.iterations());
        }
        if (a.rocBound() != null) {
            ObjectNode curve = n.putObject("roc_bound_curve");
            ArrayNode fpr = curve.putArray("fpr");
            ArrayNode tpr = curve.putArray("tpr");
            double[] f = a.rocBound().curveFalsePositiveRates();
            double[] t = a.rocBound().curveTruePositiveRates();
            for (int i = 0; i < f.length; i++) {
                fpr.add(f[i]);
                tpr.add(t[i]);
            }
        }
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

    /**
     * Held-out TPR at 10%, 1% and 0.1% FPR with 95% Clopper&ndash;Pearson intervals; null (with a
     * note) where the sample does not resolve the FPR.
     */
    static ObjectNode tprAtFpr(AttackMetrics m) {
        ObjectNode n = MAPPER.createObjectNode();
        for (AttackMetrics.TprAtFpr t : m.tprAtFpr()) {
            String key = label(t.targetFpr());
            if (t.resolvable()) {
                ObjectNode e = n.putObject(key);
                put(e, "tpr", t.tpr());
                long k = Math.round(t.tpr() * m.members());
                putInterval(e, "tpr_ci", BinomialIntervals.clopperPearsonLower(k, m.members(), 0.05),
                        BinomialIntervals.clopperPearsonUpper(k, m.members(), 0.05));
                put(e, "achieved_fpr", t.achievedFpr());
            } else {
                n.putNull(key);
            }
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
