package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;

import java.io.Serial;
import java.io.Serializable;

/**
 * What every task of a training run needs and what never changes during the run: the model's
 * blueprint (configuration and run identity), the layer rules, C, the non-finite policy, q and the
 * physical batch size. The driver broadcasts it once per run (tasks carry only its handle), so it is
 * not serialised again with every step. No parameters, no noise source, no ledger, no updater state.
 *
 * @param blueprint         the model's configuration and the run's identity
 * @param rules             the layer rules, in their travelling form
 * @param l2NormClip        C, {@code > 0}
 * @param policy            what happens to an example with a non-finite gradient norm
 * @param sampleRate        q in (0, 1]
 * @param physicalBatchSize the largest micro-batch an executor runs at once, {@code >= 1}
 */
record RunConstants(ModelBlueprint blueprint, ExecutorRules rules, double l2NormClip, NonFiniteNormPolicy policy,
                    double sampleRate, int physicalBatchSize) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
}
