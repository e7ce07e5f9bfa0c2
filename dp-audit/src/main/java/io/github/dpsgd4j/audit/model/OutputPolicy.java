package io.github.dpsgd4j.audit.model;

import io.github.dpsgd4j.common.Checks;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a served model returns for a query: the closed set of output-hardening policies
 * (Fredrikson, Jha and Ristenpart 2015, "Model inversion attacks that exploit confidence
 * information and basic countermeasures", CCS, section 7: rounding confidences; Shokri et al.
 * 2017, section VI: top-k and label-only outputs).
 *
 * <p>{@link #release} maps a logit vector to the response vector of length K: probabilities, with
 * withheld entries as NaN ({@link TopK}), rounded ({@link RoundedConfidences}) or a one-hot label
 * ({@link LabelOnly}). The attacker-side statistics {@link #confidence}, {@link #logitScaledConfidence}
 * and {@link #loss} use only that response (with {@link FullConfidences}, the exact logits), so a
 * black-box attack run through a policy sees exactly what a client would.
 *
 * <p>Output hardening is not differential privacy: it raises the cost of confidence-based attacks
 * but leaves the label (and so label-only attacks) intact. Implementations are immutable records.
 */
public sealed interface OutputPolicy permits OutputPolicy.FullConfidences, OutputPolicy.TopK,
        OutputPolicy.RoundedConfidences, OutputPolicy.LabelOnly {

    /** All class probabilities at full double precision (no hardening). */
    static OutputPolicy fullConfidences() {
        return new FullConfidences();
    }

    /** The k largest probabilities; the others withheld. */
    static OutputPolicy topK(int k) {
        return new TopK(k);
    }

    /** All probabilities rounded to {@code digits} decimal digits. */
    static OutputPolicy rounded(int digits) {
        return new RoundedConfidences(digits);
    }

    /** The predicted label only. */
    static OutputPolicy labelOnly() {
        return new LabelOnly();
    }

    /**
     * Parses "full", "top-K", "round-D" or "label" (case-insensitive), as written by
     * {@link #name()}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    static OutputPolicy parse(String text) {
        Checks.notNull("policy", text);
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.equals("full")) {
                return fullConfidences();
            }
            if (s.equals("label") || s.equals("label-only")) {
                return labelOnly();
            }
            if (s.startsWith("top-")) {
                return topK(Integer.parseInt(s.substring(4)));
            }
            if (s.startsWith("round-")) {
                return rounded(Integer.parseInt(s.substring(6)));
            }
        } catch (NumberFormatException ex) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("policy must be one of full, top-K (K >= 1), round-D (D in [0, 15]), "
                + "label, got '" + text + "'");
    }

    /** A short stable name: "full", "top-3", "round-2", "label". */
    String name();

    /**
     * The response to a query whose logits are {@code logits}.
     *
     * @param logits length K >= 2, finite; not modified
     * @return a new array of length K
     */
    double[] release(double[] logits);

    /**
     * The smallest probability the attacker treats as distinguishable from 0 for this policy
     * (probabilities are clamped to [floor, 1 - floor] before taking logs).
     */
    double floor();

    /**
     * The attacker's estimate of p<sub>label</sub> from a response: the released value, or for a
     * withheld entry the unassigned mass spread evenly over the withheld classes.
     */
    default double confidence(double[] response, int label) {
        double p = response[label];
        if (!Double.isNaN(p)) {
            return p;
        }
        double known = 0;
        int withheld = 0;
        for (double v : response) {
            if (Double.isNaN(v)) {
                withheld++;
            } else {
                known += v;
            }
        }
        return Math.max(0, 1 - known) / withheld;
    }

    /**
     * The logit-scaled confidence log(p / (1 - p)) of the true label as the attacker computes it
     * from this policy's response (Carlini et al. 2022), with p clamped to [floor, 1 - floor].
     * {@link FullConfidences} overrides this with the exact value from the logits.
     */
    default double logitScaledConfidence(double[] logits, int label) {
        double p = clamp(confidence(release(logits), label));
        return Math.log(p) - Math.log1p(-p);
    }

    /** The cross-entropy -log p<sub>label</sub> as the attacker computes it from the response (clamped). */
    default double loss(double[] logits, int label) {
        return -Math.log(clamp(confidence(release(logits), label)));
    }

    private double clamp(double p) {
        double f = floor();
        return Math.min(1 - f, Math.max(f, p));
    }

    /** Every probability at double precision. */
    record FullConfidences() implements OutputPolicy {
        @Override
        public String name() {
            return "full";
        }

        @Override
        public double[] release(double[] logits) {
            return LogitMath.softmax(logits);
        }

        @Override
        public double floor() {
            return Double.MIN_NORMAL;
        }

        /** Exact: z<sub>y</sub> - logsumexp<sub>j != y</sub> z<sub>j</sub>. */
        @Override
        public double logitScaledConfidence(double[] logits, int label) {
            return LogitMath.logitScaledConfidence(logits, label);
        }

        /** Exact: logsumexp(z) - z<sub>y</sub>. */
        @Override
        public double loss(double[] logits, int label) {
            return LogitMath.crossEntropy(logits, label);
        }
    }

    /**
     * The k largest probabilities (ties broken by lower class index), others NaN.
     *
     * @param k >= 1
     */
    record TopK(int k) implements OutputPolicy {
        public TopK {
            Checks.positive("k", k);
        }

        @Override
        public String name() {
            return "top-" + k;
        }

        @Override
        public double[] release(double[] logits) {
            double[] p = LogitMath.softmax(logits);
            Integer[] order = new Integer[p.length];
            for (int j = 0; j < p.length; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
            double[] out = new double[p.length];
            Arrays.fill(out, Double.NaN);
            for (int r = 0; r < Math.min(k, p.length); r++) {
                out[order[r]] = p[order[r]];
            }
            return out;
        }

        @Override
        public double floor() {
            return 1e-12;
        }
    }

    /**
     * Probabilities rounded half-up to {@code digits} decimals (Fredrikson et al. 2015 round to
     * 0.01 to 0.1). The attacker's floor is half the last digit: 0.5 10<sup>-digits</sup>.
     *
     * @param digits in [0, 15]
     */
    record RoundedConfidences(int digits) implements OutputPolicy {
        public RoundedConfidences {
            if (digits < 0 || digits > 15) {
                throw new IllegalArgumentException("digits must be in [0, 15], got " + digits);
            }
        }

        @Override
        public String name() {
            return "round-" + digits;
        }

        @Override
        public double[] release(double[] logits) {
            double[] p = LogitMath.softmax(logits);
            double scale = Math.pow(10, digits);
            for (int j = 0; j < p.length; j++) {
                p[j] = Math.floor(p[j] * scale + 0.5) / scale;
            }
            return p;
        }

        @Override
        public double floor() {
            return 0.5 * Math.pow(10, -digits);
        }
    }

    /** A one-hot vector of the predicted class (argmax of the logits). */
    record LabelOnly() implements OutputPolicy {
        @Override
        public String name() {
            return "label";
        }

        @Override
        public double[] release(double[] logits) {
            double[] out = new double[logits.length];
            out[LogitMath.argmax(logits)] = 1;
            return out;
        }

        /** 0.25: a correct label reads as p = 0.75, a wrong one as 0.25 (any fixed value ranks alike). */
        @Override
        public double floor() {
            return 0.25;
        }
    }
}
