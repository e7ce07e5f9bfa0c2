package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.audit.AuditExecution;

/** Shows an audit's phases on the command line's {@link ProgressDisplay} (standard error). */
final class AuditProgress implements AuditExecution.Progress {

    private final ProgressDisplay display;

    AuditProgress(ProgressDisplay display) {
        this.display = display;
    }

    @Override
    public synchronized void phaseStarted(String name, int units) {
        display.counter(name, units, units == 1 ? " step" : " models");
    }

    @Override
    public synchronized void unitDone() {
        display.stepDone();
    }

    /** Threads for shadow models: one per available processor. */
    static int threads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }
}
