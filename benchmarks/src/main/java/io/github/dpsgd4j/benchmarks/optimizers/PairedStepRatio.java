package io.github.dpsgd4j.benchmarks.optimizers;

import java.util.Arrays;

/**
 * The private/non-private step-time ratio of one {@link StepBenchmark} model, measured by
 * alternating one private and one non-private step in the same JVM, so that a change of load on a
 * shared machine hits both modes alike (JMH runs all of one mode's iterations before the other's).
 * Not a replacement for the JMH figures on a quiet machine: a check that holds up on a busy one.
 *
 * <pre>
 * OMP_NUM_THREADS=1 java -Xmx256m --add-modules=jdk.incubator.vector \
 *     -cp benchmarks/target/benchmarks.jar io.github.dpsgd4j.benchmarks.optimizers.PairedStepRatio cnn 40
 * </pre>
 * Arguments: the model (as {@link StepBenchmark#model}), the number of measured pairs (after 5
 * warm-up pairs), optionally the sequence length. Prints each mode's median and the median and
 * quartiles of the per-pair ratios.
 */
public final class PairedStepRatio {

    private PairedStepRatio() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: PairedStepRatio MODEL PAIRS [SEQUENCE_LENGTH]   (e.g. cnn 40)");
            System.exit(2);
        }
        String model = args[0];
        int pairs = Integer.parseInt(args[1]);
        if (pairs < 4) {
            throw new IllegalArgumentException("PAIRS must be at least 4 (quartiles), got " + pairs);
        }
        int sequenceLength = args.length == 3 ? Integer.parseInt(args[2]) : 20;
        StepBenchmark privateStep = benchmark(model, sequenceLength, "private");
        StepBenchmark plainStep = benchmark(model, sequenceLength, "nonprivate");
        for (int i = 0; i < 5; i++) {
            privateStep.step();
            plainStep.step();
        }
        double[] privateMs = new double[pairs];
        double[] plainMs = new double[pairs];
        double[] ratios = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            long t0 = System.nanoTime();
            privateStep.step();
            long t1 = System.nanoTime();
            plainStep.step();
            long t2 = System.nanoTime();
            privateMs[i] = (t1 - t0) / 1e6;
            plainMs[i] = (t2 - t1) / 1e6;
            ratios[i] = privateMs[i] / plainMs[i];
        }
        Arrays.sort(privateMs);
        Arrays.sort(plainMs);
        Arrays.sort(ratios);
        System.out.printf("%s: %d pairs; private median %.1f ms, non-private median %.1f ms; "
                        + "paired ratio median %.2f (quartiles %.2f-%.2f)%n", model, pairs, privateMs[pairs / 2],
                plainMs[pairs / 2], ratios[pairs / 2], ratios[pairs / 4], ratios[(3 * pairs) / 4]);
    }

    private static StepBenchmark benchmark(String model, int sequenceLength, String mode) {
        StepBenchmark b = new StepBenchmark();
        b.model = model;
        b.seqLength = sequenceLength;
        b.mode = mode;
        b.setUp();
        return b;
    }
}
