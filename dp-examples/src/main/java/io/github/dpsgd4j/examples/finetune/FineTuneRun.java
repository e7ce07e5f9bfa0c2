package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.LabeledImages;
import io.github.dpsgd4j.examples.data.TrainTestSplit;
import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import io.github.dpsgd4j.optimizers.DpSgdConfig;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import io.github.dpsgd4j.optimizers.EpochReport;
import io.github.dpsgd4j.optimizers.PrivacyListener;
import io.github.dpsgd4j.optimizers.StepPlan;
import io.github.dpsgd4j.optimizers.StepReport;
import io.github.dpsgd4j.optimizers.TrainingSummary;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link FineTuneRecipe} on a training file and a test set:
 * <ol>
 *   <li>splits the training file ({@link PublicPrivateSplit}) into public pretraining, public
 *       validation and private examples;</li>
 *   <li>pretrains the {@link ResidualCnn} without privacy (Adam) on the public pretraining examples
 *       only: they are public, so this costs no privacy;</li>
 *   <li>freezes everything up to the recipe's {@link FineTuneRecipe#frozenUpTo()} (with
 *       {@code TransferLearning.GraphBuilder.setFeatureExtractor}) and fine-tunes the layers above
 *       with DP-SGD on the private examples: frozen parameters get no noise and do not move. The
 *       frozen part computes each private example's features once ({@link FrozenFeatures}) and
 *       DP-SGD trains the layers above on them, the same mechanism at a fraction of the cost;</li>
 *   <li>trains the same graph, freshly initialised, with DP-SGD from scratch on the same private
 *       examples at the same budget;</li>
 *   <li>measures test accuracy once, at the end, for the pretrained, fine-tuned and from-scratch
 *       models (during training only the public validation examples are evaluated).</li>
 * </ol>
 * Both private runs calibrate their noise with the PLD accountant so that all their epochs spend
 * the recipe's budget; each has its own ledger. The guarantee of each trained model is
 * (epsilon, delta)-DP with respect to adding or removing one private example.
 *
 * <p>Not thread-safe; one run at a time per instance.
 */
public final class FineTuneRun {

    /** Micro-batch size of the private steps (memory only; results do not depend on it). */
    static final int PHYSICAL_BATCH_SIZE = 256;
    /** Rows evaluated at once when measuring accuracy. */
    private static final int EVALUATION_CHUNK = 1000;

    private final FineTuneRecipe recipe;
    private final TrainTestSplit data;
    private final NoiseSource noise;
    private final long modelSeed;
    private final TrainingMonitor monitor;

    /**
     * @param recipe    what to run
     * @param data      the training file (split into public and private parts) and the test set
     * @param noise     privacy noise and Poisson sampling ({@link NoiseSource#secure()} unless
     *                  reproducibility is wanted)
     * @param modelSeed seed of the weight initialisation and of the pretraining's shuffles
     *                  (data-independent; not privacy noise)
     * @param monitor   progress receiver; its epoch records carry validation accuracy
     */
    public FineTuneRun(FineTuneRecipe recipe, TrainTestSplit data, NoiseSource noise, long modelSeed,
                       TrainingMonitor monitor) {
        this.recipe = Checks.notNull("recipe", recipe);
        this.data = Checks.notNull("data", data);
        this.noise = Checks.notNull("noise", noise);
        this.modelSeed = modelSeed;
        this.monitor = Checks.notNull("monitor", monitor);
        if (data.train().height() != ResidualCnn.SIDE || data.train().width() != ResidualCnn.SIDE) {
            throw new IllegalArgumentException("the residual CNN takes " + ResidualCnn.SIDE + " x " + ResidualCnn.SIDE
                    + " images, got " + data.train().height() + " x " + data.train().width());
        }
        int privateExamples = data.train().size() - recipe.publicExamples() - recipe.validationExamples();
        if (privateExamples < 1) {
            throw new IllegalArgumentException("the training set (" + data.train().size() + " examples) must be "
                    + "larger than the public examples " + recipe.publicExamples() + " + validation examples "
                    + recipe.validationExamples());
        }
        recipe.fineTuning().sampleRate(privateExamples);
        recipe.fromScratch().sampleRate(privateExamples);
    }

