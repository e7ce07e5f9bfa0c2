package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.common.Checks;

import java.util.Arrays;

/**
 * The multi-run canary audit (Jagielski, Ullman and Oprea 2020, NeurIPS, section 4): train many
 * times on D (without a canary) and on D' (with it), compute one statistic per run (for example
 * minus the canary's loss), choose the threshold on the first {@code selectionRuns} runs of each
 * world and bound epsilon with Clopper&ndash;Pearson on the remaining runs
 * ({@link EpsilonLowerBound}). Nightly-grade audits use at least 1,000 runs per world; 100
 * evaluation runs cap the bound at 3.28.
 */
public final class CanaryAudit {

    private CanaryAudit() {
    }

    /** One training run and its statistic (higher = "canary in"). */
    @FunctionalInterface
    public interface TrainingRun {
        /**
         * Trains once and returns the statistic.
         *
         * @param withCanary whether the canary is in the training set
         * @param run        the run's index (0-based, per world), for seeding
         */
        double statistic(boolean withCanary, int run);
    }

    /**
     * The audit's outcome.
     *
     * @param bound          the epsilon lower bound on the evaluation runs
     * @param threshold      the threshold chosen on the selection runs
     * @param statisticsIn   every run's statistic with the canary (selection runs first)
     * @param statisticsOut  every run's statistic without it
     * @param selectionRuns  selection runs per world
     */
    public record Result(EpsilonLowerBound bound, double threshold, double[] statisticsIn, double[] statisticsOut,
                         int selectionRuns) {
    }

    /**
     * Runs the audit.
     *
     * @param run           the training run
     * @param runsPerWorld  runs with and (as many) without the canary, > selectionRuns
     * @param selectionRuns runs per world used only to choose the threshold, > 0
     * @param delta         in [0, 1)
     * @param alpha         two-sided level of the Clopper&ndash;Pearson limits, in (0, 1)
     */
    public static Result run(TrainingRun run, int runsPerWorld, int selectionRuns, double delta, double alpha) {
        Checks.notNull("run", run);
        Checks.positive("selectionRuns", selectionRuns);
        if (runsPerWorld <= selectionRuns) {
            throw new IllegalArgumentException("runsPerWorld must be > selectionRuns (" + selectionRuns + "), got "
                    + runsPerWorld);
        }
        double[] in = new double[runsPerWorld];
        double[] out = new double[runsPerWorld];
        for (int r = 0; r < runsPerWorld; r++) {
            in[r] = run.statistic(true, r);
            out[r] = run.statistic(false, r);
        }
        return fromStatistics(in, out, selectionRuns, delta, alpha);
    }

    /** The audit from statistics already computed (the first {@code selectionRuns} of each world select). */
    public static Result fromStatistics(double[] in, double[] out, int selectionRuns, double delta, double alpha) {
        Checks.notNull("in", in);
        Checks.notNull("out", out);
        EpsilonLowerBound.Thresholded t = EpsilonLowerBound.heldOut(
                Arrays.copyOfRange(in, 0, selectionRuns), Arrays.copyOfRange(out, 0, selectionRuns),
                Arrays.copyOfRange(in, selectionRuns, in.length), Arrays.copyOfRange(out, selectionRuns, out.length),
                delta, alpha);
        return new Result(t.bound(), t.threshold(), in.clone(), out.clone(), selectionRuns);
    }
}
