package io.github.dpsgd4j.examples.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.LabeledImages;
import io.github.dpsgd4j.examples.data.TrainTestSplit;
import io.github.dpsgd4j.examples.training.Preset;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import io.github.dpsgd4j.optimizers.PrivacyListener;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fine-tuning comparison on tiny synthetic 28 x 28 data: split, frozen parts, JSON fields. */
class FineTuneRunTest {

    /** 60 pretraining + 20 validation public examples, 80 private; one epoch of everything. */
    static final FineTuneRecipe TINY = new FineTuneRecipe(new PrivacyBudget(1.0, 1e-5), 60, 20, 11L, 4,
            new FineTuneRecipe.Pretraining(1, 20, 2e-3), ResidualCnn.FEATURES,
            new FineTuneRecipe.PrivatePhase(1, 40, 1.0, 0.5),
            new FineTuneRecipe.PrivatePhase(1, 40, 1.0, 0.5));

    @Test
    void split_partsAreDisjoint_coverEveryIndex_andDependOnlyOnSizesAndSeed() {
        PublicPrivateSplit split = PublicPrivateSplit.of(1000, 120, 30, 5);
        assertEquals(120, split.pretraining().length);
        assertEquals(30, split.validation().length);
        assertEquals(850, split.privatePart().length);
        assertEquals(150, split.publicCount());
        Set<Integer> seen = new HashSet<>();
        for (int[] part : List.of(split.pretraining(), split.validation(), split.privatePart())) {
            for (int i : part) {
                assertTrue(i >= 0 && i < 1000, "index " + i);
                assertTrue(seen.add(i), "index " + i + " is in two parts");
            }
        }
        assertEquals(1000, seen.size());
        PublicPrivateSplit again = PublicPrivateSplit.of(1000, 120, 30, 5);
        assertArrayEquals(split.pretraining(), again.pretraining());
        assertArrayEquals(split.privatePart(), again.privatePart());
        assertFalse(Arrays.equals(split.pretraining(), PublicPrivateSplit.of(1000, 120, 30, 6).pretraining()),
                "another seed gives another split");
        assertFalse(Arrays.equals(split.pretraining(), java.util.stream.IntStream.range(0, 120).toArray()),
                "the public part is not simply the first examples");
    }

