package io.github.dpsgd4j.audit.model;

import io.github.dpsgd4j.audit.stats.PrivacyCaps;
import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A trained model and the (epsilon, delta) guarantee its training is certified for.
 *
 * @param network the model, not null
 * @param epsilon {@code >= 0}; +infinity for a model trained without differential privacy
 * @param delta   in [0, 1]; 0 for a model trained without differential privacy
 * @param dpSgd   the DP-SGD settings it was trained with, or null (non-private, or unknown)
 */
public record TrainedModel(MultiLayerNetwork network, double epsilon, double delta, DpSgdRun dpSgd) {

    public TrainedModel {
        Checks.notNull("network", network);
        Checks.nonNegative("epsilon", epsilon);
        Checks.probability("delta", delta);
    }

    /** A model trained without differential privacy (epsilon infinite). */
    public static TrainedModel nonPrivate(MultiLayerNetwork network) {
        return new TrainedModel(network, Double.POSITIVE_INFINITY, 0, null);
    }

    /**
     * The DP-SGD settings of a private training run (what a gradient-canary audit replays).
     *
     * @param l2NormClip      C
     * @param noiseMultiplier sigma
     * @param sampleRate      q
     * @param steps           T
     */
    public record DpSgdRun(double l2NormClip, double noiseMultiplier, double sampleRate, long steps) {
    }

    /** Whether the model carries a finite guarantee. */
    public boolean isPrivate() {
        return Double.isFinite(epsilon);
    }

    /** The caps on attacks implied by the guarantee. */
    public PrivacyCaps caps() {
        return new PrivacyCaps(epsilon, delta);
    }
}
