package io.github.dpsgd4j.audit.model;

import org.nd4j.linalg.dataset.DataSet;

/**
 * How a model is trained: the audit trains shadow models (Shokri et al. 2017; Carlini et al.
 * 2022) with the same recipe as the target, because an attacker is assumed to know the training
 * algorithm and its hyperparameters (not the training data).
 */
@FunctionalInterface
public interface TrainingRecipe {

    /**
     * Trains a fresh model on {@code data}.
     *
     * @param data training examples (features and one-hot labels); not modified
     * @param seed seed of the initialisation and of any non-private randomness (batch order);
     *             privacy noise follows the recipe's own noise setting
     * @return the trained model and the privacy it is certified for
     */
    TrainedModel train(DataSet data, long seed);

    /**
     * Whether {@link #train} may run on several threads at once (each call building its own
     * network). Shadow models are trained in parallel only for such recipes. False unless a recipe
     * says otherwise.
     */
    default boolean threadSafe() {
        return false;
    }

    /**
     * What an audit report must say about how this recipe certifies the shadow models it trains, or
     * null when each model is trained and certified on its own (the default).
     */
    default String shadowCertificationNote() {
        return null;
    }
}
