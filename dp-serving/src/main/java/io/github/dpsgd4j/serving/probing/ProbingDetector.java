package io.github.dpsgd4j.serving.probing;

import io.github.dpsgd4j.common.Checks;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Watches each client's stream of queries for the patterns of {@link ProbingSignal} and, with
 * {@link ProbingSettings.Action#BLOCK}, blocks a flagged client for a cooldown that doubles with
 * each repeat offence (capped at 2<sup>10</sup> cooldowns). The detector sees the model's true
 * probabilities, so it recognises a climb even when the client only receives labels or rounded
 * values. A flag clears the client's history, so the same queries are not counted twice.
 *
 * <p>Memory: {@code history} input vectors per client. Thread-safe (per-client locking).
 */
public final class ProbingDetector {

    private static final int MAX_DOUBLINGS = 10;

    private final ProbingSettings settings;
    private final LongSupplier nanoClock;
    private final ConcurrentMap<String, ClientState> clients = new ConcurrentHashMap<>();

    private record Query(long nanos, double[] input, double[] probabilities, int predicted) {
    }

    private static final class ClientState {
        final ArrayDeque<Query> recent = new ArrayDeque<>();
        long blockedUntil = Long.MIN_VALUE;
        boolean blocked;
        int strikes;
    }

    /** A detector on the system clock. */
    public ProbingDetector(ProbingSettings settings) {
        this(settings, System::nanoTime);
    }

    /**
     * A detector on a given clock.
     *
     * @param nanoClock monotonic nanoseconds (tests use a manual one)
     */
    public ProbingDetector(ProbingSettings settings, LongSupplier nanoClock) {
        this.settings = Checks.notNull("settings", settings);
        this.nanoClock = Checks.notNull("nanoClock", nanoClock);
    }

    /** The thresholds. */
    public ProbingSettings settings() {
        return settings;
    }

    /** How long {@code client} stays blocked; zero if it is not blocked. */
    public Duration blockedFor(String client) {
        ClientState s = clients.get(Checks.notNull("client", client));
        if (s == null) {
            return Duration.ZERO;
        }
        synchronized (s) {
            long now = nanoClock.getAsLong();
            return s.blocked && now - s.blockedUntil < 0 ? Duration.ofNanos(s.blockedUntil - now) : Duration.ZERO;
        }
    }

    /**
     * Records one answered query of {@code client} and returns the signals it completes (empty if
     * none). With {@link ProbingSettings.Action#BLOCK} a non-empty result starts a cooldown.
     *
     * @param input         the query row; copied
     * @param probabilities the model's class probabilities for it (not what was released); copied
     */
    public Set<ProbingSignal> observe(String client, double[] input, double[] probabilities) {
        Checks.notNull("client", client);
        Checks.notNull("input", input);
        Checks.notNull("probabilities", probabilities);
        ClientState s = clients.computeIfAbsent(client, c -> new ClientState());
        synchronized (s) {
            long now = nanoClock.getAsLong();
            Query q = new Query(now, input.clone(), probabilities.clone(), argmax(probabilities));
            Set<ProbingSignal> signals = EnumSet.noneOf(ProbingSignal.class);
            if (nearDuplicateBurst(s, q)) {
                signals.add(ProbingSignal.NEAR_DUPLICATE_BURST);
            }
            s.recent.addLast(q);
            while (s.recent.size() > settings.history()) {
                s.recent.removeFirst();
            }
            if (hillClimbing(s)) {
                signals.add(ProbingSignal.HILL_CLIMBING);
            }
            if (classFocus(s)) {
                signals.add(ProbingSignal.CLASS_FOCUS);
            }
            if (!signals.isEmpty()) {
                s.recent.clear();
                if (settings.action() == ProbingSettings.Action.BLOCK) {
                    long factor = 1L << Math.min(s.strikes, MAX_DOUBLINGS);
                    s.strikes++;
                    s.blockedUntil = now + saturatedMultiply(settings.cooldown().toNanos(), factor);
                    s.blocked = true;
                }
            }
            return Collections.unmodifiableSet(signals);
        }
    }

    private boolean nearDuplicateBurst(ClientState s, Query q) {
        long since = q.nanos() - settings.burstWindow().toNanos();
        int count = 0;
        for (Iterator<Query> it = s.recent.descendingIterator(); it.hasNext(); ) {
            Query e = it.next();
            if (e.nanos() - since < 0) {
                break;
            }
            if (rmsDistance(e.input(), q.input()) <= settings.nearDuplicateRadius()) {
                count++;
            }
        }
        return count >= settings.nearDuplicateLimit();
    }

    private boolean hillClimbing(ClientState s) {
        int steps = settings.climbLength();
        if (s.recent.size() < steps + 1) {
            return false;
        }
        List<Query> chain = new ArrayList<>(steps + 1);
        Iterator<Query> it = s.recent.descendingIterator();
        for (int i = 0; i <= steps; i++) {
            chain.add(0, it.next());
        }
        for (int i = 1; i <= steps; i++) {
            if (rmsDistance(chain.get(i - 1).input(), chain.get(i).input()) > settings.climbStepRadius()) {
                return false;
            }
        }
        int classes = chain.get(0).probabilities().length;
        double needed = Math.ceil(settings.climbRiseFraction() * steps);
        for (int c = 0; c < classes; c++) {
            int rises = 0;
            for (int i = 1; i <= steps; i++) {
                if (chain.get(i).probabilities()[c] > chain.get(i - 1).probabilities()[c]) {
                    rises++;
                }
            }
            double gain = chain.get(steps).probabilities()[c] - chain.get(0).probabilities()[c];
            if (rises >= needed && gain >= settings.climbMinimumGain()) {
                return true;
            }
        }
        return false;
    }

    private boolean classFocus(ClientState s) {
        int length = settings.focusLength();
        if (s.recent.size() < length) {
            return false;
        }
        int classes = s.recent.peekLast().probabilities().length;
        int[] counts = new int[classes];
        Iterator<Query> it = s.recent.descendingIterator();
        for (int i = 0; i < length; i++) {
            counts[it.next().predicted()]++;
        }
        int max = 0;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        return max >= Math.ceil(settings.focusFraction() * length);
    }

    /** Root-mean-square difference per feature; +infinity for rows of different lengths. */
    static double rmsDistance(double[] a, double[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return Math.sqrt(sum / a.length);
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE / 4 : lo;
    }
}
