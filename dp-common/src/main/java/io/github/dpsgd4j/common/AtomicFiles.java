package io.github.dpsgd4j.common;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one crash-safe file replacement of dpsgd4j: the content goes to a temporary file in the
 * target's own directory, that file is forced to the device, renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE} and {@link StandardCopyOption#REPLACE_EXISTING}, and the
 * directory is then forced where the platform allows it (so the rename itself survives a power loss).
 * A reader therefore sees either the old file or the complete new one, never a torn one; a failed
 * write leaves the old file untouched and no temporary file behind.
 *
 * <p>A file system that cannot rename atomically is an error, not a silent fallback to a plain copy.
 *
 * <p>Thread-safe: stateless. Two concurrent writers of the same target each rename a complete file;
 * the last rename wins.
 */
public final class AtomicFiles {

    private static final int BUFFER_BYTES = 1 << 16;

    private AtomicFiles() {
    }

    /** Writes the content of a file to the stream it is given. */
    @FunctionalInterface
    public interface Content {
        /**
         * @param out the temporary file; buffered. Closing it is allowed and does nothing; the caller
         *            flushes, forces and closes it.
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code target} with {@code bytes}, atomically. Creates the parent directories.
     *
     * @param target the file; its parent directory must be writable
     * @param bytes  the complete new content, not null. Not modified.
     * @throws IOException if the file cannot be written or the file system cannot rename atomically
     *                     (the message names the directory)
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        Checks.notNull("bytes", bytes);
        write(target, out -> out.write(bytes));
    }

    /**
     * Replaces {@code target} with what {@code content} writes, atomically. Creates the parent
     * directories. If {@code content} throws, {@code target} is unchanged and the exception propagates.
     *
     * @param target  the file; its parent directory must be writable
     * @param content writes the complete new content, not null
     * @throws IOException if the file cannot be written or the file system cannot rename atomically
     *                     (the message names the directory)
     */
    public static void write(Path target, Content content) throws IOException {
        Checks.notNull("target", target);
        Checks.notNull("content", content);
        Path file = target.toAbsolutePath();
        Path directory = file.getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
                content.writeTo(new FilterOutputStream(buffered) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                });
                buffered.flush();
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + directory + " cannot rename atomically, so "
                        + file.getFileName() + " cannot be replaced crash-safely; write it to a local directory", e);
            }
            forceDirectory(directory);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Replaces {@code target} with a copy of {@code source}, atomically (the copy is forced to the
     * device before the rename).
     *
     * @param source an existing regular file. Not modified.
     * @param target the file to replace
     * @throws IOException as {@link #write(Path, Content)}, or if {@code source} cannot be read
     */
    public static void copy(Path source, Path target) throws IOException {
        Checks.notNull("source", source);
        write(target, out -> Files.copy(source, out));
    }

    /**
     * Forces a directory's entries to the device, which makes a rename inside it durable. A no-op on
     * platforms that cannot open a directory (Windows); the rename is atomic there all the same.
     *
     * @param directory an existing directory
     */
    public static void forceDirectory(Path directory) {
        Checks.notNull("directory", directory);
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Opening a directory is not supported everywhere; the rename stays atomic.
        }
    }
}
