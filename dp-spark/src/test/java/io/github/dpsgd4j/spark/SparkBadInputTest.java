package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.StepReport;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets an error naming the value and the fix, before anything is spent. */
class SparkBadInputTest {

    private static SparkTrainerBuilder builder(MultiLayerNetwork net, JavaRDD<DataSet> rdd) {
        return SparkDpSgdTrainer.builder(SparkFixtures.spark(), net).data(rdd).l2NormClip(1).noiseMultiplier(1)
                .sampleRate(0.5).noiseSource(NoiseSource.seeded(1));
    }

    private static MultiLayerNetwork net() {
        return SparkFixtures.mlp(DataType.FLOAT, new Sgd(0.1), 1);
    }

    private static long filesIn(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        }
    }

    @Test
    void mismatchedFeatureSizes_acrossPartitions_areNamed_andNothingIsSpent(@TempDir Path checkpoints) throws IOException {
        List<DataSet> rows = new ArrayList<>(SparkFixtures.rows(SparkFixtures.data(4, DataType.FLOAT, 1)));
        for (int i = 0; i < 4; i++) {
            rows.add(new DataSet(Nd4j.rand(DataType.FLOAT, 1, 9), Nd4j.zeros(DataType.FLOAT, 1, 3)));
        }
        JavaRDD<DataSet> rdd = SparkFixtures.spark().parallelize(rows, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder(net(), rdd).checkpoints(checkpoints, 0).build());
        assertTrue(e.getMessage().contains("partition 1") && e.getMessage().contains("[[9]]")
                && e.getMessage().contains("[[8]]"), e.getMessage());
        assertEquals(0, filesIn(checkpoints), "no journal: nothing spent");
    }

    @Test
    void mismatchedFeatureSizes_withinAPartition_areNamed() {
        List<DataSet> rows = new ArrayList<>(SparkFixtures.rows(SparkFixtures.data(3, DataType.FLOAT, 1)));
        rows.add(new DataSet(Nd4j.rand(DataType.FLOAT, 1, 7), Nd4j.zeros(DataType.FLOAT, 1, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder(net(), SparkFixtures.spark().parallelize(rows, 1)).build());
        assertTrue(e.getMessage().contains("partition 0, element 3") && e.getMessage().contains("[[7]]"), e.getMessage());
    }

    @Test
    void featuresThatDoNotFitTheModel_orWrongLabels_areRejectedBeforeTraining() {
        List<DataSet> wide = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            wide.add(new DataSet(Nd4j.rand(DataType.FLOAT, 1, 5), Nd4j.zeros(DataType.FLOAT, 1, 3)));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder(net(), SparkFixtures.spark().parallelize(wide, 2)).build());
        assertTrue(e.getMessage().contains("do not fit the model"), e.getMessage());
        List<DataSet> labels = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            labels.add(new DataSet(Nd4j.rand(DataType.FLOAT, 1, 8), Nd4j.zeros(DataType.FLOAT, 1, 4)));
        }
        e = assertThrows(IllegalArgumentException.class,
                () -> builder(net(), SparkFixtures.spark().parallelize(labels, 2)).build());
        assertTrue(e.getMessage().contains("labels 0 have shape [4]") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void emptyRdd_isRejected() {
        JavaRDD<DataSet> empty = SparkFixtures.spark().parallelize(new ArrayList<DataSet>(), 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder(net(), empty).build());
        assertTrue(e.getMessage().contains("holds no examples") && e.getMessage().contains("3 partitions"), e.getMessage());
    }

    @Test
    void missingSettings_nameTheSetter() {
        JavaRDD<DataSet> rdd = SparkFixtures.rdd(SparkFixtures.data(4, DataType.FLOAT, 1), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkDpSgdTrainer.builder(SparkFixtures.spark(), net()).l2NormClip(1).noiseMultiplier(1)
                        .sampleRate(0.5).build());
        assertTrue(e.getMessage().contains("data(JavaRDD<DataSet>)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SparkDpSgdTrainer.builder(SparkFixtures.spark(), net()).data(rdd).noiseMultiplier(1)
                        .sampleRate(0.5).build());
        assertTrue(e.getMessage().contains("l2NormClip"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> builder(net(), rdd).sampleRate(1.5));
        assertTrue(e.getMessage().contains("sampleRate") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> builder(net(), rdd).aggregationDepth(0));
        assertTrue(e.getMessage().contains("aggregationDepth"), e.getMessage());
    }

    @Test
    void emptyPartitions_contributeNothing_andTrainingWorks() {
        DataSet data = SparkFixtures.data(3, DataType.FLOAT, 2);
        JavaRDD<DataSet> sparse = SparkFixtures.spark().parallelize(SparkFixtures.rows(data), 6);
        try (SparkDpSgdTrainer trainer = builder(net(), sparse).sampleRate(1).noiseMultiplier(0).build()) {
            assertEquals(3, trainer.trainingSetSize());
            assertEquals(6, trainer.partitions());
            assertEquals(3, trainer.step().batchSize());
        }
    }

    @Test
    void emptySample_isANoiseOnlyStep_countedInTheLedger() {
        MultiLayerNetwork net = net();
        org.nd4j.linalg.api.ndarray.INDArray before = net.params().dup();
        try (SparkDpSgdTrainer trainer = builder(net, SparkFixtures.rdd(SparkFixtures.data(10, DataType.FLOAT, 3), 2))
                .sampleRate(1e-9).build()) {
            StepReport report = trainer.step();
            assertEquals(0, report.batchSize());
            assertTrue(Double.isNaN(report.meanLoss()));
            assertEquals(1, trainer.ledger().totalSteps());
            assertNotEquals(before, net.params(), "the noise is applied even to an empty batch");
        }
    }
}
