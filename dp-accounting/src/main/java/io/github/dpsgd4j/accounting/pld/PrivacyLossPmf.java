package io.github.dpsgd4j.accounting.pld;

import io.github.dpsgd4j.common.Checks;

/**
 * A discretised privacy loss distribution in one adjacency direction: probability masses on the
 * contiguous grid of losses {@code (lowerIndex + i) * interval}, {@code i = 0 .. size-1}, plus a
 * mass at {@code +infinity}. Every PMF built in this package is pessimistic: its hockey-stick curve
 * {@code delta(epsilon)} lies on or above the true one, and every truncation moves mass to a larger
 * loss or to infinity, never drops it.
 *
 * <p>The representation is dense (one {@code double[]} from the lowest to the highest loss): the
 * distributions of the Gaussian mechanisms dpsgd4j accounts for have contiguous support, and a
 * sparse map would only add boxing. Total mass may slightly exceed 1 (the connect-the-dots masses
 * of a single step sum to about {@code 1 + 1e-8}); that too errs toward privacy.
 *
 * <p>Immutable and thread-safe. The mass array is owned and never exposed.
 */
final class PrivacyLossPmf {

    /**
     * Largest number of grid points a PMF may have: 2^23 (8.4 million; 64 MiB per array, and
     * building one takes three such arrays). At the default interval 1e-4 this spans losses up to
     * about 840, reached only by noise multipliers below about 0.03.
     */
    static final int MAX_SIZE = 1 << 23;
    /** Half-widths of the Chernoff orders, {@code t = j / size} for {@code j = +-1 .. +-20}. */
    private static final int CHERNOFF_ORDERS = 20;
    private static final int EXP_BLOCK = 64;

    private final double interval;
    private final long lowerIndex;
    private final double[] probs;
    private final double infinityMass;

    /**
     * @param interval     loss grid spacing, finite and {@code > 0}
     * @param lowerIndex   grid index of {@code probs[0]}
     * @param probs        non-negative masses, at least one; owned by the new PMF
     * @param infinityMass mass at {@code +infinity}, in {@code [0, 1]}
     */
    PrivacyLossPmf(double interval, long lowerIndex, double[] probs, double infinityMass) {
        this.interval = Checks.finitePositive("interval", interval);
        if (probs.length == 0) {
            throw new IllegalArgumentException("probs must not be empty");
        }
        if (probs.length > MAX_SIZE) {
            throw new IllegalStateException("a privacy loss distribution would need " + probs.length
                    + " grid points (at most " + MAX_SIZE + " are allowed); use a coarser discretisation "
                    + "interval or the RDP accountant");
        }
        this.lowerIndex = lowerIndex;
        this.probs = probs;
        this.infinityMass = Math.min(1, Checks.probability("infinityMass", infinityMass));
    }

    /** The PMF of a mechanism that reveals nothing: all mass at loss 0. */
    static PrivacyLossPmf identity(double interval) {
        return new PrivacyLossPmf(interval, 0, new double[] {1}, 0);
    }

    double interval() {
        return interval;
    }

    long lowerIndex() {
        return lowerIndex;
    }

    int size() {
        return probs.length;
    }

    double infinityMass() {
        return infinityMass;
    }

    /** The mass at loss {@code (lowerIndex + i) * interval}. */
    double probability(int i) {
        return probs[i];
    }

    /** A copy of the masses. */
    double[] probabilities() {
        return probs.clone();
    }

    /** The sum of the finite masses and the infinity mass. */
    double totalMass() {
        double sum = infinityMass;
        for (double p : probs) {
            sum += p;
        }
        return sum;
    }

    private double loss(int i) {
        return (lowerIndex + i) * interval;
    }

