package io.github.dpsgd4j.serving.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.common.Checks;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only query log in JSON Lines: each {@link #append} writes one complete line and
 * flushes it to the operating system before returning, so a crash loses no acknowledged entry.
 * The file is only ever opened for appending. When it reaches {@code maxBytes} (or on
 * {@link #rotate()}), it is renamed {@code NAME.1} (older files shift to {@code NAME.2} ... up to
 * {@code NAME.<keep>}; the oldest is deleted) and a new file is started.
 *
 * <p>Line fields: {@code time} (ISO-8601), {@code client}, {@code rows}, {@code input_sha256},
 * {@code decision}, {@code reasons}, {@code retry_after_ms}, {@code remaining_budget},
 * {@code policy}, and {@code outputs} (the released values, withheld entries as null) when
 * something was released. Non-finite numbers are written as null.
 *
 * <p>Thread-safe: appends are serialised.
 */
public final class QueryLog implements Closeable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long size;

    private QueryLog(Path file, long maxBytes, int keep) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        open();
    }

    /**
     * Opens (or creates) the log at {@code file} for appending.
     *
     * @param maxBytes size that triggers rotation, {@code >= 1}
     * @param keep     rotated files kept, {@code >= 1}
     * @throws IOException if the file cannot be opened
     */
    public static QueryLog open(Path file, long maxBytes, int keep) throws IOException {
        Checks.notNull("file", file);
        Checks.positive("maxBytes", maxBytes);
        Checks.positive("keep", keep);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new QueryLog(file, maxBytes, keep);
    }

    /** The current file. */
    public Path file() {
        return file;
    }

    /**
     * Appends one entry (and rotates first if the file is full).
     *
     * @throws IOException if it cannot be written: the caller must then not release the answer
     */
    public synchronized void append(QueryLogEntry entry) throws IOException {
        Checks.notNull("entry", entry);
        if (out == null) {
            throw new IOException("the query log " + file + " is closed");
        }
        byte[] line = (toJson(entry) + "\n").getBytes(StandardCharsets.UTF_8);
        if (size > 0 && size + line.length > maxBytes) {
            rotate();
        }
        out.write(line);
        out.flush();
        size += line.length;
    }

    /** Renames the current file to {@code NAME.1} (shifting older ones) and starts a new file. */
    public synchronized void rotate() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        Path oldest = sibling(keep);
        Files.deleteIfExists(oldest);
        for (int i = keep - 1; i >= 1; i--) {
            Path from = sibling(i);
            if (Files.exists(from)) {
                Files.move(from, sibling(i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (Files.exists(file)) {
            Files.move(file, sibling(1), StandardCopyOption.ATOMIC_MOVE);
        }
        open();
    }

    /** The n-th rotated file, {@code NAME.n}. */
    public Path rotated(int n) {
        Checks.positive("n", n);
        return sibling(n);
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }

    private void open() throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        size = Files.size(file);
    }

    private Path sibling(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    static String toJson(QueryLogEntry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("time", e.time().toString());
        n.put("client", e.client());
        n.put("rows", e.rows());
        n.put("input_sha256", e.inputSha256());
        n.put("decision", e.decision());
        ArrayNode reasons = n.putArray("reasons");
        e.reasons().forEach(reasons::add);
        n.put("retry_after_ms", e.retryAfterMillis());
        n.put("remaining_budget", e.remainingBudget());
        n.put("policy", e.policy());
        if (e.outputs() != null) {
            ArrayNode outputs = n.putArray("outputs");
            for (double[] row : e.outputs()) {
                ArrayNode r = outputs.addArray();
                for (double v : row) {
                    if (Double.isFinite(v)) {
                        r.add(v);
                    } else {
                        r.addNull();
                    }
                }
            }
        }
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write a query log line", ex);
        }
    }
}
