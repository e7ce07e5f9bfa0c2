package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.audit.inversion.MiFaceConfig;
import io.github.dpsgd4j.audit.membership.VarianceMode;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;

import java.util.List;

/**
 * What an audit runs and how hard it tries.
 *
 * @param shadowModels         LiRA shadow models, even and >= 2 (16 standard, 8 quick)
 * @param variance             LiRA variance mode (fixed is right below ~64 shadows)
 * @param miFace               MI-Face settings for the white-box reconstruction
 * @param blackBoxIterations   MI-Face iterations for each black-box policy (0: no black-box inversion)
 * @param policies             output policies to attack through; the first must be
 *                             {@link OutputPolicy#fullConfidences()} (the headline numbers)
 * @param gradientCanaryRuns   runs per world of the gradient-canary check of a private model's
 *                             DP-SGD settings (0: skip)
 * @param delta                delta for bounds and caps, in (0, 1)
 * @param seed                 the auditor's seed (shadow splits, folds, permutations)
 */
public record AuditSettings(int shadowModels, VarianceMode variance, MiFaceConfig miFace, int blackBoxIterations,
                            List<OutputPolicy> policies, int gradientCanaryRuns, double delta, long seed) {

    public AuditSettings {
        if (shadowModels < 2 || shadowModels % 2 != 0) {
            throw new IllegalArgumentException("shadowModels must be even and >= 2, got " + shadowModels);
        }
        Checks.notNull("variance", variance);
        Checks.notNull("miFace", miFace);
        Checks.nonNegative("blackBoxIterations", blackBoxIterations);
        Checks.notNull("policies", policies);
        policies = List.copyOf(policies);
        if (policies.isEmpty() || !(policies.get(0) instanceof OutputPolicy.FullConfidences)) {
            throw new IllegalArgumentException("policies must start with full confidences, got " + policies);
        }
        Checks.nonNegative("gradientCanaryRuns", gradientCanaryRuns);
        Checks.openUnitInterval("delta", delta);
    }

    /**
     * The standard audit: 16 shadows, MI-Face with the paper's settings capped at 2,000
     * iterations and a target confidence of 0.99999 (at 0.99 a wide MLP is satisfied after a few
     * steps by a faint, adversarial-looking image), black-box inversion (300 iterations) through
     * top-1, round-2 and label-only outputs (with full confidences it reproduces the white-box
     * search), a 40-run gradient-canary check, delta = 1e-5.
     */
    public static AuditSettings standard() {
        return new AuditSettings(16, VarianceMode.FIXED,
                MiFaceConfig.paper().withMaxIterations(2000).withTargetConfidence(0.99999), 300,
                List.of(OutputPolicy.fullConfidences(), OutputPolicy.topK(1), OutputPolicy.rounded(2),
                        OutputPolicy.labelOnly()), 40, 1e-5, 1);
    }

    /**
     * A quick audit for demos (seconds on digits): 8 shadows, 1,000 MI-Face iterations (target
     * confidence 0.99999), no black-box inversion, no gradient-canary check, full and label-only outputs.
     */
    public static AuditSettings quick() {
        return new AuditSettings(8, VarianceMode.FIXED,
                MiFaceConfig.paper().withMaxIterations(1000).withTargetConfidence(0.99999), 0,
                List.of(OutputPolicy.fullConfidences(), OutputPolicy.labelOnly()), 0, 1e-5, 1);
    }

    /** A copy with another number of shadow models. */
    public AuditSettings withShadowModels(int value) {
        return new AuditSettings(value, variance, miFace, blackBoxIterations, policies, gradientCanaryRuns, delta, seed);
    }

    /** A copy with other MI-Face settings. */
    public AuditSettings withMiFace(MiFaceConfig value) {
        return new AuditSettings(shadowModels, variance, value, blackBoxIterations, policies, gradientCanaryRuns, delta,
                seed);
    }

    /** A copy with another black-box iteration count. */
    public AuditSettings withBlackBoxIterations(int value) {
        return new AuditSettings(shadowModels, variance, miFace, value, policies, gradientCanaryRuns, delta, seed);
    }

    /** A copy with other policies. */
    public AuditSettings withPolicies(List<OutputPolicy> value) {
        return new AuditSettings(shadowModels, variance, miFace, blackBoxIterations, value, gradientCanaryRuns, delta,
                seed);
    }

    /** A copy with another number of gradient-canary runs. */
    public AuditSettings withGradientCanaryRuns(int value) {
        return new AuditSettings(shadowModels, variance, miFace, blackBoxIterations, policies, value, delta, seed);
    }

    /** A copy with another delta. */
    public AuditSettings withDelta(double value) {
        return new AuditSettings(shadowModels, variance, miFace, blackBoxIterations, policies, gradientCanaryRuns, value,
                seed);
    }

    /** A copy with another seed. */
    public AuditSettings withSeed(long value) {
        return new AuditSettings(shadowModels, variance, miFace, blackBoxIterations, policies, gradientCanaryRuns, delta,
                value);
    }
}
