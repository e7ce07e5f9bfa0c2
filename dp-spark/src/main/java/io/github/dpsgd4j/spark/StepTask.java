package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import io.github.dpsgd4j.optimizers.model.ExampleSet;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.memory.MemoryWorkspace;

import java.io.Serial;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The executor side of one step, for one partition: Poisson-sample the partition's examples with the
 * generator keyed by (step key, partition), run dp-optimizers' {@code GradientEngine} on a local copy
 * of the model (parameters from the step's broadcast) in micro-batches of at most the physical batch
 * size, merge, and return the partition's {@link PartialSum}. The same code path as the single-machine
 * step ({@code ExampleSet.batch} then {@code GradientEngine.clippedSum}, merged).
 *
 * <p>What is serialised into the task is exactly these fields: the handle of the run's constants
 * ({@link RunConstants}: configuration, layer rules, C, policy, q, physical batch size; broadcast once
 * per run), the handle of the step's parameters and the step key. No noise source, no ledger, no
 * updater state. The result does not depend on the task attempt.
 */
final class StepTask implements Function2<Integer, Iterator<PartitionBlock>, Iterator<PartialSum>> {

    @Serial
    private static final long serialVersionUID = 1L;

    private final Broadcast<RunConstants> run;
    private final Broadcast<ParameterVector> parameters;
    private final byte[] stepKey;

    StepTask(Broadcast<RunConstants> run, Broadcast<ParameterVector> parameters, byte[] stepKey) {
        this.run = run;
        this.parameters = parameters;
        this.stepKey = stepKey.clone();
    }

    @Override
    public Iterator<PartialSum> call(Integer partition, Iterator<PartitionBlock> blocks) {
        PartialSum total = PartialSum.empty();
        while (blocks.hasNext()) { // one block per partition
            total = total.merge(partitionSum(partition, blocks.next()));
        }
        return List.of(total).iterator();
    }

    /** The clipped sum of the partition's sampled examples. */
    PartialSum partitionSum(int partition, PartitionBlock block) {
        RunConstants constants = run.value();
        int[] sample = SampleKeys.partitionSampler(stepKey, partition, constants.sampleRate()).sample(block.size());
        if (sample.length == 0) {
            return PartialSum.empty();
        }
        int physicalBatchSize = constants.physicalBatchSize();
        ExampleSet examples = block.examples();
        ExecutorModels.Worker worker = ExecutorModels.acquire(constants);
        try {
            parameters.value().copyInto(worker.model().params());
            ClippedSum total = null;
            for (int from = 0; from < sample.length; from += physicalBatchSize) {
                int[] chunk = Arrays.copyOfRange(sample, from, Math.min(sample.length, from + physicalBatchSize));
                try (MemoryWorkspace scope = worker.workspace().open()) { // gathered rows live for this chunk only
                    ClippedSum part = worker.engine().clippedSum(examples.batch(chunk));
                    if (total == null) {
                        total = part;
                    } else {
                        ClippedSum merged = total.merge(part);
                        total.sum().close(); // off-heap sums are released at once (every step allocates them)
                        part.sum().close();
                        total = merged;
                    }
                }
            }
            PartialSum result = PartialSum.of(total);
            total.sum().close();
            return result;
        } finally {
            worker.adapter().clear();
            ExecutorModels.release(constants.blueprint(), worker);
        }
    }
}
