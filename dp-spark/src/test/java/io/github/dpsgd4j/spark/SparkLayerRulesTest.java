package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.pergradient.DenseLayerRule;
import io.github.dpsgd4j.optimizers.pergradient.LayerBackward;
import io.github.dpsgd4j.optimizers.pergradient.LayerRule;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;
import io.github.dpsgd4j.optimizers.pergradient.LayerSupport;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layer rules registered by the user reach the executors (serialised), in the driver's order. */
class SparkLayerRulesTest {

    /** Backward passes run by {@link CountingDenseRule} in this JVM (local mode: the executors' too). */
    static final AtomicInteger BACKWARD_CALLS = new AtomicInteger();

    /** A user's rule: dense layers as {@link DenseLayerRule} does, counting its backward passes. */
    static final class CountingDenseRule implements LayerRule, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private final transient DenseLayerRule dense = new DenseLayerRule();

        private DenseLayerRule dense() {
            return dense != null ? dense : new DenseLayerRule(); // transient: re-created after deserialisation
        }

        @Override
        public LayerSupport supports(Layer layer) {
            return dense().supports(layer);
        }

        @Override
        public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
            BACKWARD_CALLS.incrementAndGet();
            return dense().backward(layer, outputGradient, needInputGradient);
        }
    }

    /** A rule that cannot travel to the executors. */
    static final class LocalOnlyRule implements LayerRule {
        @Override
        public LayerSupport supports(Layer layer) {
            return LayerSupport.notHandled();
        }

        @Override
        public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
            throw new UnsupportedOperationException();
        }
    }

    private static SparkTrainerBuilder builder(MultiLayerNetwork net, DataSet data) {
        return SparkDpSgdTrainer.builder(SparkFixtures.spark(), net).data(SparkFixtures.rdd(data, 2)).l2NormClip(1)
                .noiseMultiplier(0.5).sampleRate(0.5).noiseSource(NoiseSource.seeded(3));
    }

    @Test
    void userRule_runsOnTheExecutors_andGivesTheSameStepAsTheBuiltInRule() {
        DataSet data = SparkFixtures.data(24, DataType.DOUBLE, 8);
        MultiLayerNetwork start = SparkFixtures.mlp(DataType.DOUBLE, new Nesterovs(0.1, 0.9), 8);
        MultiLayerNetwork builtIn = start.clone();
        MultiLayerNetwork user = start.clone();
        try (SparkDpSgdTrainer trainer = builder(builtIn, data).build()) {
            trainer.step();
            trainer.step();
        }
        int before = BACKWARD_CALLS.get();
        try (SparkDpSgdTrainer trainer = builder(user, data)
                .layerRules(LayerRules.defaults().withFirst(new CountingDenseRule())).build()) {
            trainer.step();
            trainer.step();
            assertTrue(trainer.warnings().stream().noneMatch(w -> w.contains("no per-example gradient rule")));
        }
        // The driver computes no gradients: every call came from a task.
        assertTrue(BACKWARD_CALLS.get() - before >= 2, "the executors used the user's rule");
        assertEquals(builtIn.params(), user.params());
    }

    @Test
    void userRules_travelSerialised_andTheDefaultsAreRecreatedInOrder() throws Exception {
        LayerRules rules = LayerRules.defaults().withFirst(new CountingDenseRule());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(ExecutorRules.of(rules));
        }
        ExecutorRules copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (ExecutorRules) in.readObject();
        }
        List<LayerRule> rebuilt = copy.rules().rules();
        assertEquals(rules.rules().size(), rebuilt.size());
        assertInstanceOf(CountingDenseRule.class, rebuilt.get(0));
        assertNotSame(rules.rules().get(0), rebuilt.get(0));
        for (int i = 1; i < rebuilt.size(); i++) {
            assertSame(LayerRules.defaults().rules().get(i - 1), rebuilt.get(i), "built-in rule " + i);
        }
    }

    @Test
    void nonSerialisableRule_isRefusedAtBuild_namingTheClass_andNothingIsSpent(@TempDir Path checkpoints)
            throws IOException {
        DataSet data = SparkFixtures.data(8, DataType.FLOAT, 9);
        MultiLayerNetwork net = SparkFixtures.mlp(DataType.FLOAT, new Nesterovs(0.1, 0.9), 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder(net, data)
                .layerRules(LayerRules.defaults().withLast(new LocalOnlyRule())).checkpoints(checkpoints, 0).build());
        assertTrue(e.getMessage().contains(LocalOnlyRule.class.getName()) && e.getMessage().contains("Serializable"),
                e.getMessage());
        try (var files = Files.list(checkpoints)) {
            assertEquals(0, files.count(), "no journal: nothing spent");
        }
    }
}
