package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.NoiseCalibration;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyGuarantee;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The privacy side of a run: the ledger, the budget check and the write-ahead journal. Before
 * a step computes anything, {@link #refusal()} says whether it would exceed the budget and
 * {@link #recordStep()} records it (and, with a journal, reserves it on disk first), so the ledger
 * never reports less than was spent, even after a crash.
 *
 * <p>Used by the trainer, and by any backend that runs steps (a distributed driver calls the same
 * two methods before broadcasting parameters). Not thread-safe: one driver thread.
 */
public final class PrivacyGuard {

    private static final Logger log = LoggerFactory.getLogger(PrivacyGuard.class);
    /** Default steps reserved in the on-disk journal at a time (at most this many are over-counted after a crash). */
    public static final long DEFAULT_JOURNAL_RESERVATION = 64;

    private final long journalReservation;

    private final DpSgdConfig config;
    private final CheckpointJournal journal;
    private PrivacyLedger ledger;
    /** Steps that budget allows after the ledger's current total (-1: not computed yet). */
    private long stepsAllowed = -1;
    /** The ledger total up to which the journal has reserved steps. */
    private long journalReservedThrough;

    /**
     * @param config           the run's privacy settings (sigma, q, budget, accountant)
     * @param ledger           the steps already spent (empty for a new run)
     * @param journalDirectory where the write-ahead journal lives, or null for none
     */
    public PrivacyGuard(DpSgdConfig config, PrivacyLedger ledger, Path journalDirectory) {
        this(config, ledger, journalDirectory, DEFAULT_JOURNAL_RESERVATION);
    }

    /**
     * As {@link #PrivacyGuard(DpSgdConfig, PrivacyLedger, Path)}, reserving {@code journalReservation} steps
     * in the journal at a time: a crash counts up to that many steps that may not have been taken; fewer
     * costs one forced disk write per that many steps.
     *
     * @param journalReservation steps per journal reservation, {@code >= 1}
     */
    public PrivacyGuard(DpSgdConfig config, PrivacyLedger ledger, Path journalDirectory, long journalReservation) {
        this.journalReservation = Checks.positive("journalReservation", journalReservation);
        this.config = Checks.notNull("config", config);
        this.ledger = Checks.notNull("ledger", ledger);
        this.journal = journalDirectory == null ? null : new CheckpointJournal(journalDirectory);
        this.journalReservedThrough = ledger.totalSteps();
    }

    /**
     * The ledger to resume with from a checkpoint directory: the checkpoint's, or the journal's when
     * the journal reserved more steps (a crash between checkpoints): those steps count as spent.
     */
    static PrivacyLedger resumedLedger(Path directory, PrivacyLedger checkpointLedger) throws IOException {
        return resumedLedger(directory, checkpointLedger, DEFAULT_JOURNAL_RESERVATION, new java.util.ArrayList<>());
    }

    /**
     * As above, adding the explanation of any steps counted from the journal to {@code warnings} (public
     * for other backends that resume the same checkpoints, e.g. dp-spark's driver).
     */
    public static PrivacyLedger resumedLedger(Path directory, PrivacyLedger checkpointLedger, long journalReservation,
                                       java.util.List<String> warnings) throws IOException {
        Optional<PrivacyLedger> journaled = new CheckpointJournal(directory).latest();
        if (journaled.isPresent() && journaled.get().totalSteps() > checkpointLedger.totalSteps()) {
            String warning = "checkpoint records " + checkpointLedger.totalSteps() + " steps but the privacy journal "
                    + "reserved " + journaled.get().totalSteps() + ": counting the "
                    + (journaled.get().totalSteps() - checkpointLedger.totalSteps()) + " steps reserved after the last "
                    + "checkpoint as spent (the run stopped without a checkpoint; steps are reserved on disk "
                    + journalReservation + " at a time before they are taken, so up to that many may be counted "
                    + "without having been taken; set journalReservation(steps) to reserve fewer)";
            log.warn(warning);
            warnings.add(warning);
            return journaled.get();
        }
        return checkpointLedger;
    }

    /** Why the next step must not be taken (it would exceed the budget), if it must not. */
    public Optional<String> refusal() {
        PrivacyBudget budget = config.budget();
        if (budget == null) {
            return Optional.empty();
        }
        if (stepsAllowed < 0) {
            stepsAllowed = NoiseCalibration.maxSteps(config.accountant(), ledger.toEvent(), config.noiseMultiplier(),
                    config.sampleRate(), budget);
        }
        if (stepsAllowed > 0) {
            return Optional.empty();
        }
        return Optional.of("privacy budget " + budget + " reached: stopping before step " + (ledger.totalSteps() + 1)
                + ", which would exceed it (" + config.accountant() + " accountant, " + ledger.totalSteps()
                + " steps spent)");
    }

    /**
     * Records the next step before it is computed; with a journal, reserves it on disk first.
     * Call only after {@link #refusal()} returned empty.
     *
     * @throws UncheckedIOException if the journal cannot be written (then no step was recorded)
     */
    public void recordStep() {
        PrivacyLedger next = ledger.record(config.noiseMultiplier(), config.sampleRate(), 1,
                config.samplingMethod().ledgerMethod());
        if (journal != null && next.totalSteps() > journalReservedThrough) {
            long reserve = journalReservation;
            if (config.budget() != null) {
                reserve = Math.min(reserve, stepsAllowed);
            }
            PrivacyLedger reserved = ledger.record(config.noiseMultiplier(), config.sampleRate(), Math.max(1, reserve),
                    config.samplingMethod().ledgerMethod());
            try {
                journal.append(reserved);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot reserve the next steps in the privacy journal "
                        + journal.file() + "; no step was taken", e);
            }
            journalReservedThrough = reserved.totalSteps();
        }
        ledger = next;
        if (stepsAllowed > 0) {
            stepsAllowed--;
        }
    }

    /**
     * A checkpoint now holds every recorded step: releases the journal's unused reservation.
     *
     * @throws IOException if the journal cannot be written
     */
    public void checkpointed() throws IOException {
        if (journal != null) {
            journal.append(ledger);
            journalReservedThrough = ledger.totalSteps();
        }
    }

    /** The ledger of every step recorded so far. Immutable. */
    public PrivacyLedger ledger() {
        return ledger;
    }

    /**
     * The privacy spent so far (every recorded step), certified by {@code accountant}.
     *
     * @param delta in (0, 1)
     */
    public PrivacyGuarantee spent(double delta, AccountantType accountant) {
        Checks.openUnitInterval("delta", delta);
        Checks.notNull("accountant", accountant);
        return ledger.guarantee(delta, accountant);
    }
}
