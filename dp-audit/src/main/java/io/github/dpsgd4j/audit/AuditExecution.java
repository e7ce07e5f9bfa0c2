package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.common.Checks;

/**
 * How an audit runs (not what it measures): how many threads may train shadow models at once, and
 * who hears about progress. The measured figures do not depend on it.
 *
 * @param threads  shadow models trained at once, >= 1 (each on its own thread; with ND4J limited
 *                 to one thread per operation, one per core is fastest)
 * @param progress told when each phase starts and as its units finish; called from worker threads
 */
public record AuditExecution(int threads, Progress progress) {

    public AuditExecution {
        Checks.positive("threads", threads);
        Checks.notNull("progress", progress);
    }

    /** Progress of an audit: phases (training shadow models, attacks, inversion...) made of units. */
    public interface Progress {
        /**
         * A phase starts.
         *
         * @param name  what it does, for people ("shadow models (private)")
         * @param units how many units it has (>= 1)
         */
        void phaseStarted(String name, int units);

        /** One unit of the current phase is done; may be called from several threads at once. */
        void unitDone();

        /** Progress that nobody hears. */
        static Progress none() {
            return new Progress() {
                @Override
                public void phaseStarted(String name, int units) {
                }

                @Override
                public void unitDone() {
                }
            };
        }
    }

    /** One thread per available processor, no progress reports. */
    public static AuditExecution defaults() {
        return new AuditExecution(Math.max(1, Runtime.getRuntime().availableProcessors()), Progress.none());
    }

    /** A single thread, no progress reports (what the audit did before it trained shadows in parallel). */
    public static AuditExecution sequential() {
        return new AuditExecution(1, Progress.none());
    }
}
