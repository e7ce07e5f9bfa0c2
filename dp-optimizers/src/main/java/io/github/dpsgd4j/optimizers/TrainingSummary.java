package io.github.dpsgd4j.optimizers;

import java.util.List;
import java.util.Optional;

/**
 * How a call to {@link DpSgdTrainer#fit} ended.
 *
 * @param stepsTaken      steps taken by this call
 * @param epochsCompleted epochs completed by this call
 * @param budgetStop      why training stopped early because of the privacy budget, if it did
 * @param warnings        the trainer's warnings about privacy or speed ({@link DpSgdTrainer#warnings()}),
 *                        readable without a logging backend; empty when there are none
 */
public record TrainingSummary(long stepsTaken, int epochsCompleted, Optional<String> budgetStop,
                              List<String> warnings) {

    /** Copies the warnings. */
    public TrainingSummary {
        warnings = List.copyOf(warnings);
    }

    /** Whether the privacy budget stopped training before the requested epochs were done. */
    public boolean stoppedByBudget() {
        return budgetStop.isPresent();
    }
}
