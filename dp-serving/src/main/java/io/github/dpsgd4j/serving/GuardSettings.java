package io.github.dpsgd4j.serving;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.serving.limits.QueryLimits;
import io.github.dpsgd4j.serving.probing.ProbingSettings;

import java.util.Optional;

/**
 * What a {@link ServingGuard} enforces.
 *
 * @param policy   what each answer releases
 * @param limits   rate limit and query budget per client
 * @param probing  probing detection, or null for none
 * @param maxBatch most rows in one request, {@code >= 1}; at most the rate limit's burst (a larger
 *                 batch could never be served)
 */
public record GuardSettings(OutputPolicy policy, QueryLimits limits, ProbingSettings probing, int maxBatch) {

    public GuardSettings {
        Checks.notNull("policy", policy);
        Checks.notNull("limits", limits);
        Checks.positive("maxBatch", maxBatch);
        if (limits.rate() != null && maxBatch > limits.rate().burst()) {
            throw new IllegalArgumentException("maxBatch must be <= the rate limit's burst " + limits.rate().burst()
                    + ", got " + maxBatch + "; raise the burst or lower the batch size");
        }
    }

    /** No guard but the policy: no limits, no probing detection, batches of up to 256 rows. */
    public static GuardSettings policyOnly(OutputPolicy policy) {
        return new GuardSettings(policy, QueryLimits.unlimited(), null, 256);
    }

    /** The probing settings, if detection is on. */
    public Optional<ProbingSettings> probingSettings() {
        return Optional.ofNullable(probing);
    }

    /** A copy with other limits. */
    public GuardSettings withLimits(QueryLimits value) {
        return new GuardSettings(policy, value, probing, maxBatch);
    }

    /** A copy with other probing settings (null: off). */
    public GuardSettings withProbing(ProbingSettings value) {
        return new GuardSettings(policy, limits, value, maxBatch);
    }

    /** A copy with another policy. */
    public GuardSettings withPolicy(OutputPolicy value) {
        return new GuardSettings(value, limits, probing, maxBatch);
    }

    /** A copy with another batch limit. */
    public GuardSettings withMaxBatch(int value) {
        return new GuardSettings(policy, limits, probing, value);
    }
}
