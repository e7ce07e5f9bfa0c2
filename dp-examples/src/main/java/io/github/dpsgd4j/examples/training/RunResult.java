package io.github.dpsgd4j.examples.training;

import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.optimizers.DpSgdConfig;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a {@link TrainingRun}.
 *
 * @param recipe          what was trained
 * @param testAccuracy    final accuracy on the test set, in [0, 1]
 * @param epsilon         epsilon spent at {@code delta} by the whole run (PLD accountant, every
 *                        recorded step); +infinity for a non-private run
 * @param delta           delta of the guarantee
 * @param steps           steps taken over the whole run (resumes included)
 * @param epochs          epochs completed over the whole run
 * @param seconds         training seconds in this process, per-epoch evaluation included
 * @param history         one record per epoch (the epochs of this process, plus those recorded
 *                        before a resume)
 * @param ledger          the privacy ledger of a private run
 * @param config          the DP-SGD configuration the run trained with (saved with the model): its
 *                        noise multiplier and sample rate are the run's
 * @param secureNoise     whether noise and sampling came from the secure source
 * @param budgetStop      why the budget stopped training early, if it did
 * @param network         the trained network
 */
public record RunResult(RunRecipe recipe, double testAccuracy, double epsilon, double delta, long steps, int epochs,
                        double seconds, List<EpochRecord> history, Optional<PrivacyLedger> ledger,
                        DpSgdConfig config, boolean secureNoise, Optional<String> budgetStop,
                        MultiLayerNetwork network) {

    /** Sigma of the private steps (0 for a non-private run). */
    public double noiseMultiplier() {
        return config.noiseMultiplier();
    }

    /** q of the private steps (minibatch fraction for a non-private run). */
    public double sampleRate() {
        return config.sampleRate();
    }
}
