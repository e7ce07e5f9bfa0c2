package io.github.dpsgd4j.accounting.rdp;

/**
 * Conversions between accumulated RDP at a list of orders and (epsilon, delta)-DP. Inputs are
 * validated by the caller ({@link RdpConvention}). Stateless and thread-safe.
 */
final class RdpConversion {

    /** Orders at or below this are unusable for the (epsilon, delta) bound (dp_accounting's guard). */
    static final double MIN_USABLE_ORDER = 1.01;

    private RdpConversion() {
    }

    /**
     * dp_accounting's {@code compute_epsilon}: per order {@code eps_k = r_k + log1p(-1/a_k) -
     * log(delta a_k)/(a_k - 1)} (Canonne, Kamath, Steinke 2020, arXiv:2004.00010 Prop. 12 (v4);
     * equal to Balle et al. 2020, arXiv:1905.09982 Thm. 21), 0 where the KL bound
     * {@code delta >= sqrt(1 - exp(-r_k))} already holds, +infinity at orders {@code <= 1.01};
     * epsilon is the minimum clamped at 0, the order the first argmin.
     */
    static RdpEpsilon epsilonDpAccounting(double[] orders, double[] rdp, double delta) {
        int best = 0;
        double bestEpsilon = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            double r = rdp[k];
            double epsilon;
            if (delta * delta + Math.expm1(-r) > 0) {
                epsilon = 0;
            } else if (a > MIN_USABLE_ORDER) {
                epsilon = r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
            } else {
                epsilon = Double.POSITIVE_INFINITY;
            }
            if (k == 0 || epsilon < bestEpsilon) {
                best = k;
                bestEpsilon = epsilon;
            }
        }
        return new RdpEpsilon(Math.max(0, bestEpsilon), orders[best]);
    }

    /**
     * dp_accounting's {@code compute_delta}: per order the smaller of the KL bound
     * {@code sqrt(1 - exp(-r_k))} and, for orders above 1.01,
     * {@code exp((a_k - 1)(r_k - epsilon + log1p(-1/a_k)) - log a_k)} (arXiv:2004.00010 Prop. 12);
     * delta is the minimum capped at 1, the order the first argmin.
     */
    static RdpDelta deltaDpAccounting(double[] orders, double[] rdp, double epsilon) {
        int best = 0;
        double bestLogDelta = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            double r = rdp[k];
            // log(1 - e^-r) as log(-expm1(-r)): dp_accounting's log1p(-exp(-r)) rounds to log(0) = -infinity
            // (delta = 0) for r below about 1e-16, an optimistic answer for a history that does leak.
            double logDelta = r == 0 ? Double.NEGATIVE_INFINITY : 0.5 * Math.log(-Math.expm1(-r));
            if (a > MIN_USABLE_ORDER) {
                logDelta = Math.min(logDelta, (a - 1) * (r - epsilon + Math.log1p(-1 / a)) - Math.log(a));
            }
            if (k == 0 || logDelta < bestLogDelta) {
                best = k;
                bestLogDelta = logDelta;
            }
        }
        return new RdpDelta(Math.min(Math.exp(bestLogDelta), 1.0), orders[best]);
    }

    /**
     * Opacus' {@code get_privacy_spent}: per order {@code eps_k = r_k - (log delta + log a_k)/(a_k - 1)
     * + log((a_k - 1)/a_k)} (Balle et al. 2020, arXiv:1905.09982 Thm. 21) with no KL shortcut and
     * no order guard; NaN entries (order 1) are skipped, the order is the first argmin. Two
     * deviations, both documented on {@link RdpConvention#OPACUS}: the result is clamped at 0
     * (Opacus can report a negative epsilon; any epsilon above a valid one is also valid), and a
     * history whose RDP is 0 at every order reports exactly 0 (as Opacus does for an empty history).
     */
    static RdpEpsilon epsilonOpacus(double[] orders, double[] rdp, double delta) {
        if (allZero(rdp)) {
            return new RdpEpsilon(0, orders[0]);
        }
        int best = -1;
        double bestEpsilon = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            double epsilon = rdp[k] - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
            if (!Double.isNaN(epsilon) && (best < 0 || epsilon < bestEpsilon)) {
                best = k;
                bestEpsilon = epsilon;
            }
        }
        if (best < 0) {
            return new RdpEpsilon(Double.POSITIVE_INFINITY, Double.NaN);
        }
        return new RdpEpsilon(Math.max(0, bestEpsilon), orders[best]);
    }

    /**
     * The inverse of {@link #epsilonOpacus} (Opacus has no delta query): per order
     * {@code log delta_k = (a_k - 1)(r_k - epsilon + log((a_k - 1)/a_k)) - log a_k}, NaN entries
     * skipped, delta the minimum capped at 1; exactly 0 when the RDP is 0 at every order.
     */
    static RdpDelta deltaOpacus(double[] orders, double[] rdp, double epsilon) {
        if (allZero(rdp)) {
            return new RdpDelta(0, orders[0]);
        }
        int best = -1;
        double bestLogDelta = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            double logDelta = (a - 1) * (rdp[k] - epsilon + Math.log((a - 1) / a)) - Math.log(a);
            if (!Double.isNaN(logDelta) && (best < 0 || logDelta < bestLogDelta)) {
                best = k;
                bestLogDelta = logDelta;
            }
        }
        if (best < 0) {
            return new RdpDelta(1, Double.NaN);
        }
        return new RdpDelta(Math.min(Math.exp(bestLogDelta), 1.0), orders[best]);
    }

    private static boolean allZero(double[] rdp) {
        for (double r : rdp) {
            if (r != 0) {
                return false;
            }
        }
        return true;
    }
}