    /** Runs the whole comparison. */
    public FineTuneResult run() {
        long start = System.nanoTime();
        PublicPrivateSplit split = PublicPrivateSplit.of(data.train().size(), recipe.publicExamples(),
                recipe.validationExamples(), recipe.splitSeed());
        LabeledImages train = data.train();
        DataSet pretrainingSet = train.subset(split.pretraining()).toDataSet();
        DataSet validation = train.subset(split.validation()).toDataSet();
        DataSet privateSet = train.subset(split.privatePart()).toDataSet();
        DataSet test = data.test().toDataSet();
        int classes = train.classes();

        long pretrainStart = System.nanoTime();
        ComputationGraph pretrained = Pretrainer.pretrain(recipe.pretraining(), pretrainingSet, validation, classes,
                recipe.channels(), modelSeed, monitor);
        double pretrainingSeconds = (System.nanoTime() - pretrainStart) / 1e9;
        double publicOnlyAccuracy = accuracy(pretrained, test);

        FineTuneRecipe.PrivatePhase tuning = recipe.fineTuning();
        ComputationGraph tuned = frozenCopy(pretrained, recipe.frozenUpTo(), tuning.learningRate());
        long tuningStart = System.nanoTime();
        FrozenFeatures frozen = new FrozenFeatures(tuned);
        PrivateTraining head = trainPrivately("DP-SGD fine-tuning (above " + recipe.frozenUpTo() + ")",
                frozen.head(), tuning, frozen.featurize(privateSet), frozen.featurize(validation));
        frozen.copyHeadIntoGraph();
        PrivatePhaseResult fineTuned = head.result(tuned, accuracy(tuned, test), tuningStart);

        FineTuneRecipe.PrivatePhase scratch = recipe.fromScratch();
        ComputationGraph fresh = ResidualCnn.build(classes, recipe.channels(), new Nesterovs(scratch.learningRate(),
                FineTuneRecipe.MOMENTUM), modelSeed);
        long scratchStart = System.nanoTime();
        PrivateTraining whole = trainPrivately("DP-SGD from scratch", fresh, scratch, privateSet, validation);
        PrivatePhaseResult fromScratch = whole.result(fresh, accuracy(fresh, test), scratchStart);
        return new FineTuneResult(recipe, train.size(), data.test().size(), split, pretrained, publicOnlyAccuracy,
                pretrainingSeconds, fineTuned, fromScratch, noise.isSecure(), (System.nanoTime() - start) / 1e9);
    }

    /** A finished DP-SGD run, before its model's test accuracy is measured. */
    private record PrivateTraining(FineTuneRecipe.PrivatePhase phase, DpSgdTrainer trainer, TrainingSummary summary,
                                   List<EpochRecord> history) {

        /** The run's result, {@code graph} being the whole trained graph and {@code since} its start. */
        PrivatePhaseResult result(ComputationGraph graph, double testAccuracy, long since) {
            DpSgdConfig config = trainer.config();
            return new PrivatePhaseResult(phase, testAccuracy, trainer.privacySpent(config.reportingDelta()).epsilon(),
                    trainer.stepsTaken(), (System.nanoTime() - since) / 1e9, List.copyOf(history), trainer.ledger(),
                    summary.budgetStop(), trainableParameters(graph), graph, config);
        }
    }

    private PrivateTraining trainPrivately(String name, ComputationGraph graph, FineTuneRecipe.PrivatePhase phase,
                                           DataSet privateSet, DataSet validation) {
        List<EpochRecord> history = new ArrayList<>();
        long start = System.nanoTime();
        // The trainer updates this graph in place, so the listener evaluates it directly.
        PrivacyListener listener = new PrivacyListener() {
            @Override
            public void onStep(StepReport report) {
                monitor.stepDone();
            }

            @Override
            public void onEpochEnd(EpochReport report) {
                EpochRecord record = new EpochRecord(report.epoch() + 1, report.steps(),
                        accuracy(graph, validation), report.spent().epsilon(),
                        (System.nanoTime() - start) / 1e9);
                history.add(record);
                monitor.epochDone(record, phase.epochs());
            }
        };
        DpSgdTrainer trainer = trainer(graph, phase, (int) privateSet.getFeatures().size(0), listener);
        monitor.runStarted(name, StepPlan.of(trainer.config().sampleRate(), phase.epochs()).totalSteps(), 0);
        TrainingSummary summary;
        try {
            summary = trainer.fit(privateSet);
        } finally {
            monitor.runFinished();
        }
        return new PrivateTraining(phase, trainer, summary, history);
    }

