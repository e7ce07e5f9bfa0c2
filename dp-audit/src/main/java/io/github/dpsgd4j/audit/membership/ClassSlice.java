package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.stats.RocCurve;
import io.github.dpsgd4j.common.Checks;

import java.util.ArrayList;
import java.util.List;

/**
 * Membership results of one class: which classes leak most. AUCs are Mann&ndash;Whitney AUCs of
 * the attack's scores restricted to the class's members and non-members, with the DeLong 95%
 * interval of LiRA's and the half-width of the 95% null band at the class's sample sizes (with
 * about 90 members and 90 non-members per class it is about 0.08: a class AUC inside 0.5 &plusmn;
 * that is noise).
 *
 * @param label            the class
 * @param members          members of the class in the pool
 * @param nonMembers       non-members of the class in the pool
 * @param testAccuracy     the target's accuracy on the class's non-members (NaN if none)
 * @param liraAuc          LiRA (online) AUC on the class
 * @param liraAucLower     its DeLong 95% lower limit
 * @param liraAucUpper     its DeLong 95% upper limit
 * @param rmiaAuc          RMIA AUC on the class (NaN if RMIA was not run)
 * @param aucNullHalfWidth half-width of the 95% null band around 0.5 at these sample sizes
 */
public record ClassSlice(int label, int members, int nonMembers, double testAccuracy, double liraAuc,
                         double liraAucLower, double liraAucUpper, double rmiaAuc, double aucNullHalfWidth) {

    /**
     * Slices the full-confidence attacks by class; classes with fewer than 2 members or 2
     * non-members are left out (no AUC).
     *
     * @param result    the attacks through one policy (its per-example scores are used)
     * @param labels    [n] true classes
     * @param member    [n] membership
     * @param correct   [n] whether the target classifies each example correctly
     * @param classes   number of classes K
     */
    public static List<ClassSlice> of(MembershipAudit.Result result, int[] labels, boolean[] member, boolean[] correct,
                                      int classes) {
        Checks.notNull("result", result);
        Checks.notNull("labels", labels);
        Checks.notNull("member", member);
        Checks.notNull("correct", correct);
        Checks.equalTo("member.length", member.length, "labels.length", labels.length);
        Checks.equalTo("correct.length", correct.length, "labels.length", labels.length);
        List<ClassSlice> out = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            List<Integer> in = new ArrayList<>();
            List<Integer> outRows = new ArrayList<>();
            int right = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != c) {
                    continue;
                }
                if (member[i]) {
                    in.add(i);
                } else {
                    outRows.add(i);
                    right += correct[i] ? 1 : 0;
                }
            }
            if (in.size() < 2 || outRows.size() < 2) {
                continue;
            }
            RocCurve lira = RocCurve.of(pick(result.liraOnlineScores(), in), pick(result.liraOnlineScores(), outRows));
            double[] ci = lira.aucConfidenceInterval(0.95);
            double rmia = result.rmiaScores() == null ? Double.NaN
                    : RocCurve.of(pick(result.rmiaScores(), in), pick(result.rmiaScores(), outRows)).auc();
            out.add(new ClassSlice(c, in.size(), outRows.size(), (double) right / outRows.size(), lira.auc(), ci[0],
                    ci[1], rmia, lira.aucNullHalfWidth95()));
        }
        return out;
    }

    /** Whether LiRA's AUC on this class lies above its null band. */
    public boolean aboveNullBand() {
        return liraAuc > 0.5 + aucNullHalfWidth;
    }

    private static double[] pick(double[] scores, List<Integer> rows) {
        double[] out = new double[rows.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = scores[rows.get(k)];
        }
        return out;
    }
}
