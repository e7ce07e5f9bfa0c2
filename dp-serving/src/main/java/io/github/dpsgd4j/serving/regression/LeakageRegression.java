package io.github.dpsgd4j.serving.regression;

import io.github.dpsgd4j.audit.AuditData;
import io.github.dpsgd4j.audit.AuditSettings;
import io.github.dpsgd4j.audit.ModelAudit;
import io.github.dpsgd4j.audit.QuickAudit;
import io.github.dpsgd4j.audit.membership.LossThresholdAttack;
import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.model.TrainingRecipe;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.common.Checks;

import java.util.Locale;

/**
 * Leakage checks to run in a build after every retraining, so that leakage cannot rise silently:
 * <pre>{@code
 * TrainedModel model = recipe.train(data.members(), seed);
 * LeakageRegression.lossAttack(model, data, LeakageBound.epsilonCap(model.epsilon(), model.delta()))
 *         .assertWithinBound();
 * }</pre>
 * {@link #lossAttack} is cheap (one forward pass over the pool); {@link #quickAudit} runs dp-audit's
 * quick audit (LiRA with shadow models trained by the recipe: stronger, slower). Both measure the
 * AUC of membership inference on {@code data}'s true members and non-members.
 *
 * <p>Stateless and thread-safe (the audits are not: do not audit one network from two threads).
 */
public final class LeakageRegression {

    private LeakageRegression() {
    }

    /**
     * One measurement against its bound.
     *
     * @param attack  which attack measured it
     * @param metrics the measurement
     * @param limit   the largest AUC accepted
     * @param bound   the bound it came from
     */
    public record Check(String attack, AttackMetrics metrics, double limit, LeakageBound bound) {

        /** Whether the measured AUC is at most the limit. */
        public boolean withinBound() {
            return metrics.auc() <= limit;
        }

        /**
         * Does nothing when within the bound.
         *
         * @throws AssertionError saying what was measured and the bound it exceeded
         */
        public void assertWithinBound() {
            if (!withinBound()) {
                throw new AssertionError(String.format(Locale.ROOT,
                        "membership leakage regression: %s AUC %.4f (95%% CI %.4f to %.4f, %d members, %d "
                                + "non-members) exceeds %s = %.4f",
                        attack, metrics.auc(), metrics.aucLower(), metrics.aucUpper(), metrics.members(),
                        metrics.nonMembers(), bound.describe(metrics), limit));
            }
        }
    }

    /**
     * The loss-threshold attack (Yeom et al. 2018) with full confidences.
     *
     * @param model the trained model
     * @param data  the pool and the model's true membership (at least 2 members and 2 non-members)
     * @param bound the bound
     */
    public static Check lossAttack(TrainedModel model, AuditData data, LeakageBound bound) {
        Checks.notNull("model", model);
        Checks.notNull("data", data);
        Checks.notNull("bound", bound);
        double[][] logits = Dl4jClassifier.of(model.network()).logits(data.pool().getFeatures());
        double[] scores = LossThresholdAttack.scores(logits, data.labels(), OutputPolicy.fullConfidences());
        boolean[] member = data.member();
        int in = 0;
        for (boolean b : member) {
            in += b ? 1 : 0;
        }
        double[] members = new double[in];
        double[] nonMembers = new double[member.length - in];
        for (int i = 0, a = 0, b = 0; i < member.length; i++) {
            if (member[i]) {
                members[a++] = scores[i];
            } else {
                nonMembers[b++] = scores[i];
            }
        }
        AttackMetrics m = AttackMetrics.evaluate(members, nonMembers, 1);
        return new Check("loss-threshold", m, bound.aucLimit(m), bound);
    }

    /**
     * dp-audit's quick audit; the check is on the LiRA (online, full confidences) AUC.
     *
     * @param recipe   how the model was trained (the shadows are trained the same way)
     * @param settings audit settings, e.g. {@code AuditSettings.quick()}
     */
    public static Check quickAudit(TrainedModel model, TrainingRecipe recipe, AuditData data, AuditSettings settings,
                                   LeakageBound bound) {
        Checks.notNull("bound", bound);
        ModelAudit audit = QuickAudit.audit("regression", model, recipe, data, settings);
        AttackMetrics m = audit.fullConfidences().liraOnline();
        return new Check("LiRA", m, bound.aucLimit(m), bound);
    }
}
