package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.core.sampling.PoissonSampler;
import io.github.dpsgd4j.core.sampling.ShuffledBatchSampler;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import io.github.dpsgd4j.optimizers.model.ExampleSet;
import io.github.dpsgd4j.optimizers.model.ModelAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The run of a {@link DpSgdTrainer}: epochs of {@link PrivateStep private steps} on the batches of the
 * configured sampling method, the stop before a step that would exceed the budget, checkpoints at their
 * cadence and at epoch ends, the count of steps taken, and the listeners' step, epoch and budget events.
 *
 * <p>Not thread-safe; owned by one trainer.
 */
final class TrainingLoop {

    private static final Logger log = LoggerFactory.getLogger(TrainingLoop.class);

    private final ModelAdapter model;
    private final DpSgdConfig config;
    private final PrivateStep step;
    private final PrivacyGuard guard;
    private final RunPersistence persistence;
    private final boolean secureNoise;
    private final List<PrivacyListener> listeners;
    private final Supplier<List<String>> warnings;
    private final PoissonSampler sampler;
    private final ShuffledBatchSampler shuffled;
    /** Steps whose update was applied, over the whole run. */
    private long stepsTaken;

    TrainingLoop(ModelAdapter model, DpSgdConfig config, PrivateStep step, PrivacyGuard guard,
                 RunPersistence persistence, NoiseSource noise, List<PrivacyListener> listeners,
                 Supplier<List<String>> warnings, long stepsTaken) {
        this.model = model;
        this.config = config;
        this.step = step;
        this.guard = guard;
        this.persistence = persistence;
        this.secureNoise = noise.isSecure();
        this.listeners = listeners;
        this.warnings = warnings;
        this.sampler = new PoissonSampler(config.sampleRate(), noise);
        this.shuffled = new ShuffledBatchSampler(config.sampleRate(), noise);
        this.stepsTaken = stepsTaken;
    }

    long stepsTaken() {
        return stepsTaken;
    }

    /** Takes up to {@code totalSteps} steps in epochs of {@link StepPlan#stepsPerEpoch}; stops before the budget. */
    TrainingSummary run(ExampleSet training, long totalSteps) {
        model.checkData(training);
        long stepsPerEpoch = StepPlan.stepsPerEpoch(config.sampleRate());
        long stepsAtStart = stepsTaken;
        long done = 0;
        int epochsDone = 0;
        while (done < totalSteps) {
            long steps = Math.min(stepsPerEpoch, totalSteps - done);
            int epoch = model.epochCount();
            model.epochStarted();
            EpochTotals totals = new EpochTotals();
            List<int[]> shuffledBatches = config.samplingMethod() == SamplingMethod.SHUFFLED_FIXED_SIZE
                    ? shuffled.epoch(training.size(), stepsPerEpoch) : null;
            for (long s = 0; s < steps; s++) {
                Optional<String> refusal = guard.refusal();
                if (refusal.isPresent()) {
                    log.warn(refusal.get());
                    for (PrivacyListener l : listeners) {
                        l.onBudgetExhausted(refusal.get());
                    }
                    saveCheckpointIfConfigured();
                    return new TrainingSummary(stepsTaken - stepsAtStart, epochsDone, refusal, warnings.get());
                }
                int[] batch = shuffledBatches != null ? shuffledBatches.get((int) s) : sampler.sample(training.size());
                totals.add(takeStep(training, batch, epoch));
                done++;
                if (persistence.due(stepsTaken)) {
                    saveCheckpointIfConfigured();
                }
            }
            model.epochEnded();
            epochsDone++;
            if (!listeners.isEmpty()) {
                EpochReport report = new EpochReport(epoch, stepsTaken,
                        guard.spent(config.reportingDelta(), config.accountant()), totals.meanLoss(),
                        totals.clippedFraction());
                for (PrivacyListener l : listeners) {
                    l.onEpochEnd(report);
                }
            }
            saveCheckpointIfConfigured();
        }
        return new TrainingSummary(stepsTaken - stepsAtStart, epochsDone, Optional.empty(), warnings.get());
    }

    /** One step on a fresh Poisson sample of {@code examples} (the caller checked the budget). */
    StepReport poissonStep(ExampleSet examples) {
        return takeStep(examples, sampler.sample(examples.size()), model.epochCount());
    }

    private StepReport takeStep(ExampleSet data, int[] batch, int epoch) {
        ClippedSum total = step.take(data, batch);
        stepsTaken++;
        StepReport report = new StepReport(stepsTaken, epoch, batch.length,
                batch.length == 0 ? Double.NaN : total.summedLoss() / batch.length, total.stats().clippedCount(),
                total.stats().nonFiniteCount());
        for (PrivacyListener l : listeners) {
            l.onStep(report);
        }
        return report;
    }

    private void saveCheckpointIfConfigured() {
        persistence.saveIfConfigured(model.model(), config, guard, stepsTaken, secureNoise);
    }
}
