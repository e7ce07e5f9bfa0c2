package io.github.dpsgd4j.audit.stats;

import io.github.dpsgd4j.common.Checks;

import org.apache.commons.math3.stat.StatUtils;

import java.util.Arrays;

/**
 * The ROC curve of a membership score: "member" is predicted when {@code score >= threshold}, and
 * the curve has one point per distinct score (tied scores move together), from (0, 0) to (1, 1).
 * Higher scores must mean "more likely a member".
 *
 * <p>AUC is the Mann&ndash;Whitney statistic U / (n<sub>in</sub> n<sub>out</sub>), ties counting
 * one half, which equals the trapezoid area under the tie-grouped curve (Hanley and McNeil 1982,
 * "The meaning and use of the area under a ROC curve", Radiology 143). Its standard error is
 * DeLong's (DeLong, DeLong and Clarke-Pearson 1988, "Comparing the areas under two or more
 * correlated ROC curves", Biometrics 44), computed from mid-ranks.
 *
 * <p>Immutable and thread-safe. Score arrays are copied; NaN scores are rejected.
 */
public final class RocCurve {

    private final int members;
    private final int nonMembers;
    private final double[] falsePositiveRates;
    private final double[] truePositiveRates;
    private final double[] thresholds;
    private final double auc;
    private final double aucStandardError;

