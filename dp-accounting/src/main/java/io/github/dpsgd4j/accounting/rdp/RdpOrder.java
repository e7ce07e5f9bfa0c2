package io.github.dpsgd4j.accounting.rdp;

import io.github.dpsgd4j.accounting.internal.Numerics;

/**
 * One Renyi order alpha with what the series of Mironov, Talwar, Zhang (2019) need at that
 * order and that does not depend on the mechanism: whether the integer formula applies, and
 * log|C(alpha, i)| for the first terms, computed once on first use.
 *
 * <p>Thread-safe: the table is an immutable array published through a volatile field; two
 * threads may both compute it, and both results are equal.
 */
final class RdpOrder {

    /** log|C(alpha, i)| is tabulated for i below this for fractional orders (the series rarely needs more). */
    private static final int FRACTIONAL_TABLE_TERMS = 64;
    /** Integer orders up to this tabulate every term; larger ones compute coefficients on the fly. */
    private static final int INTEGER_TABLE_MAX_ORDER = 4096;

    final double alpha;
    /** Whether alpha is a whole number (dp_accounting's {@code float(alpha).is_integer()}). */
    final boolean integer;
    /** floor(alpha). */
    final long floor;

    private volatile double[] logBinomials;

    RdpOrder(double alpha) {
        this.alpha = alpha;
        this.integer = alpha == Math.rint(alpha) && !Double.isInfinite(alpha);
        this.floor = Double.isInfinite(alpha) ? Long.MAX_VALUE : (long) Math.floor(alpha);
    }

    /** log|C(alpha, i)| for {@code i >= 0}. */
    double logAbsBinomial(int i) {
        double[] table = logBinomials;
        if (table == null) {
            table = tabulate();
            logBinomials = table;
        }
        return i < table.length ? table[i] : Numerics.logAbsBinomial(alpha, i);
    }

    /**
     * The sign of C(alpha, i) for fractional alpha: positive up to {@code i = floor(alpha) + 1},
     * then alternating as {@code (-1)^(i - 1 - floor(alpha))}.
     */
    boolean binomialPositive(int i) {
        return i <= floor + 1 || ((i - 1 - floor) & 1L) == 0;
    }

    private double[] tabulate() {
        int length = integer
                ? (int) Math.min(floor + 1, INTEGER_TABLE_MAX_ORDER + 1)
                : FRACTIONAL_TABLE_TERMS;
        double[] table = new double[length];
        for (int i = 0; i < length; i++) {
            table[i] = Numerics.logAbsBinomial(alpha, i);
        }
        return table;
    }
}