    /** This run's DP-SGD trainer of one private phase ({@link #trainerBuilder}), reporting to {@code listener}. */
    DpSgdTrainer trainer(ComputationGraph graph, FineTuneRecipe.PrivatePhase phase, int privateExamples,
                         PrivacyListener listener) {
        return trainerBuilder(graph, recipe.budget(), phase, privateExamples, noise).listener(listener).build();
    }

    /**
     * DP-SGD of {@code graph} for one private phase on {@code privateExamples} examples: Poisson
     * sampling at q = B / n, the phase's clip, micro-batches of at most {@value #PHYSICAL_BATCH_SIZE},
     * noise calibrated with the PLD accountant so that the phase's epochs spend {@code budget}.
     */
    static DpSgdTrainer.Builder trainerBuilder(ComputationGraph graph, PrivacyBudget budget,
                                               FineTuneRecipe.PrivatePhase phase, int privateExamples,
                                               NoiseSource noise) {
        return DpSgdTrainer.builder(graph)
                .l2NormClip(phase.l2NormClip())
                .sampleRate(phase.sampleRate(privateExamples))
                .physicalBatchSize(Math.min(PHYSICAL_BATCH_SIZE, phase.expectedBatchSize()))
                .reportingDelta(budget.delta())
                .accountant(AccountantType.PLD)
                .noiseSource(noise)
                .targetBudget(budget, phase.epochs());
    }

    /**
     * A copy of {@code pretrained} frozen up to the vertex {@code frozenUpTo} (all of it: {@code "none"}
     * freezes nothing), its other layers set to Nesterov momentum {@value FineTuneRecipe#MOMENTUM} at
     * {@code learningRate}: what DP-SGD fine-tunes. {@code pretrained} is not modified.
     */
    static ComputationGraph frozenCopy(ComputationGraph pretrained, String frozenUpTo, double learningRate) {
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(pretrained.clone())
                .fineTuneConfiguration(new FineTuneConfiguration.Builder()
                        .updater(new Nesterovs(learningRate, FineTuneRecipe.MOMENTUM)).build());
        if (!"none".equals(frozenUpTo)) {
            builder.setFeatureExtractor(frozenUpTo);
        }
        return builder.build();
    }

    /** Parameters outside frozen layers and vertices (what DP-SGD trains and noises). */
    static long trainableParameters(ComputationGraph graph) {
        long trainable = 0;
        for (GraphVertex v : graph.getVertices()) {
            boolean frozen = v instanceof FrozenVertex || (v.hasLayer() && v.getLayer() instanceof FrozenLayer);
            if (!frozen) {
                trainable += v.numParams();
            }
        }
        return trainable;
    }

    /** Fraction of {@code data}'s examples whose most probable class is the labelled one. Not modified. */
    public static double accuracy(ComputationGraph graph, DataSet data) {
        Checks.notNull("graph", graph);
        Checks.notNull("data", data);
        long n = data.getFeatures().size(0);
        long correct = 0;
        for (long from = 0; from < n; from += EVALUATION_CHUNK) {
            long to = Math.min(n, from + EVALUATION_CHUNK);
            INDArray x = data.getFeatures().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            INDArray y = data.getLabels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            INDArray predicted = graph.outputSingle(false, x).argMax(1);
            correct += predicted.eq(y.argMax(1)).castTo(DataType.INT).sumNumber().longValue();
        }
        return n == 0 ? Double.NaN : (double) correct / n;
    }
}
