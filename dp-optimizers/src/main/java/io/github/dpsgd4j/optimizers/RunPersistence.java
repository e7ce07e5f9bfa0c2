package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a {@link DpSgdTrainer} keeps its run on disk, and how a run starts from what a directory
 * holds: the checkpoint directory with its cadence and journal reservation, writing checkpoints,
 * the ledger a new or resumed run starts with (a checkpoint's, or a privacy journal's when a run
 * stopped after it reserved more steps), and the resumed trainer's state.
 *
 * <p>Not thread-safe; owned by one trainer.
 */
final class RunPersistence {

    private static final Logger log = LoggerFactory.getLogger(RunPersistence.class);

    /** No checkpoints: nothing on disk. */
    static final RunPersistence NONE = new RunPersistence(null, 0, PrivacyGuard.DEFAULT_JOURNAL_RESERVATION);

    private final Path directory;
    private final long everySteps;
    private final long journalReservation;

    /**
     * @param directory          the checkpoint directory (also the journal's), or null for none
     * @param everySteps         steps between checkpoints, {@code >= 0} (0: at epoch ends only)
     * @param journalReservation steps reserved in the journal at a time, {@code >= 1}
     */
    RunPersistence(Path directory, long everySteps, long journalReservation) {
        this.directory = directory;
        this.everySteps = Checks.nonNegative("everySteps", everySteps);
        this.journalReservation = Checks.positive("journalReservation", journalReservation);
    }

    /** The checkpoint directory, or null. */
    Path directory() {
        return directory;
    }

    long journalReservation() {
        return journalReservation;
    }

    /** Whether a checkpoint is due after {@code stepsTaken} steps (besides the one at every epoch end). */
    boolean due(long stepsTaken) {
        return everySteps > 0 && stepsTaken % everySteps == 0;
    }

    /** Writes a checkpoint of the run to {@code target} (atomically; the previous one is kept beside it). */
    void save(Path target, Model model, DpSgdConfig config, PrivacyLedger ledger, long stepsTaken,
              boolean secureNoise) throws IOException {
        Checks.notNull("directory", target);
        DpSgdCheckpoint.write(target, model, config, ledger, stepsTaken, everySteps, journalReservation,
                target.equals(directory), secureNoise);
    }

    /** Writes a checkpoint to the run's directory, if it has one, and releases the journal's reservation. */
    void saveIfConfigured(Model model, DpSgdConfig config, PrivacyGuard guard, long stepsTaken, boolean secureNoise) {
        if (directory == null) {
            return;
        }
        try {
            save(directory, model, config, guard.ledger(), stepsTaken, secureNoise);
            guard.checkpointed(); // the checkpoint now holds every step taken
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + directory, e);
        }
    }

    /**
     * The ledger a new trainer starts with: {@code initial}, or, when the checkpoint directory holds a privacy
     * journal but no checkpoint (a run stopped before its first checkpoint), the journal's, with a warning
     * added to {@code warnings}.
     *
     * @throws IllegalArgumentException if {@code initial} already has steps and the journal too (two runs)
     */
    PrivacyLedger startingLedger(PrivacyLedger initial, List<String> warnings) {
        Optional<PrivacyLedger> journaled = journalWithoutCheckpoint(directory);
        if (journaled.isEmpty() || journaled.get().totalSteps() == 0) {
            return initial;
        }
        if (initial.totalSteps() > 0) {
            throw new IllegalArgumentException("checkpoint directory " + directory + " holds a "
                    + "privacy journal of another run; continue a saved model in an empty directory");
        }
        String warning = "checkpoint directory " + directory + " holds a privacy journal of "
                + journaled.get().totalSteps() + " steps but no checkpoint (a run stopped before its first checkpoint):"
                + " training starts from the given weights and counts those steps as spent";
        log.warn(warning);
        warnings.add(warning);
        return journaled.get();
    }

    /**
     * The latest ledger in {@code directory}'s privacy journal when the directory holds a journal but no
     * checkpoint (its run stopped before its first checkpoint); empty otherwise, and for null.
     *
     * @throws UncheckedIOException if the journal cannot be read
     */
    static Optional<PrivacyLedger> journalWithoutCheckpoint(Path directory) {
        if (directory == null || DpSgdCheckpoint.exists(directory)) {
            return Optional.empty();
        }
        try {
            return new CheckpointJournal(directory).latest();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the privacy journal in " + directory, e);
        }
    }

    /** What a resumed trainer starts from. */
    record Resumed(DpSgdCheckpoint checkpoint, PrivacyLedger ledger, RunPersistence persistence,
                   List<String> warnings) {
    }

    /**
     * Reads a checkpoint directory for {@link DpSgdTrainer#resume}: the checkpoint, and the ledger (the journal's
     * when it reserved more steps after the checkpoint, with a warning).
     *
     * @throws NoSuchFileException      if the directory holds only a journal (the message says how to continue)
     * @throws IOException              if the checkpoint cannot be read
     * @throws IllegalArgumentException if the checkpoint has no privacy ledger
     */
    static Resumed resume(Path directory) throws IOException {
        Checks.notNull("directory", directory);
        if (!DpSgdCheckpoint.exists(directory) && Files.isRegularFile(directory.resolve(CheckpointJournal.FILE_NAME))) {
            throw new NoSuchFileException(directory.resolve(DpSgdCheckpoint.FILE_NAME).toString(), null,
                    "the run stopped before its first checkpoint, but its privacy journal counts the steps it spent: "
                    + "build a new trainer on fresh weights with checkpoints(" + directory + ", everySteps); it "
                    + "continues counting them");
        }
        DpSgdCheckpoint checkpoint = DpSgdCheckpoint.read(directory);
        List<String> warnings = new ArrayList<>();
        PrivacyLedger ledger = PrivacyGuard.resumedLedger(directory, checkpoint.ledger(),
                checkpoint.journalReservation(), warnings);
        return new Resumed(checkpoint, ledger, new RunPersistence(directory, checkpoint.checkpointEverySteps(),
                checkpoint.journalReservation()), warnings);
    }
}