    private RocCurve(double[] memberScores, double[] nonMemberScores) {
        this.members = memberScores.length;
        this.nonMembers = nonMemberScores.length;
        int n = members + nonMembers;
        double[] scores = new double[n];
        boolean[] isMember = new boolean[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            scores[i] = i < members ? memberScores[i] : nonMemberScores[i - members];
            isMember[i] = i < members;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        double[] fpr = new double[n + 2];
        double[] tpr = new double[n + 2];
        double[] thr = new double[n + 2];
        int points = 1;
        thr[0] = Double.POSITIVE_INFINITY;
        int tp = 0;
        int fp = 0;
        for (int k = 0; k < n; ) {
            double s = scores[order[k]];
            while (k < n && scores[order[k]] == s) {
                if (isMember[order[k]]) {
                    tp++;
                } else {
                    fp++;
                }
                k++;
            }
            fpr[points] = (double) fp / nonMembers;
            tpr[points] = (double) tp / members;
            thr[points] = s;
            points++;
        }
        this.falsePositiveRates = Arrays.copyOf(fpr, points);
        this.truePositiveRates = Arrays.copyOf(tpr, points);
        this.thresholds = Arrays.copyOf(thr, points);

        // Mid-ranks (ascending) over all, over members only and over non-members only.
        double[] rankAll = midRanks(scores);
        double[] rankIn = midRanks(Arrays.copyOf(memberScores, members));
        double[] rankOut = midRanks(Arrays.copyOf(nonMemberScores, nonMembers));
        double sumRankIn = 0;
        double[] v10 = new double[members];
        for (int i = 0; i < members; i++) {
            sumRankIn += rankAll[i];
            v10[i] = (rankAll[i] - rankIn[i]) / nonMembers;
        }
        double[] v01 = new double[nonMembers];
        for (int j = 0; j < nonMembers; j++) {
            v01[j] = 1 - (rankAll[members + j] - rankOut[j]) / members;
        }
        this.auc = (sumRankIn - members * (members + 1) / 2.0) / ((double) members * nonMembers);
        double variance = (members > 1 ? StatUtils.variance(v10) / members : 0)
                + (nonMembers > 1 ? StatUtils.variance(v01) / nonMembers : 0);
        this.aucStandardError = Math.sqrt(variance);
    }

    /**
     * The ROC curve of the given scores.
     *
     * @param memberScores    scores of members, at least one, no NaN; not modified
     * @param nonMemberScores scores of non-members, at least one, no NaN; not modified
     */
    public static RocCurve of(double[] memberScores, double[] nonMemberScores) {
        check("memberScores", memberScores);
        check("nonMemberScores", nonMemberScores);
        return new RocCurve(memberScores.clone(), nonMemberScores.clone());
    }

    static void check(String name, double[] scores) {
        Checks.notNull(name, scores);
        if (scores.length == 0) {
            throw new IllegalArgumentException(name + " must hold at least one score, got none");
        }
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] must not be NaN, got NaN");
            }
        }
    }

    static double[] midRanks(double[] values) {
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[n];
        for (int k = 0; k < n; ) {
            int end = k;
            while (end + 1 < n && values[order[end + 1]] == values[order[k]]) {
                end++;
            }
            double mid = (k + end) / 2.0 + 1;
            for (int t = k; t <= end; t++) {
                ranks[order[t]] = mid;
            }
            k = end + 1;
        }
        return ranks;
    }


    /** Number of members scored. */
    public int members() {
        return members;
    }

    /** Number of non-members scored. */
    public int nonMembers() {
        return nonMembers;
    }

    /** False positive rates of the curve's points, ascending from 0 to 1. A copy. */
    public double[] falsePositiveRates() {
        return falsePositiveRates.clone();
    }

    /** True positive rates of the curve's points, ascending from 0 to 1. A copy. */
    public double[] truePositiveRates() {
        return truePositiveRates.clone();
    }

    /** The threshold of each point ({@code score >= threshold} means member; +infinity at (0, 0)). A copy. */
    public double[] thresholds() {
        return thresholds.clone();
    }

    /** Area under the curve in [0, 1] (Mann&ndash;Whitney, ties count 1/2); 0.5 is chance. */
    public double auc() {
        return auc;
    }

    /** DeLong's standard error of {@link #auc()}; 0 when both groups have one score. */
    public double aucStandardError() {
        return aucStandardError;
    }

    /**
     * A two-sided normal confidence interval for AUC from DeLong's standard error, clipped to
     * [0, 1].
     *
     * @param confidence in (0, 1), for example 0.95
     * @return {lower, upper}
     */
    public double[] aucConfidenceInterval(double confidence) {
        double z = Normal.quantile(1 - (1 - Checks.openUnitInterval("confidence", confidence)) / 2);
        return new double[] {Math.max(0, auc - z * aucStandardError), Math.min(1, auc + z * aucStandardError)};
    }

    /**
     * The half-width of the 95% band of AUC around 0.5 when scores carry no membership
     * information: 1.96 sqrt((n1 + n2 + 1) / (12 n1 n2)) (the null variance of Mann&ndash;Whitney
     * without ties).
     */
    public double aucNullHalfWidth95() {
        return 1.959963984540054 * Math.sqrt((members + nonMembers + 1.0) / (12.0 * members * nonMembers));
    }

    /**
     * The largest true positive rate at a false positive rate of at most {@code fpr} (in-sample:
     * the threshold is read from the same scores; see {@link HeldOutThresholds} for honest values).
     */
    public double tprAtFpr(double fpr) {
        Checks.probability("fpr", fpr);
        double best = 0;
        for (int i = 0; i < falsePositiveRates.length; i++) {
            if (falsePositiveRates[i] <= fpr) {
                best = Math.max(best, truePositiveRates[i]);
            }
        }
        return best;
    }

    /** max over thresholds of TPR - FPR, in [0, 1] (in-sample; optimistic by about its null quantile). */
    public double maxAdvantage() {
        double best = 0;
        for (int i = 0; i < falsePositiveRates.length; i++) {
            best = Math.max(best, truePositiveRates[i] - falsePositiveRates[i]);
        }
        return best;
    }

    /**
     * The 95% quantile of {@link #maxAdvantage()} when scores carry no membership information:
     * 1.36 sqrt(1/n1 + 1/n2), the asymptotic two-sample Kolmogorov&ndash;Smirnov critical value.
     */
    public double maxAdvantageNull95() {
        return nullAdvantage95(members, nonMembers);
    }

    /** 1.36 sqrt(1/n1 + 1/n2): see {@link #maxAdvantageNull95()}. */
    public static double nullAdvantage95(int members, int nonMembers) {
        return 1.3581 * Math.sqrt(1.0 / members + 1.0 / nonMembers);
    }
}
