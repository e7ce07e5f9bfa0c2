package io.github.dpsgd4j.examples.finetune;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.examples.report.Json;
import io.github.dpsgd4j.examples.report.RunReports;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The outcome of a {@link FineTuneRun}.
 *
 * @param recipe                   what was run
 * @param trainingFileSize         examples in the training file (public and private parts together)
 * @param testSize                 test examples
 * @param split                    the public/private split of the training file
 * @param pretrained               the graph after non-private pretraining on the public examples
 * @param publicOnlyTestAccuracy   test accuracy of {@code pretrained} alone, in [0, 1]
 * @param pretrainingSeconds       wall-clock seconds of the pretraining
 * @param fineTuned                the DP-SGD fine-tuning of the layers above the frozen part
 * @param fromScratch              the DP-SGD training of the whole graph from scratch
 * @param secureNoise              whether noise and sampling came from the secure source
 * @param seconds                  wall-clock seconds of the whole comparison
 */
public record FineTuneResult(FineTuneRecipe recipe, int trainingFileSize, int testSize, PublicPrivateSplit split,
                             ComputationGraph pretrained, double publicOnlyTestAccuracy, double pretrainingSeconds,
                             PrivatePhaseResult fineTuned, PrivatePhaseResult fromScratch, boolean secureNoise,
                             double seconds) {

    public FineTuneResult {
        Checks.notNull("recipe", recipe);
        Checks.notNull("split", split);
        Checks.notNull("fineTuned", fineTuned);
        Checks.notNull("fromScratch", fromScratch);
    }

    /**
     * The summary: the fine-tuned model's {@code test_accuracy}, {@code epsilon}, {@code delta},
     * {@code target_epsilon}, {@code noise_multiplier}, {@code steps}, {@code epochs},
     * {@code sample_rate}, {@code expected_batch_size}, {@code clip}, {@code learning_rate},
     * {@code momentum}, {@code accountant}; {@code from_scratch_test_accuracy} and
     * {@code from_scratch_epsilon}; {@code public_only_test_accuracy} (the pretrained model before
     * any private data); {@code public_examples} (pretraining + validation, removed from the
     * private data), {@code public_pretraining_examples}, {@code public_validation_examples},
     * {@code private_examples}, {@code split_seed}; {@code frozen_up_to}; objects {@code fine_tuned},
     * {@code from_scratch} and {@code pretraining} with each run's settings and figures; timings.
     */
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("dataset", "fashion-mnist");
        json.put("model", "residual-cnn");
        json.put("channels", recipe.channels());
        json.put("train_size", split.privatePart().length);
        json.put("test_size", testSize);
        json.put("training_file_size", trainingFileSize);
        json.put("public_examples", split.publicCount());
        json.put("public_pretraining_examples", split.pretraining().length);
        json.put("public_validation_examples", split.validation().length);
        json.put("private_examples", split.privatePart().length);
        json.put("split_seed", recipe.splitSeed());
        json.put("private", true);
        json.put("test_accuracy", fineTuned.testAccuracy());
        json.put("from_scratch_test_accuracy", fromScratch.testAccuracy());
        json.put("public_only_test_accuracy", publicOnlyTestAccuracy);
        json.put("improvement_points", 100 * (fineTuned.testAccuracy() - fromScratch.testAccuracy()));
        json.setAll(phaseFields(fineTuned));
        json.put("from_scratch_epsilon", fromScratch.epsilon());
        json.put("accountant", "pld");
        json.put("frozen_up_to", recipe.frozenUpTo());
        json.set("fine_tuned", phaseFields(fineTuned));
        json.set("from_scratch", phaseFields(fromScratch));
        ObjectNode pretraining = json.putObject("pretraining");
        pretraining.put("epochs", recipe.pretraining().epochs());
        pretraining.put("batch_size", recipe.pretraining().batchSize());
        pretraining.put("updater", "adam");
        pretraining.put("learning_rate", recipe.pretraining().learningRate());
        pretraining.put("final_learning_rate", recipe.pretraining().finalLearningRate());
        pretraining.put("seconds", pretrainingSeconds);
        json.put("noise", RunReports.noise(secureNoise));
        json.put("secure_noise", secureNoise);
        json.put("pretraining_seconds", pretrainingSeconds);
        json.put("fine_tuning_seconds", fineTuned.seconds());
        json.put("from_scratch_seconds", fromScratch.seconds());
        json.put("training_seconds", seconds);
        return json;
    }

    private ObjectNode phaseFields(PrivatePhaseResult r) {
        ObjectNode json = Json.object();
        json.put("test_accuracy", r.testAccuracy());
        Json.number(json, "epsilon", r.epsilon());
        json.put("delta", r.delta());
        json.put("target_epsilon", recipe.budget().epsilon());
        json.put("noise_multiplier", r.noiseMultiplier());
        json.put("steps", r.steps());
        json.put("epochs", r.phase().epochs());
        json.put("sample_rate", r.sampleRate());
        json.put("expected_batch_size", r.phase().expectedBatchSize());
        json.put("clip", r.phase().l2NormClip());
        json.put("learning_rate", r.phase().learningRate());
        json.put("momentum", FineTuneRecipe.MOMENTUM);
        json.put("trainable_parameters", r.trainableParameters());
        json.put("parameters", r.graph().numParams());
        json.put("sampling_method", r.ledger().samplingMethod().name());
        json.put("certified", r.ledger().samplingMethod().isCertified());
        json.put("seconds", r.seconds());
        r.budgetStop().ifPresent(stop -> json.put("budget_stop", stop));
        return json;
    }
}
