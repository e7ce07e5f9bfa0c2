package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.audit.epsilon.GradientCanaryAudit;
import io.github.dpsgd4j.audit.epsilon.OneRunAudit;
import io.github.dpsgd4j.audit.inversion.HalfImageCompletion;
import io.github.dpsgd4j.audit.inversion.InversionMetrics;
import io.github.dpsgd4j.audit.inversion.Reconstruction;
import io.github.dpsgd4j.audit.membership.ClassSlice;
import io.github.dpsgd4j.audit.membership.MembershipAudit;
import io.github.dpsgd4j.audit.stats.PrivacyCaps;
import io.github.dpsgd4j.audit.stats.RocBound;

import java.util.List;
import java.util.Map;

/**
 * Everything measured about one model.
 *
 * @param name              "non_private", "private" or the user's label
 * @param epsilon           the model's certified epsilon (+infinity without DP)
 * @param delta             its delta (0 without DP)
 * @param caps              caps implied by (epsilon, delta)
 * @param trainAccuracy     accuracy on members
 * @param testAccuracy      accuracy on non-members (never trained on)
 * @param membership        attacks through each output policy, full confidences first
 * @param oneRun            one-run epsilon lower bound from the LiRA scores (full confidences)
 * @param inversion         white-box MI-Face metrics
 * @param reconstructions   white-box MI-Face reconstructions, one per class
 * @param blackBoxInversion black-box MI-Face metrics per policy name (empty if not run)
 * @param blackBoxReconstructions black-box reconstructions per policy name
 * @param gradientCanary    gradient-canary check of the model's DP-SGD settings, or null
 * @param memberCount       members in the pool
 * @param nonMemberCount    non-members in the pool
 * @param seconds           wall-clock time of training and audit
 * @param phaseSeconds      wall-clock seconds per phase (target_training, membership_inference
 *                          with shadow training, white_box_inversion, black_box_inversion,
 *                          gradient_canary)
 * @param rocBound          the accountant's ROC bound for this model (null without a guarantee)
 * @param oneRunGdp         the Gaussian-DP one-run lower bound from the LiRA scores (null if not run)
 * @param classSlices       LiRA and RMIA by class (full confidences)
 * @param completion        half-image completion of individuals, members vs non-members (null if not run)
 * @param shadowNote        how the shadow models (and a target trained by the same recipe) were certified,
 *                          from {@link io.github.dpsgd4j.audit.model.TrainingRecipe#shadowCertificationNote()};
 *                          null when each model was certified on its own
 */
public record ModelAudit(String name, double epsilon, double delta, PrivacyCaps caps, double trainAccuracy,
                         double testAccuracy, List<MembershipAudit.Result> membership, OneRunAudit.Result oneRun,
                         InversionMetrics inversion, List<Reconstruction> reconstructions,
                         Map<String, InversionMetrics> blackBoxInversion,
                         Map<String, List<Reconstruction>> blackBoxReconstructions,
                         GradientCanaryAudit.Result gradientCanary, int memberCount, int nonMemberCount,
                         double seconds, Map<String, Double> phaseSeconds, RocBound rocBound,
                         OneRunAudit.Result oneRunGdp, List<ClassSlice> classSlices, HalfImageCompletion completion,
                         String shadowNote) {

    public ModelAudit {
        phaseSeconds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(phaseSeconds));
        classSlices = classSlices == null ? List.of() : List.copyOf(classSlices);
    }

    /** The audit of version 0.1.0 (no ROC bound, GDP bound, class slices or completion). */
    public ModelAudit(String name, double epsilon, double delta, PrivacyCaps caps, double trainAccuracy,
                      double testAccuracy, List<MembershipAudit.Result> membership, OneRunAudit.Result oneRun,
                      InversionMetrics inversion, List<Reconstruction> reconstructions,
                      Map<String, InversionMetrics> blackBoxInversion,
                      Map<String, List<Reconstruction>> blackBoxReconstructions,
                      GradientCanaryAudit.Result gradientCanary, int memberCount, int nonMemberCount,
                      double seconds, Map<String, Double> phaseSeconds) {
        this(name, epsilon, delta, caps, trainAccuracy, testAccuracy, membership, oneRun, inversion, reconstructions,
                blackBoxInversion, blackBoxReconstructions, gradientCanary, memberCount, nonMemberCount, seconds,
                phaseSeconds, null, null, List.of(), null, null);
    }

    /** RMIA AUC through full confidences (NaN if RMIA was not run). */
    public double rmiaAuc() {
        return fullConfidences().rmia() == null ? Double.NaN : fullConfidences().rmia().auc();
    }

    /** Offline RMIA AUC through full confidences (NaN with fewer than 4 shadow models: not run). */
    public double rmiaOfflineAuc() {
        return fullConfidences().rmiaOffline() == null ? Double.NaN : fullConfidences().rmiaOffline().auc();
    }

    /** The Gaussian-DP one-run epsilon lower bound (95%), NaN if not run. */
    public double epsilonLowerBoundGdp() {
        return oneRunGdp == null ? Double.NaN : oneRunGdp.epsilon();
    }

    /** The attacks through full confidences (the headline numbers). */
    public MembershipAudit.Result fullConfidences() {
        return membership.get(0);
    }

    /** LiRA (online, fixed variance) AUC through full confidences. */
    public double liraAuc() {
        return fullConfidences().liraOnline().auc();
    }

    /** Loss-threshold attack AUC through full confidences. */
    public double lossAuc() {
        return fullConfidences().loss().auc();
    }

    /** Fraction of classes whose white-box reconstruction is nearest its own member class mean. */
    public double inversionIdentificationRate() {
        return inversion.identificationRate();
    }

    /** Member-vs-non-member distance gap of the white-box reconstructions (negative: closer to members). */
    public double inversionMemberGap() {
        return inversion.memberGap();
    }

    /** The one-run empirical epsilon lower bound (95%) from black-box LiRA scores. */
    public double epsilonLowerBound() {
        return oneRun.epsilon();
    }
}