    /**
     * The {@code count}-fold composition of this PMF with itself (Koskela, Jalko, Honkela 2020):
     * the support is first cut to the window {@code [lower, upper]} that holds all but
     * {@code tailMassTruncation} of the mass by the Chernoff bound
     * {@code P(S >= s) <= M(t)^count e^(-t s)} over the orders {@code t = +-1/size .. +-20/size},
     * each side getting half; then one FFT of the zero-padded masses, each bin raised to the power
     * {@code count}, one inverse FFT. The cut (and the mass that wraps around in the circular
     * convolution) is accounted for by adding {@code tailMassTruncation} to the infinity mass,
     * which becomes {@code tail + 1 - (1 - infinityMass)^count}.
     *
     * @param count              {@code >= 1}
     * @param tailMassTruncation in {@code (0, 1)}, for example 1e-15
     */
    PrivacyLossPmf selfCompose(long count, double tailMassTruncation) {
        Checks.positive("count", count);
        Checks.openUnitInterval("tailMassTruncation", tailMassTruncation);
        if (count == 1) {
            return this;
        }
        double composedInfinity = tailMassTruncation - Math.expm1(count * Math.log1p(-infinityMass));
        long newLowerIndex = Math.multiplyExact(lowerIndex, count);
        int m = probs.length;
        if (m == 1) {
            double mass = Math.exp(count * Math.log(probs[0]));
            return new PrivacyLossPmf(interval, newLowerIndex, new double[] {mass},
                    Math.min(1, composedInfinity - tailMassTruncation));
        }
        long fullUpper = Math.multiplyExact((long) (m - 1), count);
        long lower = 0;
        long upper = fullUpper;
        double logTwoOverTail = Math.log(2 / tailMassTruncation);
        for (int j = -CHERNOFF_ORDERS; j <= CHERNOFF_ORDERS; j++) {
            if (j == 0) {
                continue;
            }
            double t = (double) j / m;
            double bound = (count * logMomentGenerating(t) + logTwoOverTail) / t;
            if (!Double.isFinite(bound)) {
                continue;
            }
            if (t > 0) {
                double ceil = Math.ceil(bound);
                if (ceil < upper) {
                    upper = (long) ceil;
                }
            } else {
                double floor = Math.floor(bound);
                if (floor > lower) {
                    lower = (long) floor;
                }
            }
        }
        if (lower > upper || lower < 0 || upper > fullUpper) {
            // Cannot happen for a PMF of total mass about 1; fall back to the exact full range.
            lower = 0;
            upper = fullUpper;
        }
        long windowSize = upper - lower + 1;
        if (windowSize > MAX_SIZE) {
            throw new IllegalStateException("composing " + count + " steps needs " + windowSize
                    + " grid points (at most " + MAX_SIZE + " are allowed); use a coarser discretisation "
                    + "interval or the RDP accountant");
        }
        double[] window = Convolutions.selfConvolveWindow(probs, count, lower, (int) windowSize);
        return new PrivacyLossPmf(interval, Math.addExact(newLowerIndex, lower), window,
                Math.min(1, composedInfinity));
    }

    /**
     * {@code log sum_i p_i e^(i t)}, the log moment generating function of the grid index. The
     * factors {@code e^(i t)} are formed as {@code e^(64 b t) e^(j t)} (two correctly rounded
     * exponentials per product) to save exponentials.
     */
    private double logMomentGenerating(double t) {
        double[] small = new double[EXP_BLOCK];
        for (int j = 0; j < EXP_BLOCK; j++) {
            small[j] = Math.exp(j * t);
        }
        double sum = 0;
        for (int base = 0; base < probs.length; base += EXP_BLOCK) {
            double scale = Math.exp(base * t);
            int end = Math.min(probs.length, base + EXP_BLOCK);
            double blockSum = 0;
            for (int i = base; i < end; i++) {
                blockSum += probs[i] * small[i - base];
            }
            sum += blockSum * scale;
        }
        return Math.log(sum);
    }

