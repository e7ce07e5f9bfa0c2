package io.github.dpsgd4j.optimizers;

/**
 * Receives progress from a {@link DpSgdTrainer}: every step, every epoch (with the privacy spent
 * so far), and the moment a budget stops training. DL4J's own {@code TrainingListener}s attached to
 * the network keep working as well; this interface adds what they cannot know.
 *
 * <p>Called on the training thread; keep implementations quick.
 */
public interface PrivacyListener {

    /** After each step's update. */
    default void onStep(StepReport report) {
    }

    /** After each epoch, with epsilon spent so far. */
    default void onEpochEnd(EpochReport report) {
    }

    /** When training stops because the next step would exceed the budget. */
    default void onBudgetExhausted(String message) {
    }
}
