package io.github.dpsgd4j.audit;

/**
 * Progress of work that runs in the background: it keeps the last phase and its finished units
 * until {@link #forwardTo} replays them, and passes everything on from then on. Thread-safe.
 */
final class DeferredProgress implements AuditExecution.Progress {
    private String name;
    private int units;
    private int done;
    private AuditExecution.Progress target;

    @Override
    public synchronized void phaseStarted(String phase, int count) {
        if (target != null) {
            target.phaseStarted(phase, count);
        } else {
            name = phase;
            units = count;
            done = 0;
        }
    }

    @Override
    public synchronized void unitDone() {
        if (target != null) {
            target.unitDone();
        } else {
            done++;
        }
    }

    /** Replays what was kept to {@code progress} and forwards everything to it from now on. */
    synchronized void forwardTo(AuditExecution.Progress progress) {
        if (name != null) {
            progress.phaseStarted(name, units);
            for (int i = 0; i < done; i++) {
                progress.unitDone();
            }
        }
        target = progress;
    }
}
