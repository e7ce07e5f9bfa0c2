package io.github.dpsgd4j.examples.report;

import io.github.dpsgd4j.common.Checks;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The check every command-line option naming an output directory makes before any work starts,
 * so that a path under a regular file fails with the option and the path named rather than the
 * operating system's bare "Not a directory" after minutes of training.
 */
public final class OutputDirectory {

    private OutputDirectory() {
    }

    /**
     * Requires that {@code directory} is, or can be created as, a directory: it is a directory, or
     * it does not exist and its nearest existing ancestor is a directory. Nothing is created.
     *
     * @param option    the option's name for the message, such as {@code "--out"}
     * @param directory the path given, not null
     * @return {@code directory}
     * @throws IllegalArgumentException naming the option, the path and the file in the way
     */
    public static Path requireUsable(String option, Path directory) {
        Checks.notNull(option, directory);
        if (Files.exists(directory)) {
            if (!Files.isDirectory(directory)) {
                throw new IllegalArgumentException(option + " " + directory + " is a file, not a directory; "
                        + "give a directory (it is created if missing)");
            }
            return directory;
        }
        for (Path p = directory.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new IllegalArgumentException(option + " " + directory + ": " + p
                            + " is a file, not a directory, so the directory cannot be created there; give another path");
                }
                return directory;
            }
        }
        return directory;
    }
}