    /**
     * The composition of this PMF with {@code other}: linear convolution of the masses, lower
     * indices added, infinity masses combined as {@code a + b - ab}; then the longest prefix and
     * the longest suffix each holding at most {@code tailMassTruncation / 2} are cut, the prefix
     * mass moved onto the first kept loss and the suffix mass to infinity (both pessimistic).
     *
     * @param other              a PMF on the same grid spacing
     * @param tailMassTruncation in {@code [0, 1)}
     */
    PrivacyLossPmf compose(PrivacyLossPmf other, double tailMassTruncation) {
        if (Double.compare(interval, other.interval) != 0) {
            throw new IllegalArgumentException("cannot compose PMFs with discretisation intervals "
                    + interval + " and " + other.interval);
        }
        if (!(tailMassTruncation >= 0 && tailMassTruncation < 1)) {
            throw new IllegalArgumentException("tailMassTruncation must be in [0, 1), got " + tailMassTruncation);
        }
        long size = (long) probs.length + other.probs.length - 1;
        if (size > MAX_SIZE) {
            throw new IllegalStateException("composing two privacy loss distributions needs " + size
                    + " grid points (at most " + MAX_SIZE + " are allowed); use a coarser discretisation "
                    + "interval or the RDP accountant");
        }
        double[] conv = Convolutions.linear(probs, other.probs);
        double inf = infinityMass + other.infinityMass - infinityMass * other.infinityMass;
        long lower = Math.addExact(lowerIndex, other.lowerIndex);
        int n = conv.length;
        double half = tailMassTruncation / 2;
        int left = 0;
        double leftMass = 0;
        while (left < n - 1 && leftMass + conv[left] <= half) {
            leftMass += conv[left];
            left++;
        }
        int right = n;
        double rightMass = 0;
        while (right - 1 > left && rightMass + conv[right - 1] <= half) {
            rightMass += conv[right - 1];
            right--;
        }
        double[] kept;
        if (left == 0 && right == n) {
            kept = conv;
        } else {
            kept = new double[right - left];
            System.arraycopy(conv, left, kept, 0, kept.length);
            kept[0] += leftMass;
        }
        return new PrivacyLossPmf(interval, lower + left, kept, Math.min(1, inf + rightMass));
    }

    /**
     * The hockey-stick divergence of this PMF:
     * {@code infinityMass + sum over losses l > epsilon of p_l (1 - e^(epsilon - l))}, at most 1.
     *
     * @param epsilon any real number
     */
    double delta(double epsilon) {
        double sum = 0;
        for (int i = probs.length - 1; i >= 0; i--) {
            double loss = loss(i);
            if (!(loss > epsilon)) {
                break;
            }
            sum += probs[i] * -Math.expm1(epsilon - loss);
        }
        return Math.min(1, infinityMass + sum);
    }

    /**
     * The smallest {@code epsilon >= 0} with {@link #delta(double)} {@code <= delta}, or +infinity
     * when the infinity mass alone exceeds {@code delta}.
     *
     * <p>On {@code [l_i, l_(i+1)]} the curve is {@code U_i - e^epsilon W_i} with {@code U_i} the
     * infinity mass plus the masses above {@code l_i} and {@code W_i} the sum of
     * {@code p_l e^-l} above {@code l_i}; scanning down from the largest loss, the first interval
     * where {@code log((U_i - delta) / W_i) >= l_i} holds the answer.
     *
     * @param delta in {@code [0, 1]}
     */
    double epsilon(double delta) {
        if (infinityMass > delta) {
            return Double.POSITIVE_INFINITY;
        }
        double upperMass = infinityMass;
        double lowerMass = 0;
        for (int i = probs.length - 1; i >= 0; i--) {
            double loss = loss(i);
            if (upperMass > delta && lowerMass > 0) {
                double excess = upperMass - delta;
                if (excess >= lowerMass * Math.exp(loss)) {
                    return Math.max(0, Math.max(loss, Math.log(excess / lowerMass)));
                }
            }
            double p = probs[i];
            upperMass += p;
            lowerMass += p * Math.exp(-loss);
            if (upperMass > delta && lowerMass == 0 && p > 0) {
                // e^-loss underflowed: the curve exceeds delta up to this loss (pessimistic answer)
                return Math.max(0, loss);
            }
        }
        if (upperMass <= delta || lowerMass == 0) {
            return 0;
        }
        return Math.max(0, Math.log((upperMass - delta) / lowerMass));
    }

    @Override
    public String toString() {
        return "PrivacyLossPmf[interval=" + interval + ", lowerIndex=" + lowerIndex + ", size=" + probs.length
                + ", infinityMass=" + infinityMass + "]";
    }
}
