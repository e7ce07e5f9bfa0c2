package io.github.dpsgd4j.benchmarks.accounting;

import io.github.dpsgd4j.accounting.ComposedEvent;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.GaussianEvent;
import io.github.dpsgd4j.accounting.PoissonSampledEvent;
import io.github.dpsgd4j.accounting.rdp.RdpAccountant;
import io.github.dpsgd4j.accounting.rdp.RdpConvention;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the RDP accountant (dp_accounting-compatible, 156 default orders, delta 1e-5).
 *
 * <p>Ledger shape: a 100,000-step run on MNIST-sized data (q = 256/60000) with a noise schedule,
 * as 100 segments of 1,000 steps whose noise multiplier decays linearly from 1.5 to 0.8 (100
 * distinct mechanisms). The worst case changes sigma at every step: every step is a new mechanism
 * and costs one per-step RDP vector; it is measured on {@code distinctSteps} steps, and the cost
 * grows linearly with the number of distinct mechanisms.
 *
 * <ul>
 *   <li>{@code ledgerEpsilon_coldCache}: epsilon of the 100-segment ledger from scratch (a fresh
 *       order set, so all 100 per-step vectors are computed);</li>
 *   <li>{@code ledgerEpsilon_warmCache}: the same with the per-step vectors already cached (what
 *       re-reading a ledger costs in a running process);</li>
 *   <li>{@code perStepCheck}: one training step's budget check on top of the 100,000-step history:
 *       {@code epsilonAfter(step)} then {@code compose(step)};</li>
 *   <li>{@code perStepCheck_newSigmaEveryStep}: the same when every step has a new sigma;</li>
 *   <li>{@code ledgerEpsilon_distinctSigmaPerStep}: epsilon of a ledger whose every step has its
 *       own sigma, cold.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class RdpAccountantBenchmark {

    private static final double Q = 256 / 60000.0;
    private static final double DELTA = 1e-5;
    private static final int SEGMENTS = 100;
    private static final long STEPS_PER_SEGMENT = 1_000;

    @Param({"1000"})
    public int distinctSteps;

    private double[] defaultOrders;
    private ComposedEvent scheduleLedger;
    private ComposedEvent perStepSigmaLedger;
    private RdpAccountant trainer;
    private DpEvent step;
    private long newSigmaCounter;

    @Setup(Level.Trial)
    public void buildLedgers() {
        defaultOrders = RdpConvention.DP_ACCOUNTING.defaultOrders();
        List<DpEvent> segments = new ArrayList<>();
        for (int s = 0; s < SEGMENTS; s++) {
            segments.add(DpEvent.dpSgd(scheduleSigma(s), Q, STEPS_PER_SEGMENT));
        }
        scheduleLedger = new ComposedEvent(segments);
        List<DpEvent> steps = new ArrayList<>();
        for (int i = 0; i < distinctSteps; i++) {
            steps.add(DpEvent.dpSgd(1.5 - 0.7 * i / distinctSteps, Q, 1));
        }
        perStepSigmaLedger = new ComposedEvent(steps);
        RdpAccountant.create().compose(scheduleLedger).epsilon(DELTA); // fills the shared default cache
    }

    /** A fresh trainer accountant holding the 100,000-step history before each iteration. */
    @Setup(Level.Iteration)
    public void resetTrainer() {
        trainer = RdpAccountant.create().compose(scheduleLedger);
        step = new PoissonSampledEvent(Q, new GaussianEvent(scheduleSigma(SEGMENTS - 1)));
    }

    private static double scheduleSigma(int segment) {
        return 1.5 - 0.7 * segment / (SEGMENTS - 1);
    }

    @Benchmark
    public double ledgerEpsilon_coldCache() {
        return RdpAccountant.withOrders(defaultOrders).compose(scheduleLedger).epsilon(DELTA);
    }

    @Benchmark
    public double ledgerEpsilon_warmCache() {
        return RdpAccountant.create().compose(scheduleLedger).epsilon(DELTA);
    }

    @Benchmark
    public double perStepCheck() {
        double epsilon = trainer.epsilonAfter(step, DELTA);
        trainer.compose(step);
        return epsilon;
    }

    @Benchmark
    public double perStepCheck_newSigmaEveryStep() {
        DpEvent next = new PoissonSampledEvent(Q, new GaussianEvent(0.8 + 1e-9 * ++newSigmaCounter));
        double epsilon = trainer.epsilonAfter(next, DELTA);
        trainer.compose(next);
        return epsilon;
    }

    @Benchmark
    public double ledgerEpsilon_distinctSigmaPerStep() {
        return RdpAccountant.withOrders(defaultOrders).compose(perStepSigmaLedger).epsilon(DELTA);
    }
}
