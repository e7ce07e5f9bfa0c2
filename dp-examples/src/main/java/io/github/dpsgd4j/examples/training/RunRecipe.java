package io.github.dpsgd4j.examples.training;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.examples.data.DatasetName;

import java.util.Optional;

/**
 * Everything that defines a training run of the command line (data set, model, budget, epochs, batch
 * size, clip, learning rate, accountant), validated on construction. Not dp-audit's
 * {@code TrainingRecipe}, which is a procedure that trains a model for the attacks.
 *
 * @param dataset           the data set
 * @param model             the model
 * @param targetEpsilon     epsilon the run must spend at most: finite and {@code > 0} for a
 *                          private run (the noise multiplier is calibrated with {@code accountant}
 *                          so that all epochs spend it), or {@code +infinity} for a non-private
 *                          baseline (the same recipe with noise multiplier 0)
 * @param delta             delta of the guarantee, in (0, 1)
 * @param epochs            epochs, {@code >= 1}; an epoch is {@code ceil(1/q)} Poisson-sampled steps
 * @param expectedBatchSize B, the expected Poisson batch size ({@code q = B / N}), {@code >= 1}
 * @param l2NormClip        C, the per-example gradient clipping norm, finite and {@code > 0}
 * @param learningRate      Nesterov learning rate, finite and {@code > 0}
 * @param accountant        the accountant for calibration, the budget guard and reports:
 *                          {@link AccountantType#PLD} (tight, the default) or {@link AccountantType#RDP}
 *                          (looser, but it calibrates targets too large for PLD's discretisation)
 */
public record RunRecipe(DatasetName dataset, ModelKind model, double targetEpsilon, double delta, int epochs,
                             int expectedBatchSize, double l2NormClip, double learningRate, AccountantType accountant) {

    /** Nesterov momentum of every model. */
    public static final double MOMENTUM = 0.9;

    public RunRecipe {
        Checks.notNull("dataset", dataset);
        Checks.notNull("model", model);
        Checks.positive("target epsilon", targetEpsilon);
        Checks.openUnitInterval("delta", delta);
        Checks.positive("epochs", epochs);
        Checks.positive("batch size", expectedBatchSize);
        Checks.finitePositive("clip", l2NormClip);
        Checks.finitePositive("learning rate", learningRate);
        Checks.notNull("accountant", accountant);
    }

    /** A recipe accounted with {@link AccountantType#PLD}, the default. */
    public RunRecipe(DatasetName dataset, ModelKind model, double targetEpsilon, double delta, int epochs,
                          int expectedBatchSize, double l2NormClip, double learningRate) {
        this(dataset, model, targetEpsilon, delta, epochs, expectedBatchSize, l2NormClip, learningRate, AccountantType.PLD);
    }

    /** Whether the run is differentially private (a finite target epsilon). */
    public boolean isPrivate() {
        return targetEpsilon != Double.POSITIVE_INFINITY;
    }

    /** The budget of a private run. */
    public Optional<PrivacyBudget> budget() {
        return isPrivate() ? Optional.of(new PrivacyBudget(targetEpsilon, delta)) : Optional.empty();
    }

    /**
     * q = B / N for a training set of {@code trainingSize} examples.
     *
     * @throws IllegalArgumentException if the batch size exceeds the training set
     */
    public double sampleRate(int trainingSize) {
        Checks.positive("trainingSize", trainingSize);
        if (expectedBatchSize > trainingSize) {
            throw new IllegalArgumentException("batch size must be <= the training set size " + trainingSize + " ("
                    + dataset.cliName() + "), got " + expectedBatchSize);
        }
        return (double) expectedBatchSize / trainingSize;
    }

    /** The same recipe with another target epsilon ({@code +infinity}: non-private). */
    public RunRecipe withTargetEpsilon(double epsilon) {
        return new RunRecipe(dataset, model, epsilon, delta, epochs, expectedBatchSize, l2NormClip, learningRate,
                accountant);
    }

    /** The same recipe with another number of epochs. */
    public RunRecipe withEpochs(int newEpochs) {
        return new RunRecipe(dataset, model, targetEpsilon, delta, newEpochs, expectedBatchSize, l2NormClip,
                learningRate, accountant);
    }

    /** The same recipe accounted with another accountant. */
    public RunRecipe withAccountant(AccountantType newAccountant) {
        return new RunRecipe(dataset, model, targetEpsilon, delta, epochs, expectedBatchSize, l2NormClip,
                learningRate, newAccountant);
    }
}
