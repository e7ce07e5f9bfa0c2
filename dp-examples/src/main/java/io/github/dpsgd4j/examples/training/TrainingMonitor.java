package io.github.dpsgd4j.examples.training;

/**
 * Receives the progress of a {@link TrainingRun}, on the training thread. Every method does
 * nothing by default.
 */
public interface TrainingMonitor {

    /** A monitor that ignores everything. */
    TrainingMonitor NONE = new TrainingMonitor() {
    };

    /**
     * A run starts.
     *
     * @param name       what is trained, for display
     * @param totalSteps steps of the whole run
     * @param stepsDone  steps already done (after a resume), else 0
     */
    default void runStarted(String name, long totalSteps, long stepsDone) {
    }

    /** One training step is done. */
    default void stepDone() {
    }

    /** One epoch is done and evaluated. */
    default void epochDone(EpochRecord record, int totalEpochs) {
    }

    /** The run ended (normally or not). */
    default void runFinished() {
    }
}
