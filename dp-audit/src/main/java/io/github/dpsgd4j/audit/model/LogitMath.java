package io.github.dpsgd4j.audit.model;

/** Numerically stable softmax and log-sum-exp on double arrays. Arrays are not modified. Thread-safe. */
public final class LogitMath {

    private LogitMath() {
    }

    /** log sum_j exp(z_j) over all j except {@code skip} (-1 skips none); -infinity when nothing is left. */
    public static double logSumExp(double[] z, int skip) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < z.length; j++) {
            if (j != skip) {
                max = Math.max(max, z[j]);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int j = 0; j < z.length; j++) {
            if (j != skip) {
                sum += Math.exp(z[j] - max);
            }
        }
        return max + Math.log(sum);
    }

    /** softmax(z), in double. */
    public static double[] softmax(double[] z) {
        double lse = logSumExp(z, -1);
        double[] p = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            p[j] = Math.exp(z[j] - lse);
        }
        return p;
    }

    /**
     * The logit-scaled confidence of Carlini et al. (2022, section IV.C), log p<sub>y</sub> -
     * log sum<sub>j != y</sub> p<sub>j</sub>, computed exactly from logits as z<sub>y</sub> -
     * logsumexp<sub>j != y</sub> z<sub>j</sub> (no overflow, no rounding through probabilities).
     */
    public static double logitScaledConfidence(double[] logits, int label) {
        return logits[label] - logSumExp(logits, label);
    }

    /** Cross-entropy loss -log p<sub>y</sub> = logsumexp(z) - z<sub>y</sub>, exactly from logits. */
    public static double crossEntropy(double[] logits, int label) {
        return logSumExp(logits, -1) - logits[label];
    }

    /** Index of the largest entry (the first on ties). */
    public static int argmax(double[] values) {
        int best = 0;
        for (int j = 1; j < values.length; j++) {
            if (values[j] > values[best]) {
                best = j;
            }
        }
        return best;
    }
}
