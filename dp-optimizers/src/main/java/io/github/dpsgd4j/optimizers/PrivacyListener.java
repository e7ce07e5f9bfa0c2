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

    /**
     * Once per warning that matters for privacy or speed, when the trainer is built (see
     * {@link DpSgdTrainer#warnings()}).
     */
    default void onWarning(String warning) {
    }

    /**
     * A listener that prints to standard output, with no logging backend needed: every warning, and after
     * every epoch the steps, epsilon, mean loss and clipped fraction; budget stops.
     */
    static PrivacyListener printing() {
        return printing(System.out);
    }

    /** As {@link #printing()}, to {@code out}. */
    static PrivacyListener printing(java.io.PrintStream out) {
        io.github.dpsgd4j.common.Checks.notNull("out", out);
        return new PrivacyListener() {
            @Override
            public void onWarning(String warning) {
                out.println("WARNING: " + warning);
            }

            @Override
            public void onEpochEnd(EpochReport report) {
                out.printf(java.util.Locale.ROOT, "epoch %d: %d steps, epsilon = %.4f at delta = %s (%s), loss %.4f, "
                                + "%.1f%% of examples clipped%n", report.epoch(), report.steps(),
                        report.spent().epsilon(), report.spent().delta(), report.spent().accountant(),
                        report.meanLoss(), 100 * report.clippedFraction());
            }

            @Override
            public void onBudgetExhausted(String message) {
                out.println(message);
            }
        };
    }

    /** A listener that logs epsilon, loss and the clipped fraction after every epoch (SLF4J, INFO). */
    static PrivacyListener logging() {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PrivacyListener.class);
        return new PrivacyListener() {
            @Override
            public void onEpochEnd(EpochReport report) {
                log.info("epoch {}: {} steps, epsilon = {} at delta = {} ({}), loss {}, {}% of examples clipped",
                        report.epoch(), report.steps(), String.format("%.4f", report.spent().epsilon()),
                        report.spent().delta(), report.spent().accountant(), String.format("%.4f", report.meanLoss()),
                        String.format("%.1f", 100 * report.clippedFraction()));
            }

            @Override
            public void onBudgetExhausted(String message) {
                log.warn(message);
            }
        };
    }
}
