package io.github.dpsgd4j.examples.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.optimizers.DpSgdConfig;
import io.github.dpsgd4j.optimizers.SavedModel;
import org.deeplearning4j.nn.api.Model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The folder a command writes its report to: the one asked for, or
 * {@code reports/<prefix>-<yyyyMMdd-HHmmss>} under the working directory (with {@code -2},
 * {@code -3}... appended if that exists already).
 *
 * <p>Not thread-safe.
 */
public final class ReportFolder {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path directory;

    private ReportFolder(Path directory) {
        this.directory = directory;
    }

    /**
     * Creates the folder.
     *
     * @param requested the folder asked for (created if missing; existing files of the same names
     *                  are replaced), or null for a new time-stamped folder under {@code reports/}
     * @param prefix    the name of the default folder before its time stamp, such as "demo"
     * @throws IOException if it cannot be created
     */
    public static ReportFolder create(Path requested, String prefix) throws IOException {
        Checks.notNull("prefix", prefix);
        Path directory = requested;
        if (directory == null) {
            Path base = Path.of("reports", prefix + "-" + LocalDateTime.now().format(STAMP));
            directory = base;
            for (int i = 2; Files.exists(directory); i++) {
                directory = Path.of(base + "-" + i);
            }
        }
        OutputDirectory.requireUsable("--out", directory);
        Files.createDirectories(directory);
        return new ReportFolder(directory);
    }

    /** The folder. */
    public Path directory() {
        return directory;
    }

    /** A file in the folder. */
    public Path file(String name) {
        return directory.resolve(name);
    }

    /** Writes {@code name} as indented JSON. */
    public Path writeJson(String name, ObjectNode json) throws IOException {
        return writeText(name, Json.pretty(json));
    }

    /**
     * Writes {@code model} to {@code name} as one DL4J model zip that also carries its privacy ledger
     * and configuration ({@link SavedModel}): DL4J's {@code ModelSerializer} reads it as usual, and the
     * file keeps its accounting wherever it is copied ({@code dpsgd4j epsilon --ledger}, or
     * {@code DpSgdTrainer.builder(SavedModel.read(file))} to continue training).
     */
    public Path writeModel(String name, Model model, PrivacyLedger ledger, DpSgdConfig config) throws IOException {
        Path file = file(name);
        SavedModel.write(file, model, ledger, config);
        return file;
    }

    /** Writes {@code name} as UTF-8 text. */
    public Path writeText(String name, String text) throws IOException {
        Path file = file(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
