package io.github.dpsgd4j.benchmarks.core;

import io.github.dpsgd4j.core.noise.NoiseHardening;
import io.github.dpsgd4j.core.noise.NoiseSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Gaussian noise, single-threaded, in bulk fills of {@value #SAMPLES} floats per call; every method
 * counts {@code samples += }{@value #SAMPLES}, so the {@code :samples} score is samples/s and
 * {@code 1e9 / score} is ns per sample.
 *
 * <ul>
 *   <li>{@code secure}, {@code seeded}: {@link NoiseSource#fillGaussian(float[], int, int, double)}
 *       of {@link NoiseSource#secure()} and {@link NoiseSource#seeded(long)};</li>
 *   <li>{@code secureSumOfFour}: {@link NoiseHardening#SUM_OF_FOUR}, the cost of the mitigation;</li>
 *   <li>{@code securePlainJava}: {@code secure} with the Vector API disabled (plain-Java Box-Muller);</li>
 *   <li>{@code secureAddToINDArray}: {@link NoiseSource#addGaussian(INDArray, double)} on a
 *       {@code [1, 1e6]} FLOAT array, the whole cost of noising a gradient view;</li>
 *   <li>baselines: {@code secureRandomBaseline} ({@link SecureRandom#nextGaussian()}, the default
 *       NativePRNG), {@code splittableRandomBaseline} ({@link SplittableRandom#nextGaussian()}, JDK 17
 *       ziggurat, not secure), {@code nd4jBaseline} ({@code Nd4j.randn} into an array: allowed here only
 *       as a baseline, never for privacy noise).</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-modules=jdk.incubator.vector"})
public class NoiseBenchmark {

    static final int SAMPLES = 1_000_000;

    /** Samples produced. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Produced {
        public long samples;

        @Setup(Level.Iteration)
        public void reset() {
            samples = 0;
        }
    }

    /** Sources and output buffers, created once per trial. */
    @State(Scope.Thread)
    public static class Sources {
        public float[] out;
        public NoiseSource secure;
        public NoiseSource secureSumOfFour;
        public NoiseSource seeded;
        public SecureRandom secureRandom;
        public SplittableRandom splittable;

        @Setup(Level.Trial)
        public void setUp() {
            out = new float[SAMPLES];
            secure = NoiseSource.secure();
            secureSumOfFour = NoiseSource.secure(NoiseHardening.SUM_OF_FOUR);
            seeded = NoiseSource.seeded(20240611L);
            secureRandom = new SecureRandom();
            splittable = new SplittableRandom(20240611L);
        }
    }

    /** A FLOAT INDArray of {@value #SAMPLES} elements (its own state, so only ND4J forks load ND4J). */
    @State(Scope.Thread)
    public static class Target {
        public INDArray array;

        @Setup(Level.Trial)
        public void setUp() {
            array = Nd4j.create(DataType.FLOAT, 1, SAMPLES);
        }
    }

    @Benchmark
    public float[] secure(Sources s, Produced p) {
        s.secure.fillGaussian(s.out, 0, SAMPLES, 1.0);
        p.samples += SAMPLES;
        return s.out;
    }

    @Benchmark
    public float[] seeded(Sources s, Produced p) {
        s.seeded.fillGaussian(s.out, 0, SAMPLES, 1.0);
        p.samples += SAMPLES;
        return s.out;
    }

    @Benchmark
    public float[] secureSumOfFour(Sources s, Produced p) {
        s.secureSumOfFour.fillGaussian(s.out, 0, SAMPLES, 1.0);
        p.samples += SAMPLES;
        return s.out;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
            "--add-modules=jdk.incubator.vector", "-Ddpsgd4j.vectorApi=false"})
    public float[] securePlainJava(Sources s, Produced p) {
        s.secure.fillGaussian(s.out, 0, SAMPLES, 1.0);
        p.samples += SAMPLES;
        return s.out;
    }

    @Benchmark
    public INDArray secureAddToINDArray(Sources s, Target t, Produced p) {
        s.secure.addGaussian(t.array, 1e-3);
        p.samples += SAMPLES;
        return t.array;
    }

    @Benchmark
    public float[] secureRandomBaseline(Sources s, Produced p) {
        float[] out = s.out;
        SecureRandom random = s.secureRandom;
        for (int i = 0; i < SAMPLES; i++) {
            out[i] = (float) random.nextGaussian();
        }
        p.samples += SAMPLES;
        return out;
    }

    @Benchmark
    public float[] splittableRandomBaseline(Sources s, Produced p) {
        float[] out = s.out;
        SplittableRandom random = s.splittable;
        for (int i = 0; i < SAMPLES; i++) {
            out[i] = (float) random.nextGaussian();
        }
        p.samples += SAMPLES;
        return out;
    }

    @Benchmark
    public INDArray nd4jBaseline(Target t, Produced p) {
        INDArray result = Nd4j.randn(t.array);
        p.samples += SAMPLES;
        return result;
    }
}
