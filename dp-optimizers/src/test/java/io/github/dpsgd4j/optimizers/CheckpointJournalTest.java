package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointJournalTest {

    @TempDir
    Path dir;

    @Test
    void latest_isTheLastCompleteLine() throws IOException {
        CheckpointJournal journal = new CheckpointJournal(dir);
        assertEquals(Optional.empty(), journal.latest());
        PrivacyLedger first = PrivacyLedger.empty().record(1.1, 0.01, 64);
        PrivacyLedger second = first.record(1.1, 0.01, 64);
        journal.append(first);
        journal.append(second);
        assertEquals(Optional.of(second), journal.latest());
    }

    /**
     * A crash in the middle of an append leaves a torn last line. The next append (a resumed run's
     * first reservation) must start on a line of its own: glued to the fragment it would be
     * unreadable, and after a second crash the journal would fall back to an older, smaller ledger.
     */
    @Test
    void appendAfterATornLine_startsANewLine_andSurvivesASecondCrash() throws IOException {
        CheckpointJournal journal = new CheckpointJournal(dir);
        PrivacyLedger before = PrivacyLedger.empty().record(1.1, 0.01, 64);
        PrivacyLedger resumed = before.record(1.1, 0.01, 128);
        journal.append(before);
        tear(journal.file());
        assertEquals(Optional.of(before), journal.latest(), "a torn last line is skipped");

        journal.append(resumed);
        assertEquals(Optional.of(resumed), journal.latest());
        tear(journal.file());
        assertEquals(Optional.of(resumed), journal.latest(), "after a second crash the resumed reservation counts");
        assertTrue(Files.readString(journal.file()).lines().count() >= 2);
    }

    /** Appends the first half of a reservation line, with no newline, as a crash mid-write would. */
    private static void tear(Path file) throws IOException {
        Files.writeString(file, "{\"events\": [{\"noise_multiplier\": 1.1, \"sam", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
    }
}
