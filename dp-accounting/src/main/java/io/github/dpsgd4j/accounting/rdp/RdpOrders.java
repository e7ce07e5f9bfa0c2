package io.github.dpsgd4j.accounting.rdp;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A validated list of Renyi orders under one {@link RdpConvention}, with the per-order tables and
 * a cache of per-step RDP vectors keyed by mechanism. Accountants created with the same
 * settings share one instance, and so one cache.
 *
 * <p>Thread-safe: the orders are immutable, the cache is a concurrent map whose values are never
 * modified after insertion. The cache holds at most {@value #CACHE_CAPACITY} mechanisms and is
 * emptied when full (a run whose noise changes at every step does not keep every vector alive).
 */
final class RdpOrders {

    static final int CACHE_CAPACITY = 4096;

    private static final RdpOrders DP_ACCOUNTING_DEFAULT = new RdpOrders(RdpConvention.DP_ACCOUNTING,
            defaultOrderValues(RdpConvention.DP_ACCOUNTING));
    private static final RdpOrders OPACUS_DEFAULT = new RdpOrders(RdpConvention.OPACUS,
            defaultOrderValues(RdpConvention.OPACUS));

    final RdpConvention convention;
    private final double[] alphas;
    private final RdpOrder[] orders;
    private final ConcurrentHashMap<Mechanism, double[]> cache = new ConcurrentHashMap<>();

    private RdpOrders(RdpConvention convention, double[] alphas) {
        this.convention = convention;
        this.alphas = alphas;
        this.orders = new RdpOrder[alphas.length];
        for (int k = 0; k < alphas.length; k++) {
            orders[k] = new RdpOrder(alphas[k]);
        }
    }

    /** The shared default order set of {@code convention}. */
    static RdpOrders defaultOrders(RdpConvention convention) {
        return convention == RdpConvention.OPACUS ? OPACUS_DEFAULT : DP_ACCOUNTING_DEFAULT;
    }

    /**
     * A new order set (with its own cache) after validating {@code orders}: at least one, each
     * finite and in {@code [1, MAX_ORDER]}. The array is copied.
     */
    static RdpOrders of(RdpConvention convention, double[] orders) {
        if (orders == null || orders.length == 0) {
            throw new IllegalArgumentException("orders must hold at least one Renyi order");
        }
        double[] copy = orders.clone();
        for (int k = 0; k < copy.length; k++) {
            if (!(copy[k] >= 1 && copy[k] <= RdpConvention.MAX_ORDER)) {
                throw new IllegalArgumentException("orders[" + k + "] must be finite and in [1, "
                        + RdpConvention.MAX_ORDER + "], got " + copy[k]);
            }
        }
        return new RdpOrders(convention, copy);
    }

    int size() {
        return alphas.length;
    }

    /** The orders (a copy). */
    double[] orders() {
        return alphas.clone();
    }

    /** The orders themselves, for read-only use inside this package. */
    double[] ordersView() {
        return alphas;
    }

    /** The per-step RDP of {@code mechanism} at every order; the array must not be modified. */
    double[] perStep(Mechanism mechanism) {
        double[] cached = cache.get(mechanism);
        if (cached != null) {
            return cached;
        }
        double[] rdp = new double[orders.length];
        for (int k = 0; k < orders.length; k++) {
            rdp[k] = SubsampledGaussianRdp.rdp(convention, mechanism.sampleRate(),
                    mechanism.noiseMultiplier(), orders[k]);
        }
        if (cache.size() >= CACHE_CAPACITY) {
            cache.clear();
        }
        cache.put(mechanism, rdp);
        return rdp;
    }

    private static double[] defaultOrderValues(RdpConvention convention) {
        // 1 + x/10 exactly as the Python sources compute it, so the doubles are the same.
        double[] fractional = new double[99];
        for (int x = 1; x <= 99; x++) {
            fractional[x - 1] = 1 + x / 10.0;
        }
        double[] integers = convention == RdpConvention.OPACUS
                ? range(12, 63)
                : concat(range(11, 63), new double[] {128, 256, 512, 1024});
        return concat(fractional, integers);
    }

    private static double[] range(int from, int to) {
        double[] values = new double[to - from + 1];
        for (int i = from; i <= to; i++) {
            values[i - from] = i;
        }
        return values;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
