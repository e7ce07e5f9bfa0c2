package io.github.dpsgd4j.audit.inversion;

import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.stats.BinomialIntervals;
import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attribute inference by maximum a posteriori search (Fredrikson et al. 2014, "Privacy in
 * pharmacogenetics", USENIX Security; the membership-dependent reading of Yeom et al. 2018,
 * section 4): the attacker knows a record's other features and its true label, and for each
 * candidate value v of the sensitive feature scores prior(v) x p<sub>model</sub>(y | x<sub>known</sub>, v),
 * guessing the argmax.
 *
 * <p>Accuracy above the prior baseline on <em>non-members</em> is population inference (a
 * correlation in the data), not a privacy failure of the model; the membership-dependent part is
 * the attribute advantage = accuracy on members - accuracy on non-members (Yeom et al. 2018),
 * reported with a 95% Newcombe interval. Stateless and thread-safe (the model is not).
 */
public final class AttributeInference {

    private AttributeInference() {
    }

    /** Encodes record {@code row} with the sensitive feature set to candidate {@code value}. */
    @FunctionalInterface
    public interface CandidateEncoder {
        /** Features of {@code row} with the sensitive value replaced by {@code value}. */
        double[] encode(int row, int value);
    }

    /**
     * The attack's outcome.
     *
     * @param memberAccuracy    fraction of members whose sensitive value was guessed
     * @param nonMemberAccuracy the same on non-members
     * @param priorBaseline     accuracy of always guessing the most likely value under the prior,
     *                          on members and non-members together
     * @param advantage         memberAccuracy - nonMemberAccuracy
     * @param advantageLower    95% Newcombe lower limit of the advantage
     * @param advantageUpper    95% Newcombe upper limit
     * @param members           members attacked
     * @param nonMembers        non-members attacked
     */
    public record Result(double memberAccuracy, double nonMemberAccuracy, double priorBaseline, double advantage,
                         double advantageLower, double advantageUpper, int members, int nonMembers) {
    }

    /**
     * Runs the attack.
     *
     * @param model        the target classifier
     * @param encoder      builds candidate feature vectors
     * @param prior        prior probability of each sensitive value (the attacker's population
     *                     knowledge), non-negative, not all 0
     * @param trueValues   [n] the actual sensitive value of each record (for scoring only)
     * @param labels       [n] the true label of each record (known to the attacker)
     * @param member       [n] whether each record was a training member
     */
    public static Result run(Dl4jClassifier model, CandidateEncoder encoder, double[] prior, int[] trueValues,
                             int[] labels, boolean[] member) {
        Checks.notNull("model", model);
        Checks.notNull("encoder", encoder);
        Checks.notNull("prior", prior);
        int n = trueValues.length;
        Checks.equalTo("labels.length", labels.length, "trueValues.length", n);
        Checks.equalTo("member.length", member.length, "trueValues.length", n);
        int values = prior.length;
        int mostLikely = 0;
        for (int v = 0; v < values; v++) {
            Checks.nonNegative("prior[" + v + "]", prior[v]);
            if (prior[v] > prior[mostLikely]) {
                mostLikely = v;
            }
        }
        if (!(prior[mostLikely] > 0)) {
            throw new IllegalArgumentException("prior must have a positive entry, got all zeros");
        }
        int d = encoder.encode(0, 0).length;
        int[] hits = new int[2];
        int[] totals = new int[2];
        int baselineHits = 0;
        double[] flat = new double[values * d];
        for (int i = 0; i < n; i++) {
            for (int v = 0; v < values; v++) {
                System.arraycopy(encoder.encode(i, v), 0, flat, v * d, d);
            }
            double[][] p = model.probabilities(Nd4j.createFromArray(flat).reshape(values, d).castTo(DataType.FLOAT));
            int guess = -1;
            double best = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < values; v++) {
                double score = prior[v] > 0 ? Math.log(prior[v]) + Math.log(p[v][labels[i]]) : Double.NEGATIVE_INFINITY;
                if (score > best) {
                    best = score;
                    guess = v;
                }
            }
            int group = member[i] ? 0 : 1;
            totals[group]++;
            if (guess == trueValues[i]) {
                hits[group]++;
            }
            if (trueValues[i] == mostLikely) {
                baselineHits++;
            }
        }
        if (totals[0] == 0 || totals[1] == 0) {
            throw new IllegalArgumentException("need at least one member and one non-member, got " + totals[0]
                    + " and " + totals[1]);
        }
        double accIn = (double) hits[0] / totals[0];
        double accOut = (double) hits[1] / totals[1];
        double[] ci = BinomialIntervals.newcombeDifference(hits[0], totals[0], hits[1], totals[1], 0.05);
        return new Result(accIn, accOut, (double) baselineHits / n, accIn - accOut, ci[0], ci[1], totals[0], totals[1]);
    }
}
