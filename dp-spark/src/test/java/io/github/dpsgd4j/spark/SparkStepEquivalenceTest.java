package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import io.github.dpsgd4j.optimizers.NoiseAndNormalisation;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.model.ExampleSet;
import io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With sigma = 0 a Spark step is the single-machine private step. */
class SparkStepEquivalenceTest {

    private static final double C = 0.7;

    /** Largest |a - b| over max(|b|) : relative difference of two parameter vectors. */
    static double relativeDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue() / Math.max(1e-300, b.amaxNumber().doubleValue());
    }

    @Test
    void oneStep_sigmaZero_equalsTheSingleMachineStepOnTheSameSample() {
        int n = 120;
        int partitions = 4;
        double q = 0.3;
        DataSet data = SparkFixtures.data(n, DataType.DOUBLE, 1);
        MultiLayerNetwork sparkNet = SparkFixtures.mlp(DataType.DOUBLE, new Nesterovs(0.1, 0.9), 3);
        MultiLayerNetwork localNet = sparkNet.clone();
        JavaRDD<DataSet> rdd = SparkFixtures.rdd(data, partitions);
        try (SparkDpSgdTrainer trainer = SparkDpSgdTrainer.builder(SparkFixtures.spark(), sparkNet).data(rdd)
                .l2NormClip(C).noiseMultiplier(0).sampleRate(q).physicalBatchSize(7)
                .noiseSource(NoiseSource.seeded(11)).build()) {
            trainer.step();
            // The same sample, recomputed from the step key: partition p holds rows [30p, 30p + 30).
            byte[] key = trainer.lastStepKey();
            List<Integer> rows = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                for (int local : SampleKeys.partitionSampler(key, p, q).sample(n / partitions)) {
                    rows.add(p * (n / partitions) + local);
                }
            }
            assertTrue(rows.size() > 10 && rows.size() < 60, "sample size " + rows.size());
            // The single-machine step from its parts (the sequence of dp-optimizers' PrivateStep.take).
            MultiLayerNetworkAdapter adapter = new MultiLayerNetworkAdapter(localNet, LayerRules.defaults());
            GradientEngine engine = new GradientEngine(adapter, C, NonFiniteNormPolicy.SKIP);
            ClippedSum sum = engine.clippedSum(ExampleSet.of(data).batch(rows.stream().mapToInt(i -> i).toArray()));
            new NoiseAndNormalisation(NoiseSource.seeded(0), 0, adapter.trainableRanges())
                    .noisyAverage(sum, adapter.gradientView(), q * n);
            adapter.applyUpdate(sum.summedLoss() / rows.size());

            assertTrue(relativeDifference(sparkNet.params(), localNet.params()) < 1e-6);
            assertTrue(relativeDifference(sparkNet.params(), SparkFixtures.mlp(DataType.DOUBLE,
                    new Nesterovs(0.1, 0.9), 3).params()) > 1e-4, "the step changed the parameters");
            assertEquals(1, trainer.stepsTaken());
        }
    }

    @Test
    void threeEpochs_fullBatch_sigmaZero_matchTheSingleMachineTrainer_withAdam() {
        int n = 90;
        DataSet data = SparkFixtures.data(n, DataType.DOUBLE, 2);
        MultiLayerNetwork sparkNet = SparkFixtures.mlp(DataType.DOUBLE, new Adam(0.05), 5);
        MultiLayerNetwork localNet = sparkNet.clone();
        DpSgdTrainer local = DpSgdTrainer.builder(localNet).l2NormClip(C).noiseMultiplier(0).sampleRate(1)
                .noiseSource(NoiseSource.seeded(1)).build();
        local.fit(data, 3);
        try (SparkDpSgdTrainer trainer = SparkDpSgdTrainer.builder(SparkFixtures.spark(), sparkNet)
                .data(SparkFixtures.rdd(data, 3)).l2NormClip(C).noiseMultiplier(0).sampleRate(1).epochs(3)
                .noiseSource(NoiseSource.seeded(2)).build()) {
            trainer.fit();
            assertEquals(3, trainer.stepsTaken());
            assertEquals(3, sparkNet.getEpochCount());
            assertEquals(localNet.getIterationCount(), sparkNet.getIterationCount());
            assertTrue(relativeDifference(sparkNet.params(), localNet.params()) < 1e-6,
                    "relative difference " + relativeDifference(sparkNet.params(), localNet.params()));
        }
    }

    @Test
    void computationGraph_multiDataSets_fullBatch_sigmaZero_matchTheSingleMachineTrainer() {
        int n = 60;
        MultiDataSet data = SparkFixtures.multiData(n, DataType.DOUBLE, 4);
        ComputationGraph sparkGraph = SparkFixtures.graph(DataType.DOUBLE, new Nesterovs(0.1, 0.9), 6);
        ComputationGraph localGraph = sparkGraph.clone();
        DpSgdTrainer local = DpSgdTrainer.builder(localGraph).l2NormClip(C).noiseMultiplier(0).sampleRate(1)
                .noiseSource(NoiseSource.seeded(1)).build();
        local.fit(data, 2);
        JavaRDD<MultiDataSet> rdd = SparkFixtures.spark().parallelize(SparkFixtures.multiRows(data), 3);
        try (SparkDpSgdTrainer trainer = SparkDpSgdTrainer.builder(SparkFixtures.spark(), sparkGraph).multiData(rdd)
                .l2NormClip(C).noiseMultiplier(0).sampleRate(1).noiseSource(NoiseSource.seeded(2)).build()) {
            trainer.fit(2);
            assertTrue(relativeDifference(sparkGraph.params(), localGraph.params()) < 1e-6,
                    "relative difference " + relativeDifference(sparkGraph.params(), localGraph.params()));
            assertEquals(2, sparkGraph.getEpochCount());
        }
    }
}