    @Test
    void split_withoutPrivateExamplesLeft_isRefusedNamingTheSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PublicPrivateSplit.of(100, 90, 10, 1));
        assertTrue(e.getMessage().contains("publicCount + validationCount must be < the training set size 100")
                && e.getMessage().contains("90 + 10"), e.getMessage());
    }

    @Test
    void run_freezesTheFeatureExtractorExactly_trainsTheHead_andReportsTheJsonFields() {
        FineTuneResult result = new FineTuneRun(TINY, tinyData(160, 40), NoiseSource.seeded(3), 7,
                TrainingMonitor.NONE).run();
        ComputationGraph pretrained = result.pretrained();
        ComputationGraph tuned = result.fineTuned().graph();
        List<String> frozen = new ArrayList<>();
        for (GraphVertex v : tuned.getVertices()) {
            if (!v.hasLayer() || v.numParams() == 0) {
                continue;
            }
            String name = v.getVertexName();
            if (v.getLayer() instanceof FrozenLayer) {
                frozen.add(name);
                assertEquals(pretrained.getLayer(name).params(), tuned.getLayer(name).params(),
                        name + " is frozen: it must change by exactly 0, noise included");
            } else {
                assertNotEquals(pretrained.getLayer(name).params(), tuned.getLayer(name).params(),
                        name + " is trained privately");
            }
        }
        assertEquals(List.of(ResidualCnn.STEM, ResidualCnn.BLOCK1 + "-conv1", ResidualCnn.BLOCK1 + "-conv2",
                ResidualCnn.BLOCK2 + "-conv1", ResidualCnn.BLOCK2 + "-conv2"), frozen);
        long head = tuned.getLayer(ResidualCnn.HIDDEN_LAYER).numParams() + tuned.getLayer(ResidualCnn.OUTPUT).numParams();
        assertEquals(head, result.fineTuned().trainableParameters());
        assertEquals(tuned.numParams(), result.fromScratch().trainableParameters());

        JsonNode json = result.toJson();
        for (String field : List.of("test_accuracy", "epsilon", "from_scratch_test_accuracy", "public_examples",
                "public_only_test_accuracy", "delta", "noise_multiplier", "steps", "private_examples")) {
            assertTrue(json.has(field), field + " in " + json);
        }
        assertEquals(80, json.get("public_examples").asInt());
        assertEquals(60, json.get("public_pretraining_examples").asInt());
        assertEquals(80, json.get("private_examples").asInt());
        assertEquals(40, json.get("test_size").asInt());
        for (JsonNode run : List.of(json, json.get("from_scratch"))) {
            double epsilon = run.get("epsilon").asDouble();
            assertTrue(epsilon <= 1.0 && epsilon > 0.99, "both runs spend the budget and no more: " + epsilon);
            assertEquals(2, run.get("steps").asLong(), "one epoch at q = 40/80 is 2 steps");
        }
        assertTrue(json.get("test_accuracy").asDouble() >= 0 && json.get("test_accuracy").asDouble() <= 1);
        assertFalse(json.get("secure_noise").asBoolean());
    }

    @Test
    void preset_isAFineTuningComparisonAtEpsilonOne_withDisjointPartsOfTheTrainingFile() {
        Preset p = Preset.parse("fashion-mnist-finetune-eps1");
        assertEquals(Preset.FASHION_MNIST_FINETUNE_EPS1, p);
        FineTuneRecipe recipe = p.fineTuneRecipe().orElseThrow();
        assertEquals(1.0, recipe.budget().epsilon());
        assertEquals(1e-5, recipe.budget().delta());
        assertEquals(ResidualCnn.HIDDEN_LAYER, recipe.frozenUpTo());
        assertTrue(Preset.FASHION_MNIST_EPS3.fineTuneRecipe().isEmpty());
        IllegalStateException e = assertThrows(IllegalStateException.class, p::recipe);
        assertTrue(e.getMessage().contains("fineTuneRecipe()"), e.getMessage());
        PublicPrivateSplit split = PublicPrivateSplit.of(60_000, recipe.publicExamples(), recipe.validationExamples(),
                recipe.splitSeed());
        Set<Integer> publicIndices = new HashSet<>();
        Arrays.stream(split.pretraining()).forEach(publicIndices::add);
        Arrays.stream(split.validation()).forEach(publicIndices::add);
        assertEquals(recipe.publicExamples() + recipe.validationExamples(), publicIndices.size());
        for (int i : split.privatePart()) {
            assertFalse(publicIndices.contains(i), "private index " + i + " is also public");
        }
        assertEquals(60_000 - publicIndices.size(), split.privatePart().length);
    }

    @Test
    void recipe_withAFrozenPartThatIsNotABoundaryOfTheHead_isRefusedNamingIt() {
        for (String bad : new String[] {ResidualCnn.OUTPUT, ResidualCnn.BLOCK2, "no-such-vertex"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new FineTuneRecipe(TINY.budget(), 60, 20, 11L, 4, TINY.pretraining(), bad,
                            TINY.fineTuning(), TINY.fromScratch()));
            assertTrue(e.getMessage().startsWith("frozenUpTo must be \"features\"")
                    && e.getMessage().endsWith("got \"" + bad + "\""), e.getMessage());
        }
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new FineTuneRecipe(TINY.budget(), 60, 20, 11L, 4, TINY.pretraining(), null,
                        TINY.fineTuning(), TINY.fromScratch()));
        assertTrue(none.getMessage().endsWith("got null"), none.getMessage());
    }

    @Test
    void run_refusesImagesOfAnotherSize_andATrainingFileWithoutPrivateExamples() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> new FineTuneRun(TINY, tinyData(50, 10), NoiseSource.seeded(1), 1, TrainingMonitor.NONE));
        assertTrue(small.getMessage().contains("must be larger than the public examples 60 + validation examples 20"),
                small.getMessage());
        LabeledImages eight = LabeledImages.of(8, 8, 10, new float[200 * 64], new int[200]);
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new FineTuneRun(TINY, new TrainTestSplit(eight, eight), NoiseSource.seeded(1), 1,
                        TrainingMonitor.NONE));
        assertTrue(size.getMessage().contains("28 x 28 images, got 8 x 8"), size.getMessage());
    }

    @Test
    void headTrainedOnFrozenFeatures_equalsTheWholeGraphTrainedWithItsExtractorFrozen_sameNoiseAndBatches() {
        DataSet privateSet = tinyData(120, 1).train().toDataSet();
        for (String frozenUpTo : new String[] {ResidualCnn.FEATURES, ResidualCnn.HIDDEN_LAYER}) {
            FineTuneRecipe.PrivatePhase phase = new FineTuneRecipe.PrivatePhase(2, 40, 0.5, 0.5);
            ComputationGraph pretrained = ResidualCnn.build(10, 4, new Adam(1e-3), 5);
            ComputationGraph whole = FineTuneRun.frozenCopy(pretrained, frozenUpTo, phase.learningRate());
            ComputationGraph split = FineTuneRun.frozenCopy(pretrained, frozenUpTo, phase.learningRate());

            DpSgdTrainer direct = new FineTuneRun(TINY, tinyData(160, 40), NoiseSource.seeded(9), 7,
                    TrainingMonitor.NONE).trainer(whole, phase, 120, new PrivacyListener() { });
            direct.fit(privateSet);

            FrozenFeatures frozen = new FrozenFeatures(split);
            ComputationGraph head = frozen.head();
            DpSgdTrainer onFeatures = new FineTuneRun(TINY, tinyData(160, 40), NoiseSource.seeded(9), 7,
                    TrainingMonitor.NONE).trainer(head, phase, 120, new PrivacyListener() { });
            onFeatures.fit(frozen.featurize(privateSet));
            frozen.copyHeadIntoGraph();

            assertEquals(direct.stepsTaken(), onFeatures.stepsTaken());
            assertEquals(direct.config(), onFeatures.config(), "same calibration and settings");
            assertEquals(FineTuneRun.trainableParameters(whole), head.numParams());
            INDArray expected = whole.params();
            INDArray actual = split.params();
            assertNotEquals(pretrained.params(), expected, "the head was trained");
            double scale = expected.norm2Number().doubleValue();
            assertTrue(expected.sub(actual).norm2Number().doubleValue() <= 1e-5 * scale,
                    frozenUpTo + ": the head trained on features must equal the whole graph trained privately");
        }
    }

    /** Learnable 28 x 28 images: class c has a bright column at x = 2c + 4 over a random background. */
    static TrainTestSplit tinyData(int train, int test) {
        return new TrainTestSplit(images(train, 1), images(test, 2));
    }

    private static LabeledImages images(int n, long seed) {
        java.util.Random random = new java.util.Random(seed);
        float[] pixels = new float[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(10);
            for (int p = 0; p < 784; p++) {
                pixels[i * 784 + p] = 0.3f * random.nextFloat();
            }
            for (int y = 0; y < 28; y++) {
                pixels[i * 784 + y * 28 + 2 * labels[i] + 4] = 1f;
            }
        }
        return LabeledImages.of(28, 28, 10, pixels, labels);
    }
}
