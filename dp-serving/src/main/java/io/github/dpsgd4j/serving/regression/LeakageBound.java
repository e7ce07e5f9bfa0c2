package io.github.dpsgd4j.serving.regression;

import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.audit.stats.PrivacyCaps;
import io.github.dpsgd4j.common.Checks;

import java.util.Locale;

/**
 * The largest membership AUC a regression check accepts.
 *
 * @param kind  how the limit is formed
 * @param value the threshold for {@link Kind#MAX_AUC}; epsilon for {@link Kind#EPSILON_CAP}; unused otherwise
 * @param delta delta for {@link Kind#EPSILON_CAP}; unused otherwise
 */
public record LeakageBound(Kind kind, double value, double delta) {

    /** How the limit is formed. */
    public enum Kind {
        /**
         * The AUC cap e<sup>epsilon</sup> / (1 + e<sup>epsilon</sup>) implied by the model's
         * epsilon, plus the 95% null half-width of the measurement (sampling allowance). Exceeding it
         * means the model leaks more than its guarantee allows: a bug.
         */
        EPSILON_CAP,
        /** A user's threshold on the measured AUC (for example last release's value plus a margin). */
        MAX_AUC,
        /** 0.5 + the 95% null half-width: no leakage distinguishable from chance. */
        NULL_BAND
    }

    public LeakageBound {
        Checks.notNull("kind", kind);
        if (kind == Kind.EPSILON_CAP) {
            Checks.nonNegative("epsilon", value);
            Checks.probability("delta", delta);
        }
        if (kind == Kind.MAX_AUC) {
            Checks.inClosedRange("maxAuc", value, 0.5, 1);
        }
    }

    /** The cap implied by (epsilon, delta) (see {@link Kind#EPSILON_CAP}). */
    public static LeakageBound epsilonCap(double epsilon, double delta) {
        return new LeakageBound(Kind.EPSILON_CAP, epsilon, delta);
    }

    /** A fixed AUC threshold in [0.5, 1]. */
    public static LeakageBound maxAuc(double auc) {
        return new LeakageBound(Kind.MAX_AUC, auc, 0);
    }

    /** No leakage beyond chance (see {@link Kind#NULL_BAND}). */
    public static LeakageBound nullBand() {
        return new LeakageBound(Kind.NULL_BAND, Double.NaN, 0);
    }

    /** The AUC limit for a measurement (the sampling allowance depends on its sample sizes). */
    public double aucLimit(AttackMetrics m) {
        Checks.notNull("metrics", m);
        return switch (kind) {
            case EPSILON_CAP -> Math.min(1, new PrivacyCaps(value, delta).maxAuc() + m.aucNullHalfWidth());
            case MAX_AUC -> value;
            case NULL_BAND -> 0.5 + m.aucNullHalfWidth();
        };
    }

    /** A phrase for failure messages. */
    public String describe(AttackMetrics m) {
        return switch (kind) {
            case EPSILON_CAP -> String.format(Locale.ROOT, "the AUC cap %.4f of epsilon = %s plus the sampling "
                    + "allowance %.4f", new PrivacyCaps(value, delta).maxAuc(), value, m.aucNullHalfWidth());
            case MAX_AUC -> String.format(Locale.ROOT, "the threshold %.4f", value);
            case NULL_BAND -> String.format(Locale.ROOT, "the no-leakage band 0.5 + %.4f", m.aucNullHalfWidth());
        };
    }
}
