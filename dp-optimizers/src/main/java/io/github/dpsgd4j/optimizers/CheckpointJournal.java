package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * The write-ahead privacy journal of a checkpoint directory ({@code privacy-ledger.journal}):
 * before a block of steps is taken, the ledger as it will stand after the block is appended as one
 * JSON line and forced to disk. If training dies between checkpoints, the last complete line
 * counts every step that may have been taken (and up to a block more), so a resumed run never
 * reports less privacy spent than was spent.
 */
final class CheckpointJournal {

    static final String FILE_NAME = "privacy-ledger.journal";

    private final Path file;

    CheckpointJournal(Path directory) {
        this.file = directory.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    /**
     * Appends {@code ledger} as one line and forces it to disk before returning. A torn last line (a
     * crash during an earlier append; never a completed reservation, since steps start only after the
     * force returns) is cut off first, so the new line starts on a line of its own.
     */
    void append(PrivacyLedger ledger) throws IOException {
        Files.createDirectories(file.getParent());
        String line = ledger.toJson().replaceAll("\\s*\\R\\s*", " ") + "\n";
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.truncate(endOfLastCompleteLine(channel));
            channel.position(channel.size());
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        AtomicFiles.forceDirectory(file.getParent());
    }

    /** The length of the file up to and including its last newline (0 if it has none). */
    private static long endOfLastCompleteLine(FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer one = ByteBuffer.allocate(1);
        for (long p = size - 1; p >= 0; p--) {
            one.clear();
            channel.read(one, p);
            if (one.get(0) == '\n') {
                return p + 1;
            }
        }
        return 0;
    }

    /** The ledger of the last complete line, if any (a torn last line from a crash is skipped). */
    Optional<PrivacyLedger> latest() throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            try {
                return Optional.of(PrivacyLedger.fromJson(line));
            } catch (IllegalArgumentException torn) {
                if (i != lines.size() - 1) {
                    throw new IOException("privacy journal " + file + " is corrupt at line " + (i + 1), torn);
                }
            }
        }
        return Optional.empty();
    }
}
