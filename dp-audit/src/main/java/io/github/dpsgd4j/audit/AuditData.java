package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * The examples an audit works on: a pool of labelled images, each either a member of the target's
 * training set or not. For a valid one-run epsilon bound, membership must have been drawn by
 * independent fair coins ({@link #coinFlipSplit}).
 *
 * @param pool       features [n, d] (pixels in [0, 1] for inversion metrics) and one-hot labels [n, K]
 * @param member     [n] membership of each example
 * @param width      image width (width x height = d) for SSIM and pictures
 * @param height     image height
 * @param numClasses K
 */
public record AuditData(DataSet pool, boolean[] member, int width, int height, int numClasses) {

    public AuditData {
        Checks.notNull("pool", pool);
        Checks.notNull("member", member);
        Checks.equalTo("member.length", member.length, "pool examples", pool.numExamples());
        Checks.positive("width", width);
        Checks.positive("height", height);
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        int members = 0;
        for (boolean m : member) {
            members += m ? 1 : 0;
        }
        if (members < 2 || member.length - members < 2) {
            throw new IllegalArgumentException("need at least 2 members and 2 non-members, got " + members + " and "
                    + (member.length - members));
        }
        member = member.clone();
    }

    /**
     * Splits {@code pool} by independent fair coins (seeded: the split is the auditor's public
     * randomness).
     */
    public static AuditData coinFlipSplit(DataSet pool, int width, int height, int numClasses, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] member = new boolean[pool.numExamples()];
        for (int i = 0; i < member.length; i++) {
            member[i] = random.nextBoolean();
        }
        return new AuditData(pool, member, width, height, numClasses);
    }

    /** Members and non-members given separately (a user's own split): the pool is members then non-members. */
    public static AuditData of(DataSet members, DataSet nonMembers, int width, int height, int numClasses) {
        DataSet pool = DataSet.merge(java.util.List.of(members, nonMembers));
        boolean[] member = new boolean[pool.numExamples()];
        for (int i = 0; i < members.numExamples(); i++) {
            member[i] = true;
        }
        return new AuditData(pool, member, width, height, numClasses);
    }

    /** A copy of the membership flags. */
    @Override
    public boolean[] member() {
        return member.clone();
    }

    /** The members as a data set. */
    public DataSet members() {
        return rows(true);
    }

    /** The non-members as a data set. */
    public DataSet nonMembers() {
        return rows(false);
    }

    private DataSet rows(boolean wanted) {
        int count = 0;
        for (boolean m : member) {
            count += m == wanted ? 1 : 0;
        }
        int[] idx = new int[count];
        int k = 0;
        for (int i = 0; i < member.length; i++) {
            if (member[i] == wanted) {
                idx[k++] = i;
            }
        }
        return new DataSet(Nd4j.pullRows(pool.getFeatures(), 1, idx), Nd4j.pullRows(pool.getLabels(), 1, idx));
    }

    /** The class of every pool example (argmax of its one-hot label). */
    public int[] labels() {
        return pool.getLabels().argMax(1).toIntVector();
    }

    /** Pool features as [n][d] doubles. */
    public double[][] images() {
        return io.github.dpsgd4j.audit.model.Dl4jClassifier.rows(pool.getFeatures().castTo(DataType.DOUBLE)
                .reshape(pool.numExamples(), (long) width * height));
    }
}
