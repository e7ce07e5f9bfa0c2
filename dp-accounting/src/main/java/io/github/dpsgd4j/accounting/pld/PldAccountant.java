package io.github.dpsgd4j.accounting.pld;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.ComposedEvent;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.GaussianEvent;
import io.github.dpsgd4j.accounting.PoissonSampledEvent;
import io.github.dpsgd4j.accounting.PrivacyAccountant;
import io.github.dpsgd4j.accounting.SelfComposedEvent;
import io.github.dpsgd4j.common.Checks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tight privacy accountant based on privacy loss distributions (PLDs): the distribution of the
 * privacy loss of each Gaussian step is discretised pessimistically, the distributions of all steps
 * are composed by FFT, and (epsilon, delta) is read off the composed distribution. The result is an
 * upper bound on the true privacy loss that is typically within 1e-4 of it at the default
 * discretisation, where RDP overshoots by 8% to 74% (docs/evidence/rdp-vs-pld.csv).
 *
 * <h2>Method</h2>
 * <ul>
 *   <li>Privacy loss distributions and their composition by convolution: Meiser and Mohammadi
 *       2018 ("Tight on budget? Tight bounds for r-fold approximate differential privacy", CCS);
 *       Sommer, Meiser, Mohammadi 2019 ("Privacy loss classes: the central limit theorem in
 *       differential privacy", PoPETs); composition by FFT: Koskela, Jalko, Honkela 2020
 *       ("Computing tight differential privacy guarantees using FFT", AISTATS, arXiv:1906.03049).</li>
 *   <li>Each Poisson-subsampled Gaussian step is discretised on the loss grid
 *       {@code k * discretizationInterval} by the pessimistic connect-the-dots algorithm of
 *       Doroshenko, Ghazi, Kamath, Kumar, Manurangsi 2022 (arXiv:2207.04380), from the exact
 *       hockey-stick divergence, in both directions of add/remove adjacency; epsilon is the larger
 *       of the two directions' epsilons, delta the larger delta. The output range is cut where the
 *       upper distribution's tail mass is {@code e^-50}; the mass beyond the grid is carried at
 *       infinite loss.</li>
 *   <li>Steps with the same (noise multiplier, sample rate) are composed by raising the FFT
 *       spectrum to the number of steps, on a support window chosen by a Chernoff bound so that at
 *       most 1e-15 of the mass falls outside; different mechanisms are composed by linear FFT
 *       convolution, after which tails of at most 1e-15 are cut. Every cut mass is moved to
 *       infinite loss (never dropped), which is why a delta below about 1e-15 per composition
 *       cannot be certified (see {@link #epsilon(double)}).</li>
 *   <li>Unsampled Gaussian events (sample rate 1) are exact Gaussians under composition: T of
 *       them with noise multipliers {@code s_i} compose to one with
 *       {@code 1/sqrt(sum 1/s_i^2)} (for one mechanism repeated T times, {@code s/sqrt(T)}; Balle
 *       and Wang 2018, "Improving the Gaussian mechanism for differential privacy", ICML), which
 *       is discretised once, without FFT composition.</li>
 * </ul>
 * The algorithm follows Google's dp_accounting {@code PLDAccountant} (version 0.6.0) and matches
 * its epsilons to about 1e-8 relative.
 *
 * <h2>Supported events</h2>
 * {@link GaussianEvent}, {@link PoissonSampledEvent} of a {@link GaussianEvent},
 * {@link SelfComposedEvent} and {@link ComposedEvent} of these, nested freely. A sample rate of 0
 * or a count of 0 costs nothing; a noise multiplier of 0 (with a sample rate above 0) makes every
 * later answer epsilon = +infinity, delta = 1. Composition is commutative, so the accountant
 * groups steps by mechanism and composes the groups in a fixed order: the answer does not depend
 * on the order of events.
 *
 * <h2>Cost and caching</h2>
 * {@link #compose(DpEvent)} only records the event (microseconds). The first query after a change
 * builds the composed distribution, which is then kept until the next {@code compose}: for the
 * MNIST setting (q = 256/60000, sigma = 1.1, 14063 steps) at the default interval about 50 ms on
 * two cores, allocating about 34 MB (it runs in a 64 MiB heap). The time grows about linearly in
 * {@code 1/interval} and slowly in the number of steps (the composed distribution widens like
 * its square root). Later queries on the same history read the cached distribution (about 2 ms).
 * The discretised single step of each mechanism is cached per accountant (at most
 * {@value #SINGLE_STEP_CACHE_SIZE} mechanisms, least recently used evicted), so that a training
 * loop querying after each epoch does not rebuild it. All computation runs on the calling thread;
 * no thread pool is used (see {@code Convolutions} on JTransforms).
 *
 * <p>Grids are limited to 2^23 points; a history whose loss grid would be longer (noise
 * multipliers below about 0.03 at the default interval) is refused with an
 * {@link IllegalStateException} that says what to change, instead of exhausting memory.
 *
 * <h2>Thread safety</h2>
 * Not thread-safe (like every {@link PrivacyAccountant}): confine an accountant to one thread or
 * synchronise externally. {@link #copy()} gives an independent accountant that shares the
 * immutable cached distributions.
 */
public final class PldAccountant implements PrivacyAccountant {

    /** The default loss discretisation interval, 1e-4 (as in dp_accounting). */
    public static final double DEFAULT_DISCRETIZATION_INTERVAL = 1e-4;
    /** How many single-step distributions an accountant keeps. */
    static final int SINGLE_STEP_CACHE_SIZE = 8;

    /** One mechanism: a Gaussian of this noise multiplier applied to a Poisson sample of this rate. */
    private record Mechanism(double noiseMultiplier, double sampleRate) {
    }

    private static final Comparator<Mechanism> ORDER = Comparator
            .comparingDouble(Mechanism::sampleRate)
            .thenComparingDouble(Mechanism::noiseMultiplier);

    private final double discretizationInterval;
    private final List<DpEvent> events;
    /** Steps per mechanism; noise multipliers and sample rates here are > 0. */
    private final TreeMap<Mechanism, Long> steps;
    private boolean nonPrivate;
    private final LinkedHashMap<Mechanism, PrivacyLossDistribution> singleSteps;
    /** The composition of {@link #steps}, or null when not yet built for the current history. */
    private PrivacyLossDistribution composed;

    private PldAccountant(double discretizationInterval) {
        this.discretizationInterval = discretizationInterval;
        this.events = new ArrayList<>();
        this.steps = new TreeMap<>(ORDER);
        this.singleSteps = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Mechanism, PrivacyLossDistribution> eldest) {
                return size() > SINGLE_STEP_CACHE_SIZE;
            }
        };
    }

    /** A new, empty accountant with the default discretisation interval 1e-4. */
    public static PldAccountant create() {
        return new PldAccountant(DEFAULT_DISCRETIZATION_INTERVAL);
    }

    /**
     * A new, empty accountant with the given loss discretisation interval. Smaller intervals are
     * tighter and slower: the time and memory of a query grow about linearly in
     * {@code 1/interval}. At 1e-2 the MNIST epsilon (2.3818 at 1e-4) reads 3.1356, at 1e-3
     * 2.3906, at 1e-5 2.3817; every value is an upper bound.
     *
     * @param interval the loss grid spacing, finite and {@code > 0}
     * @throws IllegalArgumentException if interval is NaN, infinite or not positive
     */
    public static PldAccountant withDiscretization(double interval) {
        return new PldAccountant(Checks.finitePositive("discretizationInterval", interval));
    }

    /** The loss discretisation interval of this accountant. */
    public double discretizationInterval() {
        return discretizationInterval;
    }

    @Override
    public AccountantType type() {
        return AccountantType.PLD;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the event contains a {@link PoissonSampledEvent} of
     *                                  anything other than a {@link GaussianEvent}, or if the
     *                                  total count of a mechanism overflows a {@code long}; the
     *                                  history is then unchanged
     */
    @Override
    public PldAccountant compose(DpEvent event) {
        Checks.notNull("event", event);
        TreeMap<Mechanism, Long> added = new TreeMap<>(ORDER);
        boolean[] addsNonPrivate = new boolean[1];
        collect(event, 1, added, addsNonPrivate);
        TreeMap<Mechanism, Long> merged = new TreeMap<>(steps);
        for (Map.Entry<Mechanism, Long> e : added.entrySet()) {
            long total = merged.getOrDefault(e.getKey(), 0L);
            try {
                merged.put(e.getKey(), Math.addExact(total, e.getValue()));
            } catch (ArithmeticException ex) {
                throw new IllegalArgumentException("the number of steps of " + describe(e.getKey())
                        + " overflows a long", ex);
            }
        }
        events.add(event);
        if (!added.isEmpty()) {
            steps.clear();
            steps.putAll(merged);
            composed = null;
        }
        nonPrivate |= addsNonPrivate[0];
        return this;
    }

    private static void collect(DpEvent event, long count, Map<Mechanism, Long> out, boolean[] nonPrivate) {
        if (event instanceof GaussianEvent gaussian) {
            addSteps(gaussian.noiseMultiplier(), 1, count, out, nonPrivate);
        } else if (event instanceof PoissonSampledEvent sampled) {
            if (!(sampled.event() instanceof GaussianEvent gaussian)) {
                throw new IllegalArgumentException("the PLD accountant supports PoissonSampledEvent only of a "
                        + "GaussianEvent, got PoissonSampledEvent of " + sampled.event());
            }
            addSteps(gaussian.noiseMultiplier(), sampled.sampleRate(), count, out, nonPrivate);
        } else if (event instanceof SelfComposedEvent self) {
            long product;
            try {
                product = Math.multiplyExact(count, self.count());
            } catch (ArithmeticException ex) {
                throw new IllegalArgumentException("the number of compositions overflows a long: " + count
                        + " x " + self.count(), ex);
            }
            collect(self.event(), product, out, nonPrivate);
        } else if (event instanceof ComposedEvent composedEvent) {
            for (DpEvent e : composedEvent.events()) {
                collect(e, count, out, nonPrivate);
            }
        } else {
            throw new IllegalArgumentException("the PLD accountant does not support " + event);
        }
    }

    private static void addSteps(double sigma, double sampleRate, long count, Map<Mechanism, Long> out,
                                 boolean[] nonPrivate) {
        if (count == 0 || sampleRate == 0) {
            return;
        }
        if (sigma == 0) {
            nonPrivate[0] = true;
            return;
        }
        Mechanism m = new Mechanism(sigma, sampleRate);
        long total = out.getOrDefault(m, 0L);
        try {
            out.put(m, Math.addExact(total, count));
        } catch (ArithmeticException ex) {
            throw new IllegalArgumentException("the number of steps of " + describe(m) + " overflows a long", ex);
        }
    }

    @Override
    public ComposedEvent history() {
        return new ComposedEvent(events);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The answer is the smallest epsilon at which the pessimistic composed distribution has
     * delta at most {@code delta}; it is never below the true epsilon of the history.
     *
     * @throws IllegalArgumentException if delta is NaN or outside {@code (0, 1)}, or if delta is
     *                                  below the probability mass that truncation has moved to
     *                                  infinite loss (about 1e-15 per composition of a mechanism):
     *                                  no finite epsilon can be certified for it by this
     *                                  accountant, and the message says which delta can
     * @throws IllegalStateException    if the composed distribution would exceed the memory
     *                                  limits (extremely small noise multipliers or
     *                                  discretisation intervals); the message says what to change
     */
    @Override
    public double epsilon(double delta) {
        Checks.openUnitInterval("delta", delta);
        if (nonPrivate) {
            return Double.POSITIVE_INFINITY;
        }
        PrivacyLossDistribution pld = composedDistribution();
        if (pld == null) {
            return 0;
        }
        double unresolved = pld.infinityMass();
        if (unresolved > delta) {
            throw new IllegalArgumentException("delta " + delta + " is below the " + unresolved
                    + " probability mass this PLD cannot resolve (tail truncation); use delta >= "
                    + unresolved + " or the RDP accountant");
        }
        double epsilon = pld.epsilon(delta);
        if (Double.isNaN(epsilon)) {
            throw new IllegalStateException("numerical failure: the PLD epsilon for delta " + delta + " is NaN");
        }
        return epsilon;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The answer is never below the true delta of the history; it includes the mass that
     * truncation has moved to infinite loss (about 1e-15 per composition of a mechanism).
     *
     * @throws IllegalStateException if the composed distribution would exceed the memory limits
     */
    @Override
    public double delta(double epsilon) {
        Checks.finiteNonNegative("epsilon", epsilon);
        if (nonPrivate) {
            return 1;
        }
        PrivacyLossDistribution pld = composedDistribution();
        if (pld == null) {
            return 0;
        }
        double delta = pld.delta(epsilon);
        if (!(delta >= 0 && delta <= 1)) {
            throw new IllegalStateException("numerical failure: the PLD delta for epsilon " + epsilon
                    + " is " + delta);
        }
        return delta;
    }

    /** The composed distribution of the history, built on first use; null if it costs nothing. */
    PrivacyLossDistribution composedDistribution() {
        if (composed != null || steps.isEmpty()) {
            return composed;
        }
        PrivacyLossDistribution result = null;
        double precision = 0;
        Mechanism onlyUnsampled = null;
        int unsampledMechanisms = 0;
        try {
            for (Map.Entry<Mechanism, Long> e : steps.entrySet()) {
                Mechanism m = e.getKey();
                long count = e.getValue();
                if (m.sampleRate() == 1) {
                    precision += count / (m.noiseMultiplier() * m.noiseMultiplier());
                    onlyUnsampled = m;
                    unsampledMechanisms++;
                    continue;
                }
                PrivacyLossDistribution pld = singleStep(m).selfCompose(count);
                result = result == null ? pld : result.compose(pld);
            }
            if (unsampledMechanisms > 0) {
                double sigma = unsampledMechanisms == 1
                        ? onlyUnsampled.noiseMultiplier() / Math.sqrt(steps.get(onlyUnsampled))
                        : 1 / Math.sqrt(precision);
                if (!(sigma > 0)) {
                    throw new IllegalStateException("the unsampled Gaussian events compose to a noise multiplier "
                            + "that underflows (sum of count / sigma^2 = " + precision + ")");
                }
                PrivacyLossDistribution gaussian = singleStep(new Mechanism(sigma, 1));
                result = result == null ? gaussian : result.compose(gaussian);
            }
        } catch (ArithmeticException ex) {
            throw new IllegalStateException("the composed privacy loss grid is too large to index: "
                    + ex.getMessage() + "; use a coarser discretisation interval or the RDP accountant", ex);
        }
        composed = result;
        return result;
    }

    private PrivacyLossDistribution singleStep(Mechanism m) {
        PrivacyLossDistribution pld = singleSteps.get(m);
        if (pld == null) {
            pld = PrivacyLossDistribution.sampledGaussian(m.noiseMultiplier(), m.sampleRate(),
                    discretizationInterval);
            singleSteps.put(m, pld);
        }
        return pld;
    }

    @Override
    public PldAccountant copy() {
        PldAccountant copy = new PldAccountant(discretizationInterval);
        copy.events.addAll(events);
        copy.steps.putAll(steps);
        copy.nonPrivate = nonPrivate;
        copy.singleSteps.putAll(singleSteps);
        copy.composed = composed;
        return copy;
    }

    private static String describe(Mechanism m) {
        return "the Gaussian with noise multiplier " + m.noiseMultiplier() + " at sample rate " + m.sampleRate();
    }

    @Override
    public String toString() {
        return "PldAccountant[discretizationInterval=" + discretizationInterval + ", events=" + events.size() + "]";
    }
}
