package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.Checks;
import io.github.dpsgd4j.accounting.NoiseCalibration;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyGuarantee;
import io.github.dpsgd4j.accounting.PrivacyLedger;
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
    /** Steps reserved in the on-disk journal at a time (at most this many are over-counted after a crash). */
    private static final long JOURNAL_RESERVATION = 64;

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
        Optional<PrivacyLedger> journaled = new CheckpointJournal(directory).latest();
        if (journaled.isPresent() && journaled.get().totalSteps() > checkpointLedger.totalSteps()) {
            log.warn("checkpoint records {} steps but the journal reserved {}: counting the {} steps recorded after "
                            + "the last checkpoint as spent", checkpointLedger.totalSteps(), journaled.get().totalSteps(),
                    journaled.get().totalSteps() - checkpointLedger.totalSteps());
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
            long reserve = JOURNAL_RESERVATION;
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
    void checkpointed() throws IOException {
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
