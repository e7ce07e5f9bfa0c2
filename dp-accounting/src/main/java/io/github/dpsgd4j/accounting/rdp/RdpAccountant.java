package io.github.dpsgd4j.accounting.rdp;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.ComposedEvent;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.GaussianEvent;
import io.github.dpsgd4j.accounting.PoissonSampledEvent;
import io.github.dpsgd4j.accounting.PrivacyAccountant;
import io.github.dpsgd4j.accounting.SelfComposedEvent;
import io.github.dpsgd4j.common.Checks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renyi differential privacy accountant for DP-SGD: the RDP of the Poisson-subsampled Gaussian
 * mechanism (Mironov, Talwar, Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian
 * Mechanism", arXiv:1908.10530) at a fixed list of orders, composed by adding RDP order by order
 * (Mironov 2017, "Renyi Differential Privacy", arXiv:1702.07476, Prop. 1), and converted to
 * (epsilon, delta)-DP by Canonne, Kamath, Steinke (2020, arXiv:2004.00010, Prop. 12), which
 * equals Balle et al. (2020, "Hypothesis Testing Interpretations and Renyi Differential
 * Privacy", arXiv:1905.09982, Thm. 21).
 *
 * <p>Semantics: add/remove adjacency, one training example as the unit of privacy, Poisson
 * sampling, Gaussian noise of L2 sensitivity 1. The default ({@link #create()}) reproduces
 * Google's dp_accounting 0.6.0 {@code RdpAccountant} to about 1e-13 relative
 * ({@link RdpConvention#DP_ACCOUNTING}); {@link #opacusCompatible()} reproduces Opacus'
 * {@code RDPAccountant} for cross-checks ({@link RdpConvention#OPACUS}).
 *
 * <p>Supported events: {@link GaussianEvent} (an unsampled Gaussian, q = 1),
 * {@code PoissonSampledEvent(q, GaussianEvent(sigma))}, and {@link SelfComposedEvent} and
 * {@link ComposedEvent} of supported events, nested freely. Anything else (for example a
 * Poisson-sampled composition) is refused with an {@link IllegalArgumentException} naming the
 * event, and the history is left unchanged.
 *
 * <p>Cost: each distinct (noise multiplier, sample rate) pair costs one per-step RDP vector
 * (about a millisecond at the 156 default orders), cached per order set and shared by the
 * accountants built with the same settings. The accumulated RDP is the sum, in order of first
 * appearance, of count x per-step RDP of each distinct mechanism; adding steps of the latest
 * mechanism or of a new one costs O(orders), so a per-step budget check on a 100,000-step
 * history costs microseconds. The sum is canonical: the same multiset of steps gives bit-for-bit
 * the same RDP however it was composed (one step at a time, one {@code SelfComposedEvent}, or a
 * ledger), as long as the mechanisms first appear in the same order.
 *
 * <p>Consecutive repeats of an identical event are merged in {@link #history()} into one
 * {@link SelfComposedEvent}, which composes to the same privacy cost.
 *
 * <p>Not thread-safe (like every {@link PrivacyAccountant}); {@link #copy()} gives an
 * independent accountant.
 */
public final class RdpAccountant implements PrivacyAccountant {

    private final RdpOrders orders;
    private final ArrayList<DpEvent> history;
    /** Distinct mechanisms with a non-zero step count, in order of first appearance. */
    private final ArrayList<Mechanism> mechanisms;
    private final HashMap<Mechanism, Integer> positions;
    private long[] counts;
    /** The canonical sum over every mechanism but the last (zeros when there are fewer than two). */
    private double[] prefix;
    /** Per-step RDP of the last mechanism, or null when there is none. */
    private double[] lastRdp;
    /** The canonical sum over all mechanisms, or null when it must be recomputed. */
    private double[] total;

    private RdpAccountant(RdpOrders orders) {
        this.orders = orders;
        this.history = new ArrayList<>();
        this.mechanisms = new ArrayList<>();
        this.positions = new HashMap<>();
        this.counts = new long[4];
        this.prefix = new double[orders.size()];
        this.lastRdp = null;
        this.total = null;
    }

    private RdpAccountant(RdpAccountant other) {
        this.orders = other.orders;
        this.history = new ArrayList<>(other.history);
        this.mechanisms = new ArrayList<>(other.mechanisms);
        this.positions = new HashMap<>(other.positions);
        this.counts = other.counts.clone();
        this.prefix = other.prefix.clone();
        this.lastRdp = other.lastRdp;
        this.total = other.total == null ? null : other.total.clone();
    }

    /** A dp_accounting-compatible accountant with dp_accounting's 156 default orders. */
    public static RdpAccountant create() {
        return new RdpAccountant(RdpOrders.defaultOrders(RdpConvention.DP_ACCOUNTING));
    }

    /**
     * A dp_accounting-compatible accountant with the given orders.
     *
     * @param orders Renyi orders, at least one, each finite and in {@code [1, }{@link RdpConvention#MAX_ORDER}{@code ]};
     *               copied, not modified. Orders at or below 1.01 are kept but give no epsilon
     *               bound (only the KL bound used for delta and for epsilon = 0); order 1 with
     *               0 < q < 1 has RDP +infinity. The first optimal order is reported, so the
     *               order of the list decides ties.
     * @throws IllegalArgumentException if the list is empty or an order is NaN, infinite or out of range
     */
    public static RdpAccountant withOrders(double... orders) {
        return of(RdpConvention.DP_ACCOUNTING, orders);
    }

    /** An Opacus-compatible accountant (variant B series, Opacus' 151 default orders), for cross-checks. */
    public static RdpAccountant opacusCompatible() {
        return new RdpAccountant(RdpOrders.defaultOrders(RdpConvention.OPACUS));
    }

    /** An accountant with the given convention and its default orders. */
    public static RdpAccountant of(RdpConvention convention) {
        Checks.notNull("convention", convention);
        return new RdpAccountant(RdpOrders.defaultOrders(convention));
    }

    /**
     * An accountant with the given convention and orders (validated as in {@link #withOrders}).
     */
    public static RdpAccountant of(RdpConvention convention, double... orders) {
        Checks.notNull("convention", convention);
        return new RdpAccountant(RdpOrders.of(convention, orders));
    }

    @Override
    public AccountantType type() {
        return AccountantType.RDP;
    }

    /** The series, default orders and conversion this accountant follows. */
    public RdpConvention convention() {
        return orders.convention;
    }

    @Override
    public RdpAccountant compose(DpEvent event) {
        Checks.notNull("event", event);
        Map<Mechanism, Long> added = contributions(event);
        double[] newTotal = totalWith(added);
        commit(added);
        total = newTotal;
        appendToHistory(event);
        return this;
    }

    @Override
    public ComposedEvent history() {
        return new ComposedEvent(history);
    }

    @Override
    public double epsilon(double delta) {
        return epsilonAndOrder(delta).epsilon();
    }

    @Override
    public double delta(double epsilon) {
        return deltaAndOrder(epsilon).delta();
    }

    /**
     * The smallest epsilon certified at {@code delta}, with the order that gives it.
     *
     * @param delta in (0, 1)
     * @throws IllegalArgumentException if delta is NaN or outside (0, 1)
     */
    public RdpEpsilon epsilonAndOrder(double delta) {
        return convention().epsilon(orders.ordersView(), total(), delta);
    }

    /**
     * The smallest delta certified at {@code epsilon}, with the order that gives it.
     *
     * @param epsilon finite and {@code >= 0}
     * @throws IllegalArgumentException if epsilon is NaN, infinite or negative
     */
    public RdpDelta deltaAndOrder(double epsilon) {
        return convention().delta(orders.ordersView(), total(), epsilon);
    }

    /**
     * The epsilon at {@code delta} that this accountant would report after composing
     * {@code event}, without composing it: the cheap "may I take this step?" query. Equal,
     * bit for bit, to {@code copy().compose(event).epsilon(delta)}.
     *
     * @throws IllegalArgumentException if the event is not supported or delta is outside (0, 1)
     */
    public double epsilonAfter(DpEvent event, double delta) {
        Checks.notNull("event", event);
        double[] after = totalWith(contributions(event));
        return convention().epsilon(orders.ordersView(), after, delta).epsilon();
    }

    /** The Renyi orders (a copy). */
    public double[] orders() {
        return orders.orders();
    }

    /** The accumulated RDP at each order of {@link #orders()} (a copy); 0 for an empty history. */
    public double[] rdp() {
        return total().clone();
    }

    @Override
    public RdpAccountant copy() {
        return new RdpAccountant(this);
    }

    @Override
    public String toString() {
        return "RdpAccountant[" + convention() + ", " + orders.size() + " orders, "
                + mechanisms.size() + " distinct mechanisms]";
    }

    // ---- composition internals ----

    /** The steps each mechanism gains from {@code event}, in order of first appearance; validates. */
    private static Map<Mechanism, Long> contributions(DpEvent event) {
        Map<Mechanism, Long> added = new LinkedHashMap<>();
        collect(event, 1, added, event);
        return added;
    }

    private static void collect(DpEvent event, long multiplicity, Map<Mechanism, Long> added, DpEvent root) {
        if (event instanceof GaussianEvent gaussian) {
            add(added, new Mechanism(gaussian.noiseMultiplier(), 1.0), multiplicity, root);
        } else if (event instanceof PoissonSampledEvent sampled) {
            if (!(sampled.event() instanceof GaussianEvent gaussian)) {
                throw new IllegalArgumentException("the RDP accountant cannot account for " + sampled
                        + " (in " + root + "): only a GaussianEvent can be Poisson-sampled");
            }
            add(added, new Mechanism(gaussian.noiseMultiplier(), sampled.sampleRate()), multiplicity, root);
        } else if (event instanceof SelfComposedEvent repeated) {
            long times;
            try {
                times = Math.multiplyExact(multiplicity, repeated.count());
            } catch (ArithmeticException ex) {
                throw tooManySteps(root);
            }
            collect(repeated.event(), times, added, root);
        } else if (event instanceof ComposedEvent composed) {
            for (DpEvent part : composed.events()) {
                collect(part, multiplicity, added, root);
            }
        } else {
            throw new IllegalArgumentException("the RDP accountant cannot account for " + event);
        }
    }

    private static void add(Map<Mechanism, Long> added, Mechanism mechanism, long steps, DpEvent root) {
        if (steps == 0 || mechanism.sampleRate() == 0) {
            return; // no privacy cost: adding 0 would not change the sum
        }
        Long before = added.get(mechanism);
        try {
            added.put(mechanism, before == null ? steps : Math.addExact(before, steps));
        } catch (ArithmeticException ex) {
            throw tooManySteps(root);
        }
    }

    private static IllegalArgumentException tooManySteps(DpEvent root) {
        return new IllegalArgumentException("event composes more than " + Long.MAX_VALUE
                + " steps of one mechanism: " + root);
    }

    private long countAfter(int position, Map<Mechanism, Long> added) {
        Long more = added.get(mechanisms.get(position));
        if (more == null) {
            return counts[position];
        }
        try {
            return Math.addExact(counts[position], more);
        } catch (ArithmeticException ex) {
            throw new IllegalArgumentException("the history would hold more than " + Long.MAX_VALUE
                    + " steps of " + mechanisms.get(position));
        }
    }

    /** Whether {@code added} changes the count of a mechanism other than the last one. */
    private boolean touchesEarlierMechanism(Map<Mechanism, Long> added) {
        for (Mechanism m : added.keySet()) {
            Integer position = positions.get(m);
            if (position != null && position < mechanisms.size() - 1) {
                return true;
            }
        }
        return false;
    }

    /** The canonical sum after adding {@code added}, without changing this accountant. */
    private double[] totalWith(Map<Mechanism, Long> added) {
        int n = mechanisms.size();
        double[] sum;
        if (touchesEarlierMechanism(added)) {
            sum = new double[orders.size()];
            for (int i = 0; i < n; i++) {
                accumulate(sum, countAfter(i, added), orders.perStep(mechanisms.get(i)));
            }
        } else {
            sum = prefix.clone();
            if (n > 0) {
                accumulate(sum, countAfter(n - 1, added), lastRdp);
            }
        }
        for (Map.Entry<Mechanism, Long> e : added.entrySet()) {
            if (!positions.containsKey(e.getKey())) {
                accumulate(sum, e.getValue(), orders.perStep(e.getKey()));
            }
        }
        return sum;
    }

    /** Applies {@code added} (already validated by {@link #totalWith}) and restores the invariants. */
    private void commit(Map<Mechanism, Long> added) {
        boolean earlier = touchesEarlierMechanism(added);
        int oldSize = mechanisms.size();
        long oldLastCount = oldSize > 0 ? countAfter(oldSize - 1, added) : 0;
        for (int i = 0; i < oldSize; i++) {
            counts[i] = countAfter(i, added);
        }
        for (Map.Entry<Mechanism, Long> e : added.entrySet()) {
            if (!positions.containsKey(e.getKey())) {
                if (mechanisms.size() == counts.length) {
                    counts = Arrays.copyOf(counts, 2 * counts.length);
                }
                positions.put(e.getKey(), mechanisms.size());
                counts[mechanisms.size()] = e.getValue();
                mechanisms.add(e.getKey());
            }
        }
        int n = mechanisms.size();
        if (earlier) {
            double[] sum = new double[orders.size()];
            for (int i = 0; i < n - 1; i++) {
                accumulate(sum, counts[i], orders.perStep(mechanisms.get(i)));
            }
            prefix = sum;
        } else if (n > oldSize) {
            double[] sum = prefix.clone();
            if (oldSize > 0) {
                accumulate(sum, oldLastCount, lastRdp);
            }
            for (int i = oldSize; i < n - 1; i++) {
                accumulate(sum, counts[i], orders.perStep(mechanisms.get(i)));
            }
            prefix = sum;
        }
        if (n > 0) {
            lastRdp = orders.perStep(mechanisms.get(n - 1));
        }
    }

    private double[] total() {
        if (total == null) {
            total = totalWith(Map.of());
        }
        return total;
    }

    /** {@code sum[k] += count * rdp[k]}: the one operation the canonical sum is made of. */
    private static void accumulate(double[] sum, long count, double[] rdp) {
        double c = count;
        for (int k = 0; k < sum.length; k++) {
            sum[k] += c * rdp[k];
        }
    }

    private void appendToHistory(DpEvent event) {
        int last = history.size() - 1;
        if (last >= 0) {
            DpEvent previous = history.get(last);
            if (previous.equals(event)) {
                history.set(last, new SelfComposedEvent(event, 2));
                return;
            }
            if (previous instanceof SelfComposedEvent repeated && repeated.event().equals(event)
                    && repeated.count() < Long.MAX_VALUE) {
                history.set(last, new SelfComposedEvent(event, repeated.count() + 1));
                return;
            }
        }
        history.add(event);
    }
}
