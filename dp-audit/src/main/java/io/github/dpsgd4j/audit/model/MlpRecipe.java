package io.github.dpsgd4j.audit.model;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyGuarantee;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.common.Shuffles;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A multilayer perceptron (tanh hidden layers, softmax output, cross-entropy) trained either
 * without privacy (shuffled mini-batches, {@code fit}) or with DP-SGD through
 * {@link DpSgdTrainer} (Poisson sampling, noise calibrated by PLD to a target budget). With no
 * hidden layer it is softmax regression. Immutable but for a memo, per training-set size, of the
 * first private run: its calibrated noise multiplier, its steps (taken under the trainer's budget
 * guard) and the guarantee it spent (calibration, the guard's step search and the PLD epsilon take
 * seconds per model; shadow models share a few sizes, and a later run of the same size with the same
 * sigma, q and steps has the same ledger, so it reuses them and trains without repeating the guard's
 * search); thread-safe: {@link #train} may run on several threads at once, each call builds its own
 * network.
 */
public final class MlpRecipe implements TrainingRecipe {

    private final int features;
    private final int classes;
    private final int[] hidden;
    private final int epochs;
    private final int batchSize;
    private final IUpdater updater;
    private final PrivacyBudget budget;
    private final double l2NormClip;
    private final NoiseMode noiseMode;
    /** The guarded, calibrated run per training-set size (shadow models share a few sizes); a memo, thread-safe. */
    private final Map<Integer, CalibratedRun> calibrated = new ConcurrentHashMap<>();

    /**
     * A private run that calibrated sigma for a training-set size and took its steps under the
     * trainer's budget guard, with the guarantee it spent.
     */
    private record CalibratedRun(double noiseMultiplier, double sampleRate, long steps, PrivacyGuarantee spent) {
    }

    private MlpRecipe(Builder b) {
        this.features = b.features;
        this.classes = b.classes;
        this.hidden = b.hidden.clone();
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.budget = b.budget;
        this.l2NormClip = b.l2NormClip;
        this.noiseMode = b.noiseMode;
        this.updater = b.updater != null ? b.updater
                : budget != null ? new Nesterovs(0.1, 0.9) : new Adam(1e-3);
    }

    /**
     * Starts a recipe for {@code features} inputs and {@code classes} classes.
     *
     * @param features > 0
     * @param classes  >= 2
     */
    public static Builder builder(int features, int classes) {
        return new Builder(features, classes);
    }

    /** The privacy budget of a private recipe, or null for a non-private one. */
    public PrivacyBudget budget() {
        return budget;
    }

    /** Epochs of training (an epoch is N examples in expectation). */
    public int epochs() {
        return epochs;
    }

    /** A new, initialised network of this recipe's architecture. */
    public MultiLayerNetwork newNetwork(long seed) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed).updater(updater.clone())
                .list();
        for (int h : hidden) {
            list.layer(new DenseLayer.Builder().nOut(h).activation(Activation.TANH).build());
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.setInputType(InputType.feedForward(features)).build());
        net.init();
        return net;
    }

    @Override
    public TrainedModel train(DataSet data, long seed) {
        Checks.notNull("data", data);
        MultiLayerNetwork net = newNetwork(seed);
        int n = data.numExamples();
        if (budget == null) {
            trainNonPrivately(net, data, seed);
            return TrainedModel.nonPrivate(net);
        }
        NoiseSource noise = noiseMode == NoiseMode.SECURE ? NoiseSource.secure() : NoiseSource.seeded(seed);
        double q = Math.min(1.0, (double) batchSize / n);
        DpSgdTrainer.Builder builder = DpSgdTrainer.builder(net).l2NormClip(l2NormClip).sampleRate(q).noiseSource(noise);
        CalibratedRun known = calibrated.get(n);
        if (known != null) {
            // A run of this size calibrated sigma for these (budget, q, epochs) and took its steps under the
            // budget guard: the same sigma, q and steps make the same ledger, hence the same guarantee. The
            // guard's search for the steps the budget allows (seconds of PLD work per model) is not repeated;
            // the step count is checked against the guarded run's below.
            builder.noiseMultiplier(known.noiseMultiplier());
        } else {
            // targetBudget(budget, epochs) calibrates sigma for exactly the steps fit(data, epochs) takes.
            builder.targetBudget(budget, epochs);
        }
        DpSgdTrainer trainer = builder.build();
        trainer.fit(data, epochs);
        CalibratedRun run;
        if (known == null) {
            run = new CalibratedRun(trainer.config().noiseMultiplier(), trainer.config().sampleRate(),
                    trainer.stepsTaken(), trainer.privacySpent(budget.delta()));
            calibrated.putIfAbsent(n, run);
        } else {
            if (trainer.stepsTaken() != known.steps() || trainer.config().sampleRate() != known.sampleRate()) {
                throw new IllegalStateException("a private run of " + n + " examples took " + trainer.stepsTaken()
                        + " steps at sample rate " + trainer.config().sampleRate() + " but the guarded run it reuses "
                        + "the calibration of took " + known.steps() + " at " + known.sampleRate()
                        + ": its guarantee is unknown (a bug)");
            }
            run = known;
        }
        PrivacyGuarantee spent = run.spent();
        return new TrainedModel(net, spent.epsilon(), spent.delta(), new TrainedModel.DpSgdRun(l2NormClip,
                run.noiseMultiplier(), run.sampleRate(), run.steps()));
    }

    /**
     * The shared calibration of a private recipe (null without privacy): the first model of each
     * training-set size calibrates sigma and takes its steps under the trainer's budget guard; later
     * models of that size reuse its sigma, sample rate and step count (checked equal after training, else
     * an error) and so have the same ledger and guarantee, but their steps are not checked against the
     * budget one by one.
     */
    @Override
    public String shadowCertificationNote() {
        return budget == null ? null : SHARED_CALIBRATION_NOTE;
    }

    /** The text of {@link #shadowCertificationNote()} for private recipes. */
    public static final String SHARED_CALIBRATION_NOTE = "private models of the same training-set size share "
            + "the first one's noise calibration: the first is trained under the budget guard, the others reuse its "
            + "sigma, sample rate and step count (checked equal after training), so they spend the same guarantee, "
            + "but their steps are not guarded one by one; shadow models are the auditor's own and are never released";

    /** True: every call builds its own network and noise source; the calibration memo is concurrent. */
    @Override
    public boolean threadSafe() {
        return true;
    }

    private void trainNonPrivately(MultiLayerNetwork net, DataSet data, long seed) {
        int n = data.numExamples();
        INDArray x = data.getFeatures();
        INDArray y = data.getLabels();
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int e = 0; e < epochs; e++) {
            Shuffles.shuffle(order, random);
            // The epoch's order gathered once; each mini-batch is then a block of consecutive rows (the same
            // rows in the same order as gathering each batch on its own, one copy per epoch instead of two per batch).
            INDArray xs = Nd4j.pullRows(x, 1, order);
            INDArray ys = Nd4j.pullRows(y, 1, order);
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                net.fit(xs.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup(),
                        ys.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup());
            }
        }
    }

    /** Configures an {@link MlpRecipe}. */
    public static final class Builder {
        private final int features;
        private final int classes;
        private int[] hidden = {64};
        private int epochs = 30;
        private int batchSize = 64;
        private IUpdater updater;
        private PrivacyBudget budget;
        private double l2NormClip = 1.0;
        private NoiseMode noiseMode = NoiseMode.SECURE;

        private Builder(int features, int classes) {
            this.features = Checks.positive("features", features);
            if (classes < 2) {
                throw new IllegalArgumentException("classes must be >= 2, got " + classes);
            }
            this.classes = classes;
        }

        /** Widths of the hidden layers (none: softmax regression); each > 0. Default {64}. */
        public Builder hidden(int... widths) {
            Checks.notNull("widths", widths);
            for (int w : widths) {
                Checks.positive("hidden width", w);
            }
            this.hidden = widths.clone();
            return this;
        }

        /** Training epochs, > 0; default 30. */
        public Builder epochs(int epochs) {
            this.epochs = Checks.positive("epochs", epochs);
            return this;
        }

        /**
         * Mini-batch size without privacy; with privacy, the expected batch size of Poisson
         * sampling (q = batchSize / N). > 0; default 64.
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = Checks.positive("batchSize", batchSize);
            return this;
        }

        /** The DL4J updater; default Adam(1e-3) without privacy, Nesterovs(0.1, 0.9) with. */
        public Builder updater(IUpdater updater) {
            this.updater = Checks.notNull("updater", updater);
            return this;
        }

        /**
         * Trains with DP-SGD: noise calibrated (PLD) so that the epochs spend exactly
         * {@code budget}, clipping at {@code l2NormClip}.
         */
        public Builder privately(PrivacyBudget budget, double l2NormClip, NoiseMode noiseMode) {
            this.budget = Checks.notNull("budget", budget);
            this.l2NormClip = Checks.finitePositive("l2NormClip", l2NormClip);
            this.noiseMode = Checks.notNull("noiseMode", noiseMode);
            return this;
        }

        /** Builds the recipe. */
        public MlpRecipe build() {
            return new MlpRecipe(this);
        }
    }
}
