package io.github.dpsgd4j.benchmarks.core;

import io.github.dpsgd4j.core.clip.ClipAndSum;
import io.github.dpsgd4j.core.clip.ClipFactors;
import io.github.dpsgd4j.core.clip.ClipStats;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Clip-and-sum of a {@code batch x params} float matrix G (the hot loop of DP-SGD with
 * materialised per-example gradients). Every method counts {@code bytes += 8 * batch * params}
 * per call, the traffic of two passes over G (one for the norms, one for the weighted sum), so the
 * {@code :bytes} score is comparable with {@link ReadBandwidthBenchmark#read} (bytes/s). The fused
 * fast path re-reads each small group of rows from cache, so it can exceed the read bandwidth.
 *
 * <ul>
 *   <li>{@code fast}: {@link ClipAndSum#clipAndSum(float[], int, int, double, float[])} on the heap,
 *       Vector API kernels;</li>
 *   <li>{@code fastPlainJava}: the same with the Vector API disabled (the fallback kernels);</li>
 *   <li>{@code twoStage}: the unfused composition squaredRowNorms, ClipFactors, weightedRowSum;</li>
 *   <li>{@code portable}: {@link ClipAndSum#clipAndSum(INDArray, double, INDArray)} on an INDArray;</li>
 *   <li>{@code portableNorms}: {@link ClipAndSum#squaredRowNorms(INDArray)} alone, the kernel private
 *       training runs on rows it holds (the convolution rule's materialised per-example gradients
 *       and the per-example loop); one pass, so it counts {@code 4 * batch * params} bytes;</li>
 *   <li>{@code nd4jBaseline}: the naive ND4J composition {@code norm2(1)}, {@code min(1, C / norm)},
 *       {@code factors.mmul(G)}.</li>
 * </ul>
 * Rows have norms spread around the bound, so about half are clipped. Calls are idempotent ({@code out}
 * is overwritten) and G is allocated once per trial.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class ClipAndSumBenchmark {

    static final String VECTOR = "--add-modules=jdk.incubator.vector";
    static final String ND4J_MEMORY_1 = "-Dorg.bytedeco.javacpp.maxbytes=10G";
    static final String ND4J_MEMORY_2 = "-Dorg.bytedeco.javacpp.maxphysicalbytes=12G";
    static final double L2_NORM_CLIP = 1.0;

    /** The matrix shape; the default grid covers 256x1e5, 1024x1e5, 64x1e6 and 256x1e6 (and 64x1e5, 1024x1e6). */
    @State(Scope.Benchmark)
    public static class Shape {
        @Param({"64", "256", "1024"})
        public int batch;

        @Param({"100000", "1000000"})
        public int params;
    }

    /** Bytes of G streamed, two passes per call. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Traffic {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    /** Fills row {@code i} of G: uniform values scaled so that the row norm is 0.25 .. 2 (C = 1). */
    static void fillRow(float[] row, int i, SplittableRandom random) {
        double norm = 0.25 + 1.75 * ((i * 0.618034) % 1.0);
        double scale = norm * Math.sqrt(3.0 / row.length);
        for (int j = 0; j < row.length; j++) {
            row[j] = (float) ((2 * random.nextDouble() - 1) * scale);
        }
    }

    /** G as one heap array, for the fast paths. */
    @State(Scope.Benchmark)
    public static class HeapMatrix {
        public float[] g;
        public float[] out;
        public double[] norms;

        @Setup(Level.Trial)
        public void setUp(Shape shape) {
            g = new float[Math.multiplyExact(shape.batch, shape.params)];
            out = new float[shape.params];
            norms = new double[shape.batch];
            float[] row = new float[shape.params];
            SplittableRandom random = new SplittableRandom(17);
            for (int i = 0; i < shape.batch; i++) {
                fillRow(row, i, random);
                System.arraycopy(row, 0, g, i * shape.params, shape.params);
            }
        }
    }

    /** G as an off-heap INDArray with the same values, for the ND4J paths. */
    @State(Scope.Benchmark)
    public static class OffHeapMatrix {
        public INDArray g;
        public INDArray out;

        @Setup(Level.Trial)
        public void setUp(Shape shape) {
            g = Nd4j.create(DataType.FLOAT, shape.batch, shape.params);
            out = Nd4j.create(DataType.FLOAT, 1, shape.params);
            float[] row = new float[shape.params];
            SplittableRandom random = new SplittableRandom(17);
            for (int i = 0; i < shape.batch; i++) {
                fillRow(row, i, random);
                g.getRow(i).assign(Nd4j.create(row, new long[] {shape.params}, 'c'));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            g.close();
            out.close();
        }
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch", VECTOR})
    public ClipStats fast(Shape shape, HeapMatrix m, Traffic traffic) {
        ClipStats stats = ClipAndSum.clipAndSum(m.g, shape.batch, shape.params, L2_NORM_CLIP, m.out);
        traffic.bytes += 8L * shape.batch * shape.params;
        return stats;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch", VECTOR,
            "-Ddpsgd4j.vectorApi=false"})
    public ClipStats fastPlainJava(Shape shape, HeapMatrix m, Traffic traffic) {
        ClipStats stats = ClipAndSum.clipAndSum(m.g, shape.batch, shape.params, L2_NORM_CLIP, m.out);
        traffic.bytes += 8L * shape.batch * shape.params;
        return stats;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch", VECTOR})
    public float[] twoStage(Shape shape, HeapMatrix m, Traffic traffic) {
        ClipAndSum.squaredRowNorms(m.g, shape.batch, shape.params, m.norms);
        double[] factors = ClipFactors.fromSquaredNorms(m.norms, L2_NORM_CLIP, NonFiniteNormPolicy.SKIP).factors();
        ClipAndSum.weightedRowSum(m.g, shape.batch, shape.params, factors, m.out);
        traffic.bytes += 8L * shape.batch * shape.params;
        return m.out;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", VECTOR, ND4J_MEMORY_1,
            ND4J_MEMORY_2})
    public ClipStats portable(Shape shape, OffHeapMatrix m, Traffic traffic) {
        ClipStats stats = ClipAndSum.clipAndSum(m.g, L2_NORM_CLIP, m.out);
        traffic.bytes += 8L * shape.batch * shape.params;
        return stats;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", VECTOR, ND4J_MEMORY_1,
            ND4J_MEMORY_2})
    public double[] portableNorms(Shape shape, OffHeapMatrix m, Traffic traffic) {
        double[] norms = ClipAndSum.squaredRowNorms(m.g);
        traffic.bytes += 4L * shape.batch * shape.params;
        return norms;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", VECTOR, ND4J_MEMORY_1,
            ND4J_MEMORY_2})
    public INDArray nd4jBaseline(Shape shape, OffHeapMatrix m, Traffic traffic) {
        INDArray norms = m.g.norm2(1);
        INDArray factors = Transforms.min(norms.rdivi(L2_NORM_CLIP), 1.0, false);
        INDArray sum = factors.reshape(1, shape.batch).mmul(m.g);
        traffic.bytes += 8L * shape.batch * shape.params;
        return sum;
    }
}
