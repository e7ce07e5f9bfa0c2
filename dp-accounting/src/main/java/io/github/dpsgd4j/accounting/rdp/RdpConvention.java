package io.github.dpsgd4j.accounting.rdp;

import io.github.dpsgd4j.common.Checks;

/**
 * Which library an {@link RdpAccountant} reproduces: the fractional-order series, the default
 * orders and the RDP to (epsilon, delta) conversion travel together.
 *
 * <p>Integer orders and the special cases (q = 0, sigma = 0, q = 1) are the same in both.
 *
 * <p>Thread-safe: constants without state.
 */
public enum RdpConvention {

    /**
     * Google's dp_accounting 0.6.0 {@code RdpAccountant}, dpsgd4j's default:
     * <ul>
     *   <li>fractional orders by "variant A" of the series of Mironov, Talwar, Zhang (2019,
     *       arXiv:1908.10530 Sec. 3.3): every term added in absolute value, which bounds
     *       A_alpha from above; the series stops when both halves decrease and their terms fall
     *       below e^-30 of the total, and gives +infinity (the order drops out) after 1000 terms;</li>
     *   <li>{@code DEFAULT_RDP_ORDERS}: 1.1, 1.2, ..., 10.9, 11, 12, ..., 63, 128, 256, 512, 1024
     *       (156 orders);</li>
     *   <li>conversion of Canonne, Kamath, Steinke (2020, arXiv:2004.00010 Prop. 12), equal to
     *       Balle et al. (2020, arXiv:1905.09982 Thm. 21), with the KL-divergence shortcut
     *       {@code delta >= sqrt(1 - exp(-rdp))}, orders at or below 1.01 unusable, epsilon
     *       clamped at 0 and the first optimal order reported.</li>
     * </ul>
     */
    DP_ACCOUNTING,

    /**
     * Opacus 1.5.4 / 1.6.0 {@code RDPAccountant}, for cross-checks against Opacus and
     * prv_accountant:
     * <ul>
     *   <li>fractional orders by "variant B": the signed series, exact;</li>
     *   <li>{@code DEFAULT_ALPHAS}: 1.1, ..., 10.9, 12, ..., 63 (151 orders: no 11, nothing
     *       above 63);</li>
     *   <li>conversion {@code eps = r - (log delta + log a)/(a - 1) + log((a - 1)/a)} of
     *       Balle et al. (2020, Thm. 21) at every order (no KL shortcut, no 1.01 guard; order 1
     *       is skipped as NaN).</li>
     * </ul>
     * Deviations from Opacus, all toward a correct answer: the reported epsilon is clamped at 0
     * (Opacus can return a negative epsilon when delta is large; since (eps', delta)-DP implies
     * (eps, delta)-DP for every eps >= eps', 0 is still a valid bound), a history with zero RDP
     * at every order reports epsilon 0 and delta 0 (Opacus does so only for an empty history;
     * for q = 0 it reports about 0.10), and delta for a given epsilon (which Opacus lacks) inverts
     * the same formula.
     */
    OPACUS;

    /** The largest order an accountant accepts: the integer series at order alpha has alpha terms. */
    public static final double MAX_ORDER = 1e6;

    /** The default orders of this convention, in increasing order (a new array each call). */
    public double[] defaultOrders() {
        return RdpOrders.defaultOrders(this).orders();
    }

    /**
     * The Renyi DP of one step of the Poisson-subsampled Gaussian mechanism (L2 sensitivity 1,
     * add/remove adjacency) at {@code order}: {@code log(A_alpha)/(alpha - 1)} of Mironov, Talwar,
     * Zhang (2019, arXiv:1908.10530); 0 when {@code sampleRate == 0} (even when
     * {@code noiseMultiplier == 0}); +infinity when {@code order} is +infinity or
     * {@code noiseMultiplier == 0}; {@code order / (2 noiseMultiplier^2)} when
     * {@code sampleRate == 1} (Mironov 2017, arXiv:1702.07476 Prop. 7). Order 1 with
     * {@code 0 < sampleRate < 1} gives +infinity (a safe bound; dpsgd4j does not compute the KL
     * divergence there).
     *
     * @param sampleRate      Poisson sampling probability in [0, 1]
     * @param noiseMultiplier noise standard deviation over sensitivity, finite and {@code >= 0}
     * @param order           Renyi order in {@code [1, MAX_ORDER]} or +infinity
     * @return the RDP of one step, {@code >= 0}, possibly +infinity, never NaN
     * @throws IllegalArgumentException if an argument is NaN or out of range
     */
    public double rdp(double sampleRate, double noiseMultiplier, double order) {
        Checks.probability("sampleRate", sampleRate);
        Checks.finiteNonNegative("noiseMultiplier", noiseMultiplier);
        if (order != Double.POSITIVE_INFINITY) {
            Checks.inClosedRange("order", order, 1, MAX_ORDER);
        }
        return SubsampledGaussianRdp.rdp(this, sampleRate, noiseMultiplier, new RdpOrder(order));
    }

    /**
     * The smallest epsilon that the accumulated RDP {@code rdp[k]} at {@code orders[k]} certifies
     * at {@code delta}, with this convention's conversion, and the order that gives it.
     *
     * @param orders Renyi orders, finite and {@code >= 1}, at least one; not modified
     * @param rdp    accumulated RDP per order, {@code >= 0} (+infinity allowed, NaN and negative
     *               values rejected: a negative divergence is a numerical failure); not modified
     * @param delta  in (0, 1)
     * @throws IllegalArgumentException if the arrays differ in length, are empty, or hold an
     *                                  invalid value, or if delta is outside (0, 1)
     */
    public RdpEpsilon epsilon(double[] orders, double[] rdp, double delta) {
        validate(orders, rdp);
        Checks.openUnitInterval("delta", delta);
        return this == OPACUS
                ? RdpConversion.epsilonOpacus(orders, rdp, delta)
                : RdpConversion.epsilonDpAccounting(orders, rdp, delta);
    }

    /**
     * The smallest delta that the accumulated RDP certifies at {@code epsilon}, with this
     * convention's conversion, and the order that gives it.
     *
     * @param orders as for {@link #epsilon}; not modified
     * @param rdp    as for {@link #epsilon}; not modified
     * @param epsilon finite and {@code >= 0}
     * @throws IllegalArgumentException as for {@link #epsilon}, or if epsilon is NaN, infinite or
     *                                  negative
     */
    public RdpDelta delta(double[] orders, double[] rdp, double epsilon) {
        validate(orders, rdp);
        Checks.finiteNonNegative("epsilon", epsilon);
        return this == OPACUS
                ? RdpConversion.deltaOpacus(orders, rdp, epsilon)
                : RdpConversion.deltaDpAccounting(orders, rdp, epsilon);
    }

    private static void validate(double[] orders, double[] rdp) {
        Checks.notNull("orders", orders);
        Checks.notNull("rdp", rdp);
        if (orders.length == 0) {
            throw new IllegalArgumentException("orders must not be empty");
        }
        if (orders.length != rdp.length) {
            throw new IllegalArgumentException("orders and rdp must have the same length, got "
                    + orders.length + " and " + rdp.length);
        }
        for (int k = 0; k < orders.length; k++) {
            if (!(orders[k] >= 1) || orders[k] == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("orders[" + k + "] must be finite and >= 1, got " + orders[k]);
            }
            Checks.nonNegative("rdp[" + k + "]", rdp[k]);
        }
    }
}
