package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.model.ExampleSet;
import io.github.dpsgd4j.optimizers.model.ModelAdapter;
import io.github.dpsgd4j.optimizers.pergradient.StepWorkspace;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One private step in one JVM, from the parts: record it with the {@link PrivacyGuard}, clip and
 * sum per micro-batch with the {@link GradientEngine}, merge, add noise and normalise with
 * {@link NoiseAndNormalisation}, apply the update through the {@link ModelAdapter}. The trainer
 * decides when to take steps and on which sampled rows.
 *
 * <p>Not thread-safe.
 */
final class PrivateStep {

    private static final Logger log = LoggerFactory.getLogger(DpSgdTrainer.class);

    private final ModelAdapter model;
    private final DpSgdConfig config;
    private final PrivacyGuard guard;
    private final GradientEngine engine;
    private final NoiseAndNormalisation noising;
    private final StepWorkspace noiseWorkspace = new StepWorkspace("DPSGD_NOISE");
    private final StepWorkspace batchWorkspace = new StepWorkspace("DPSGD_BATCH");
    private final List<String> warnings = new ArrayList<>();

    PrivateStep(ModelAdapter model, DpSgdConfig config, PrivacyGuard guard, NoiseSource noise) {
        this.model = model;
        this.config = config;
        this.guard = guard;
        this.engine = new GradientEngine(model, config.l2NormClip(), config.nonFiniteNormPolicy());
        this.noising = new NoiseAndNormalisation(noise, config.noiseStandardDeviation(), model.trainableRanges());
        NoiseAndNormalisation.requireRepresentable(config, model.gradientView().dataType());
        log.info("DP-SGD: clip C = {}, noise multiplier sigma = {}, sample rate q = {}, {} sampling, {} noise, "
                        + "per-example gradients by {}",
                config.l2NormClip(), config.noiseMultiplier(), config.sampleRate(), config.samplingMethod(),
                noise.isSecure() ? "secure" : "SEEDED (NOT SECURE: for reproducible experiments only)",
                engine.strategy());
        if (engine.strategy() == GradientEngine.Strategy.PER_EXAMPLE_LOOP) {
            warn("no per-example gradient rule for " + engine.layersWithoutRule() + ": using the exact per-example "
                    + "loop, which is much slower (about batch-size-1 speed)");
        }
        if (config.samplingMethod() == SamplingMethod.SHUFFLED_FIXED_SIZE) {
            warn("fixed-size shuffled batches: the accountant assumes Poisson sampling, so the reported epsilon "
                    + "is an approximation for this run, not a proven bound");
        }
        if (!config.isPrivate()) {
            warn("noise multiplier is 0: this run is NOT differentially private (epsilon is infinite)");
        }
        if (!noise.isSecure()) {
            warn("seeded noise source: the noise and sampling are reproducible, NOT secure; for experiments only");
        }
    }

    private void warn(String warning) {
        log.warn(warning);
        warnings.add(warning);
    }

    /** The warnings about privacy or speed raised when this step was set up, in order. Immutable. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    GradientEngine.Strategy strategy() {
        return engine.strategy();
    }

    /**
     * Takes the step on the given rows of {@code data} (the guard's refusal must have been checked).
     *
     * @return the merged clipped sum of the batch (its statistics and loss; the sum was used)
     */
    ClippedSum take(ExampleSet data, int[] batch) {
        guard.recordStep();
        ClippedSum total = null;
        for (int from = 0; from < batch.length; from += config.physicalBatchSize()) {
            int[] chunk = Arrays.copyOfRange(batch, from, Math.min(batch.length, from + config.physicalBatchSize()));
            try (MemoryWorkspace scope = batchWorkspace.open()) { // the gathered rows live only for this chunk
                ClippedSum part = engine.clippedSum(data.batch(chunk));
                total = total == null ? part : total.merge(part);
            }
        }
        INDArray view = model.gradientView();
        if (total == null) {
            total = ClippedSum.zero(view.dataType(), view.length());
        }
        try (MemoryWorkspace scope = noiseWorkspace.open()) {
            noising.noisyAverage(total, view, config.sampleRate() * data.size());
        }
        model.applyUpdate(batch.length == 0 ? Double.NaN : total.summedLoss() / batch.length);
        NoiseAndNormalisation.requireFiniteParameters(model.model().params());
        return total;
    }
}
