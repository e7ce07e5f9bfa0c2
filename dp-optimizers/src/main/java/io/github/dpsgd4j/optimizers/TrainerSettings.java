package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.NoiseCalibration;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;
import org.deeplearning4j.nn.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings of a {@link DpSgdTrainer} and their validation: the setters of
 * {@link DpSgdTrainer.Builder}, which is the only subclass (see {@link DpSgdTrainer#builder}).
 */
public abstract sealed class TrainerSettings permits DpSgdTrainer.Builder {

    private static final Logger log = LoggerFactory.getLogger(DpSgdTrainer.class);

    final Model net;
    Double l2NormClip;
    Double noiseMultiplier;
    Double sampleRate;
    PrivacyBudget targetBudget;
    double targetEpochs = Double.NaN;
    double epochs = Double.NaN;
    LayerRules layerRules = LayerRules.defaults();
    PrivacyBudget budget;
    SamplingMethod samplingMethod = SamplingMethod.POISSON;
    int physicalBatchSize = 256;
    NonFiniteNormPolicy nonFiniteNormPolicy = NonFiniteNormPolicy.SKIP;
    AccountantType accountant = AccountantType.PLD;
    Double reportingDelta;
    NoiseSource noise;
    final List<PrivacyListener> listeners = new ArrayList<>();
    Path checkpointDirectory;
    long checkpointEverySteps;
    long journalReservation = PrivacyGuard.DEFAULT_JOURNAL_RESERVATION;
    /** The ledger the run continues (a model saved with its ledger), or empty. */
    PrivacyLedger initialLedger = PrivacyLedger.empty();

    TrainerSettings(Model net) {
        this.net = Checks.notNull("net", net);
    }

    /** Continues {@code saved}: its model, its ledger, and its settings except the noise (set sigma again). */
    TrainerSettings(SavedModel saved) {
        this(Checks.notNull("saved", saved).model());
        DpSgdConfig c = saved.config();
        this.initialLedger = saved.ledger();
        this.l2NormClip = c.l2NormClip();
        this.sampleRate = c.sampleRate();
        this.samplingMethod = c.samplingMethod();
        this.physicalBatchSize = c.physicalBatchSize();
        this.nonFiniteNormPolicy = c.nonFiniteNormPolicy();
        this.accountant = c.accountant();
        this.budget = c.budget();
        if (c.budget() == null) {
            this.reportingDelta = c.reportingDelta();
        }
    }

    private DpSgdTrainer.Builder self() {
        return (DpSgdTrainer.Builder) this;
    }

    /**
     * C, the L2 norm every example's gradient is clipped to; required, > 0. Infinity (no clipping)
     * is accepted only for comparisons with non-private training and gives no privacy: the
     * trainer logs a warning, and with a noise multiplier above 0 it is refused at build().
     */
    public DpSgdTrainer.Builder l2NormClip(double l2NormClip) {
        this.l2NormClip = Checks.positive("l2NormClip", l2NormClip);
        return self();
    }

    /** sigma, noise standard deviation over C; finite and >= 0. Or use {@link #targetBudget}. */
    public DpSgdTrainer.Builder noiseMultiplier(double noiseMultiplier) {
        this.noiseMultiplier = Checks.finiteNonNegative("noiseMultiplier", noiseMultiplier);
        return self();
    }

    /** q, the Poisson sampling rate (expected batch size / training-set size); required, in (0, 1]. */
    public DpSgdTrainer.Builder sampleRate(double sampleRate) {
        this.sampleRate = Checks.sampleRate("sampleRate", sampleRate);
        return self();
    }

    /**
     * Calibrates sigma so that {@code epochs} epochs ({@link StepPlan#totalSteps()} steps, what
     * {@link DpSgdTrainer#fit(DataSet)} takes) spend exactly {@code budget} (the smallest sigma
     * that meets it, by the configured accountant), guards the budget, and plans those epochs.
     */
    public DpSgdTrainer.Builder targetBudget(PrivacyBudget budget, double epochs) {
        this.targetBudget = Checks.notNull("budget", budget);
        this.targetEpochs = Checks.finitePositive("epochs", epochs);
        return self();
    }

    /**
     * The epochs {@link DpSgdTrainer#fit(DataSet)} runs when sigma is given directly; finite and
     * {@code > 0}. With {@link #targetBudget} the epochs are planned there (equal values only).
     */
    public DpSgdTrainer.Builder epochs(double epochs) {
        this.epochs = Checks.finitePositive("epochs", epochs);
        return self();
    }

    /**
     * The layer rules to use ({@link LayerRules#defaults()} by default); register a rule for your
     * own layer with {@code LayerRules.defaults().withFirst(rule)}.
     */
    public DpSgdTrainer.Builder layerRules(LayerRules rules) {
        this.layerRules = Checks.notNull("rules", rules);
        return self();
    }

    /** A budget training must never exceed: it stops before the step that would. */
    public DpSgdTrainer.Builder budget(PrivacyBudget budget) {
        this.budget = Checks.notNull("budget", budget);
        return self();
    }

    /** How batches are drawn; {@link SamplingMethod#POISSON} by default. */
    public DpSgdTrainer.Builder samplingMethod(SamplingMethod method) {
        this.samplingMethod = Checks.notNull("samplingMethod", method);
        return self();
    }

    /** The largest micro-batch run through the network at once (memory only); 256 by default. */
    public DpSgdTrainer.Builder physicalBatchSize(int size) {
        this.physicalBatchSize = Checks.positive("physicalBatchSize", size);
        return self();
    }

    /** What happens to an example whose gradient norm is NaN or infinite; SKIP by default. */
    public DpSgdTrainer.Builder nonFiniteNormPolicy(NonFiniteNormPolicy policy) {
        this.nonFiniteNormPolicy = Checks.notNull("nonFiniteNormPolicy", policy);
        return self();
    }

    /** The accountant for reports, calibration and the budget guard; PLD (tight) by default. */
    public DpSgdTrainer.Builder accountant(AccountantType accountant) {
        this.accountant = Checks.notNull("accountant", accountant);
        return self();
    }

    /** The delta for epsilon reports during training; the budget's delta, else 1e-5. */
    public DpSgdTrainer.Builder reportingDelta(double delta) {
        this.reportingDelta = Checks.openUnitInterval("reportingDelta", delta);
        return self();
    }

    /** The randomness for noise and sampling; {@link NoiseSource#secure()} by default. */
    public DpSgdTrainer.Builder noiseSource(NoiseSource noise) {
        this.noise = Checks.notNull("noise", noise);
        return self();
    }

    /** Adds a listener for steps, epochs (with epsilon) and budget stops. */
    public DpSgdTrainer.Builder listener(PrivacyListener listener) {
        this.listeners.add(Checks.notNull("listener", listener));
        return self();
    }

    /**
     * Writes checkpoints to {@code directory} after every epoch, every {@code everySteps} steps
     * (0: epochs only) and when a budget stops training, and keeps a write-ahead journal of the
     * privacy ledger there.
     */
    public DpSgdTrainer.Builder checkpoints(Path directory, long everySteps) {
        this.checkpointDirectory = Checks.notNull("directory", directory);
        this.checkpointEverySteps = Checks.nonNegative("everySteps", everySteps);
        return self();
    }

    /**
     * Steps reserved in the checkpoint directory's privacy journal at a time, {@code >= 1}; 64 by default.
     * After a crash, up to this many steps that may not have been taken are counted as spent (erring
     * toward privacy); a smaller value over-counts less and forces the journal to disk more often.
     */
    public DpSgdTrainer.Builder journalReservation(long steps) {
        this.journalReservation = Checks.positive("journalReservation", steps);
        return self();
    }

    /** Validates everything and resolves the configuration (calibrating sigma first if asked). */
    DpSgdConfig resolveConfig() {
        if (l2NormClip == null) {
            throw new IllegalArgumentException("l2NormClip is required: call l2NormClip(C)");
        }
        if (sampleRate == null) {
            throw new IllegalArgumentException("sampleRate is required: call sampleRate(expectedBatchSize / N)");
        }
        if ((noiseMultiplier == null) == (targetBudget == null)) {
            throw new IllegalArgumentException("set exactly one of noiseMultiplier(sigma) and targetBudget(budget, epochs)");
        }
        if (targetBudget != null && budget != null && !budget.equals(targetBudget)) {
            throw new IllegalArgumentException("targetBudget " + targetBudget + " and budget " + budget
                    + " differ; set one");
        }
        PrivacyBudget guard = budget != null ? budget : targetBudget;
        double sigma;
        if (targetBudget != null) {
            // Exactly the steps fit() takes.
            long steps = StepPlan.of(sampleRate, targetEpochs).totalSteps();
            sigma = NoiseCalibration.noiseMultiplier(accountant, targetBudget, sampleRate, steps);
            log.info("calibrated noise multiplier {} for {} over {} steps ({} epochs) with the {} accountant",
                    sigma, targetBudget, steps, targetEpochs, accountant);
        } else {
            sigma = noiseMultiplier;
        }
        double delta = guard != null ? guard.delta() : reportingDelta != null ? reportingDelta : 1e-5;
        if (guard != null && reportingDelta != null && reportingDelta != guard.delta()) {
            throw new IllegalArgumentException("reportingDelta " + reportingDelta + " differs from the budget's delta "
                    + guard.delta());
        }
        DpSgdConfig config = new DpSgdConfig(l2NormClip, sigma, sampleRate, samplingMethod, physicalBatchSize,
                nonFiniteNormPolicy, guard, accountant, delta);
        if (checkpointDirectory != null && DpSgdCheckpoint.exists(checkpointDirectory)) {
            throw new IllegalArgumentException("checkpoint directory " + checkpointDirectory + " already holds a "
                    + "dpsgd4j run; resume it with DpSgdTrainer.resume(directory) or choose an empty directory");
        }
        if (!Double.isNaN(epochs) && !Double.isNaN(targetEpochs) && epochs != targetEpochs) {
            throw new IllegalArgumentException("epochs " + epochs + " and targetBudget's epochs " + targetEpochs
                    + " differ; set the epochs once, in targetBudget(budget, epochs)");
        }
        return config;
    }

    /**
     * Validates the privacy settings and resolves the configuration (calibrating sigma first if asked)
     * without building a trainer: for trainers that take the same settings elsewhere (dp-spark), so the
     * checks and the calibration have one owner. Nothing is spent.
     *
     * @throws IllegalArgumentException naming the setting and what to do
     */
    public DpSgdConfig validatedConfig() {
        return resolveConfig();
    }

    /** The epochs planned for {@code fit(data)} (targetBudget's or epochs'), or NaN if none were. */
    public double plannedEpochs() {
        return Double.isNaN(targetEpochs) ? epochs : targetEpochs;
    }

    /** The noise source to use: the one given, else a secure one. */
    NoiseSource noiseSourceOrSecure() {
        return noise != null ? noise : NoiseSource.secure();
    }
}
