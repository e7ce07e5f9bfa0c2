package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.optimizers.DpSgdConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one DP-SGD run of a {@link FineTuneRun}.
 *
 * @param phase           the settings it ran with
 * @param testAccuracy    final accuracy on the test set, in [0, 1]
 * @param epsilon         epsilon spent at {@code delta} by every recorded step (PLD accountant)
 * @param steps           steps taken
 * @param seconds         wall-clock seconds of the run: feature extraction (fine-tuning), training,
 *                        per-epoch validation and the final test evaluation
 * @param history         one record per epoch; its {@code testAccuracy} field holds the accuracy on
 *                        the public validation examples (the test set is used only at the end)
 * @param ledger          the privacy ledger
 * @param budgetStop      why the budget stopped training early, if it did
 * @param trainableParameters parameters DP-SGD trained (and noised); frozen ones excluded
 * @param graph           the whole trained graph (frozen parts included)
 * @param config          the DP-SGD configuration the run trained with (saved with the model): its
 *                        reporting delta, noise multiplier and sample rate are the run's
 */
public record PrivatePhaseResult(FineTuneRecipe.PrivatePhase phase, double testAccuracy, double epsilon, long steps,
                                 double seconds, List<EpochRecord> history, PrivacyLedger ledger,
                                 Optional<String> budgetStop, long trainableParameters, ComputationGraph graph,
                                 DpSgdConfig config) {

    /** Delta of the guarantee (the delta {@code epsilon} is reported at). */
    public double delta() {
        return config.reportingDelta();
    }

    /** Sigma, calibrated so that all epochs spend the budget. */
    public double noiseMultiplier() {
        return config.noiseMultiplier();
    }

    /** q = B / private examples. */
    public double sampleRate() {
        return config.sampleRate();
    }
}
