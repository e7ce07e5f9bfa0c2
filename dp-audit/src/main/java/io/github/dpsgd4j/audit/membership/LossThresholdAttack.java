package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;

/**
 * The loss-threshold attack of Yeom et al. (2018, section 3.2): "member" iff the model's loss on
 * the example is at most a threshold tau. The score returned is -loss, so that the usual sweep over
 * thresholds (and a held-out choice of tau) applies. Through {@link OutputPolicy#labelOnly()} it
 * becomes the gap attack ("member" iff correctly classified). Stateless and thread-safe.
 */
public final class LossThresholdAttack {

    private LossThresholdAttack() {
    }

    /**
     * Membership scores -loss(x, y) as the attacker computes them from the model's responses.
     *
     * @param logits [n][K] the model's logits; not modified
     * @param labels [n] true classes
     * @param policy what the attacker sees
     */
    public static double[] scores(double[][] logits, int[] labels, OutputPolicy policy) {
        Checks.notNull("logits", logits);
        Checks.notNull("labels", labels);
        Checks.notNull("policy", policy);
        Checks.equalTo("labels.length", labels.length, "logits.length", logits.length);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = -policy.loss(logits[i], labels[i]);
        }
        return out;
    }
}
