package io.github.dpsgd4j.benchmarks.accounting;

import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.pld.PldAccountant;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import pl.edu.icm.jlargearrays.ConcurrencyUtils;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.concurrent.TimeUnit;

/**
 * The PLD accountant on the MNIST DP-SGD setting (q = 256/60000, sigma = 1.1, delta = 1e-5;
 * 14063 steps give epsilon 2.3818 at the default interval 1e-4), swept over the number of steps
 * and the loss discretisation interval.
 *
 * <ul>
 *   <li>{@link #epsilonOfFreshAccountant}: a new accountant, one {@code compose}, one
 *       {@code epsilon} query: the whole cost a report or a CLI call pays (single-step
 *       discretisation, FFT self-composition, query). Target: at most 0.6 s at 14063 steps and
 *       1e-4 on a 2-core machine (dp_accounting: about 1.2 s).</li>
 *   <li>{@link #epsilonOfComposedAccountant}: the query alone, on an accountant whose composed
 *       distribution is already built (what later queries on an unchanged history cost).</li>
 * </ul>
 *
 * <p>The fork runs with {@code -Xmx512m}: the benchmark fails with an OutOfMemoryError if a
 * setting needs more heap (override with {@code -jvmArgsAppend -Xmx64m} to find the smallest heap
 * that suffices). At the end of each trial the fork prints the peak heap occupancy since set-up
 * (sum of the peaks of the heap pools, uncollected garbage included, so an upper bound on the live
 * set); {@code -prof gc} reports the bytes allocated per query. {@code jtransformsThreads} sets
 * JTransforms' global thread count for the fork (0 = its default); dpsgd4j keeps JTransforms on
 * single-threaded plans, so it should make no difference. Run with for example
 * {@code java -jar benchmarks/target/benchmarks.jar PldAccountantBenchmark -f 1 -wi 3 -i 5}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PldAccountantBenchmark {

    private static final double SAMPLE_RATE = 256.0 / 60000;
    private static final double NOISE_MULTIPLIER = 1.1;
    private static final double DELTA = 1e-5;

    @Param({"1000", "14063", "100000"})
    public long steps;

    @Param({"1e-3", "1e-4", "1e-5"})
    public double discretization;

    @Param({"0"})
    public int jtransformsThreads;

    private PldAccountant composed;

    @Setup(Level.Trial)
    public void setUp() {
        if (jtransformsThreads > 0) {
            ConcurrencyUtils.setNumberOfThreads(jtransformsThreads);
        }
        composed = PldAccountant.withDiscretization(discretization);
        composed.compose(DpEvent.dpSgd(NOISE_MULTIPLIER, SAMPLE_RATE, steps));
        composed.epsilon(DELTA);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    @TearDown(Level.Trial)
    public void reportPeakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("%npeak heap occupancy, garbage included (steps %d, interval %s): %.1f MiB of %.0f MiB max%n", steps,
                discretization, peak / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
    }

    @Benchmark
    public double epsilonOfFreshAccountant() {
        PldAccountant accountant = PldAccountant.withDiscretization(discretization);
        accountant.compose(DpEvent.dpSgd(NOISE_MULTIPLIER, SAMPLE_RATE, steps));
        return accountant.epsilon(DELTA);
    }

    @Benchmark
    public double epsilonOfComposedAccountant() {
        return composed.epsilon(DELTA);
    }
}
