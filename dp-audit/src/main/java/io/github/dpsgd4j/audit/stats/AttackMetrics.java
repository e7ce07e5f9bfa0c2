package io.github.dpsgd4j.audit.stats;

import io.github.dpsgd4j.common.Shuffles;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The honest summary of one membership attack (Carlini et al. 2022, "Membership inference attacks
 * from first principles", IEEE S&amp;P, section III; Yeom et al. 2018 for the advantage):
 * AUC with a DeLong 95% interval and its null band, the in-sample maximal advantage with its
 * null 95% quantile, and threshold-dependent numbers (advantage, balanced accuracy, TPR at a
 * target FPR) whose thresholds are <em>chosen on held-out data</em>: scores are split at random
 * into two folds (members and non-members separately); each fold is evaluated with the thresholds
 * chosen on the other (midway between the selection fold's chosen score and the next lower one),
 * and the counts of both folds are added. TPR at FPR f is reported only
 * where the sample resolves it, f >= 10 / n<sub>non-members</sub>.
 *
 * @param auc                  Mann&ndash;Whitney AUC
 * @param aucLower             DeLong 95% lower limit
 * @param aucUpper             DeLong 95% upper limit
 * @param aucNullHalfWidth     half-width of the 95% band of AUC around 0.5 under no leakage
 * @param maxAdvantage         in-sample max(TPR - FPR) over thresholds (optimistic)
 * @param maxAdvantageNull95   null 95% quantile of {@code maxAdvantage} (two-sample KS)
 * @param advantage            held-out TPR - FPR at the advantage-maximising threshold
 * @param balancedAccuracy     held-out (1 + TPR - FPR) / 2
 * @param tprAtFpr             held-out TPR at each target FPR (10%, 1%, 0.1%)
 * @param members              number of members scored
 * @param nonMembers           number of non-members scored
 * @param roc                  the full (in-sample, descriptive) ROC curve
 */
public record AttackMetrics(double auc, double aucLower, double aucUpper, double aucNullHalfWidth,
                            double maxAdvantage, double maxAdvantageNull95, double advantage,
                            double balancedAccuracy, List<TprAtFpr> tprAtFpr, int members, int nonMembers,
                            RocCurve roc) {

    /** The target FPRs reported: 10%, 1%, 0.1%. */
    public static final double[] TARGET_FPRS = {0.1, 0.01, 0.001};

    public AttackMetrics {
        tprAtFpr = List.copyOf(tprAtFpr);
    }

    /**
     * TPR at a target FPR.
     *
     * @param targetFpr   the FPR the threshold was chosen for (on the other fold)
     * @param resolvable  whether targetFpr >= 10 / nonMembers; if not, {@code tpr} and
     *                    {@code achievedFpr} are NaN
     * @param tpr         held-out TPR
     * @param achievedFpr held-out FPR actually reached (may exceed the target by sampling noise)
     */
    public record TprAtFpr(double targetFpr, boolean resolvable, double tpr, double achievedFpr) {
    }

    /**
     * Evaluates an attack from its scores (higher = more likely a member).
     *
     * @param memberScores    at least 2, no NaN; not modified
     * @param nonMemberScores at least 2, no NaN; not modified
     * @param seed            seed of the fold split (public randomness of the evaluation)
     */
    public static AttackMetrics evaluate(double[] memberScores, double[] nonMemberScores, long seed) {
        RocCurve.check("memberScores", memberScores);
        RocCurve.check("nonMemberScores", nonMemberScores);
        if (memberScores.length < 2 || nonMemberScores.length < 2) {
            throw new IllegalArgumentException("memberScores and nonMemberScores must each hold at least 2 scores "
                    + "(one per fold), got " + memberScores.length + " and " + nonMemberScores.length);
        }
        RocCurve roc = RocCurve.of(memberScores, nonMemberScores);
        double[] ci = roc.aucConfidenceInterval(0.95);
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] memberFold = folds(memberScores.length, random);
        boolean[] nonMemberFold = folds(nonMemberScores.length, random);

        int nIn = memberScores.length;
        int nOut = nonMemberScores.length;
        int[] counts = new int[2]; // tp, fp for the advantage threshold
        int[][] fprCounts = new int[TARGET_FPRS.length][2];
        for (int fold = 0; fold < 2; fold++) {
            double[] selIn = select(memberScores, memberFold, fold == 0);
            double[] selOut = select(nonMemberScores, nonMemberFold, fold == 0);
            double[] evalIn = select(memberScores, memberFold, fold == 1);
            double[] evalOut = select(nonMemberScores, nonMemberFold, fold == 1);
            RocCurve selection = RocCurve.of(selIn, selOut);
            double[] f = selection.falsePositiveRates();
            double[] t = selection.truePositiveRates();
            double[] thr = selection.thresholds();
            int best = 0;
            for (int i = 1; i < f.length; i++) {
                if (t[i] - f[i] > t[best] - f[best]) {
                    best = i;
                }
            }
            counts[0] += countAtLeast(evalIn, between(thr, best));
            counts[1] += countAtLeast(evalOut, between(thr, best));
            for (int k = 0; k < TARGET_FPRS.length; k++) {
                int chosen = 0;
                for (int i = 1; i < f.length; i++) {
                    if (f[i] <= TARGET_FPRS[k]) {
                        chosen = i;
                    }
                }
                fprCounts[k][0] += countAtLeast(evalIn, between(thr, chosen));
                fprCounts[k][1] += countAtLeast(evalOut, between(thr, chosen));
            }
        }
        double tpr = (double) counts[0] / nIn;
        double fpr = (double) counts[1] / nOut;
        List<TprAtFpr> atFpr = new ArrayList<>();
        for (int k = 0; k < TARGET_FPRS.length; k++) {
            boolean resolvable = TARGET_FPRS[k] >= 10.0 / nOut;
            atFpr.add(resolvable
                    ? new TprAtFpr(TARGET_FPRS[k], true, (double) fprCounts[k][0] / nIn, (double) fprCounts[k][1] / nOut)
                    : new TprAtFpr(TARGET_FPRS[k], false, Double.NaN, Double.NaN));
        }
        return new AttackMetrics(roc.auc(), ci[0], ci[1], roc.aucNullHalfWidth95(), roc.maxAdvantage(),
                roc.maxAdvantageNull95(), tpr - fpr, (1 + tpr - fpr) / 2, atFpr, nIn, nOut, roc);
    }

    /** Whether AUC lies above the 95% null band 0.5 + {@link #aucNullHalfWidth()}. */
    public boolean aucAboveNullBand() {
        return auc > 0.5 + aucNullHalfWidth;
    }

    /** The entry for {@code targetFpr}, which must be one of {@link #TARGET_FPRS}. */
    public TprAtFpr atFpr(double targetFpr) {
        for (TprAtFpr entry : tprAtFpr) {
            if (entry.targetFpr() == targetFpr) {
                return entry;
            }
        }
        throw new IllegalArgumentException("targetFpr must be one of 0.1, 0.01, 0.001, got " + targetFpr);
    }

    private static boolean[] folds(int n, SplittableRandom random) {
        int[] order = Shuffles.permutation(n, random);
        boolean[] firstFold = new boolean[n];
        for (int i = 0; i < n / 2; i++) {
            firstFold[order[i]] = true;
        }
        return firstFold;
    }

    private static double[] select(double[] scores, boolean[] firstFold, boolean wantFirst) {
        int count = 0;
        for (boolean b : firstFold) {
            if (b == wantFirst) {
                count++;
            }
        }
        double[] out = new double[count];
        int k = 0;
        for (int i = 0; i < scores.length; i++) {
            if (firstFold[i] == wantFirst) {
                out[k++] = scores[i];
            }
        }
        return out;
    }

    /**
     * The threshold used on the other fold: midway between the chosen point's score and the next
     * lower score of the selection fold (the selection counts are the same for any value in that
     * gap; the midpoint does not favour either class).
     */
    private static double between(double[] thresholds, int index) {
        if (index + 1 >= thresholds.length || thresholds[index] == Double.POSITIVE_INFINITY) {
            return thresholds[index];
        }
        return thresholds[index] / 2 + thresholds[index + 1] / 2;
    }

    private static int countAtLeast(double[] scores, double threshold) {
        int c = 0;
        for (double s : scores) {
            if (s >= threshold) {
                c++;
            }
        }
        return c;
    }
}
