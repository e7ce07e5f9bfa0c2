package io.github.dpsgd4j.benchmarks.core;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The machine's single-thread streaming read bandwidth, the ceiling against which
 * {@link ClipAndSumBenchmark} is judged: {@code read} sums a 1 GiB float array (far larger than any
 * cache) with the widest vectors and eight independent accumulators, and counts
 * {@code bytes += 4 * length} per call, so its {@code :bytes} score is bytes/s.
 * {@code readPlainJava} does the same with eight scalar accumulators, for reference.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--add-modules=jdk.incubator.vector"})
public class ReadBandwidthBenchmark {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

    /** Bytes read. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Traffic {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    /** 2^28 floats = 1 GiB. */
    @State(Scope.Benchmark)
    public static class Data {
        public float[] a;

        @Setup(Level.Trial)
        public void setUp() {
            a = new float[1 << 28];
            Arrays.fill(a, 1.0f);
            for (int i = 0; i < a.length; i += 4096) {
                a[i] = i % 7;
            }
        }
    }

    @Benchmark
    public float read(Data data, Traffic traffic) {
        float[] a = data.a;
        int lanes = FLOATS.length();
        FloatVector s0 = FloatVector.zero(FLOATS);
        FloatVector s1 = FloatVector.zero(FLOATS);
        FloatVector s2 = FloatVector.zero(FLOATS);
        FloatVector s3 = FloatVector.zero(FLOATS);
        FloatVector s4 = FloatVector.zero(FLOATS);
        FloatVector s5 = FloatVector.zero(FLOATS);
        FloatVector s6 = FloatVector.zero(FLOATS);
        FloatVector s7 = FloatVector.zero(FLOATS);
        int i = 0;
        int bound = a.length - a.length % (8 * lanes);
        for (; i < bound; i += 8 * lanes) {
            s0 = s0.add(FloatVector.fromArray(FLOATS, a, i));
            s1 = s1.add(FloatVector.fromArray(FLOATS, a, i + lanes));
            s2 = s2.add(FloatVector.fromArray(FLOATS, a, i + 2 * lanes));
            s3 = s3.add(FloatVector.fromArray(FLOATS, a, i + 3 * lanes));
            s4 = s4.add(FloatVector.fromArray(FLOATS, a, i + 4 * lanes));
            s5 = s5.add(FloatVector.fromArray(FLOATS, a, i + 5 * lanes));
            s6 = s6.add(FloatVector.fromArray(FLOATS, a, i + 6 * lanes));
            s7 = s7.add(FloatVector.fromArray(FLOATS, a, i + 7 * lanes));
        }
        float s = s0.add(s1).add(s2.add(s3)).add(s4.add(s5).add(s6.add(s7))).reduceLanes(VectorOperators.ADD);
        for (; i < a.length; i++) {
            s += a[i];
        }
        traffic.bytes += 4L * a.length;
        return s;
    }

    @Benchmark
    public float readPlainJava(Data data, Traffic traffic) {
        float[] a = data.a;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = 0;
        for (; i + 8 <= a.length; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        float s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (; i < a.length; i++) {
            s += a[i];
        }
        traffic.bytes += 4L * a.length;
        return s;
    }
}
