package io.github.dpsgd4j.examples.features;

import io.github.dpsgd4j.common.AtomicFiles;
import io.github.dpsgd4j.common.Checks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A directory of computed feature matrices, each stored under a key that hashes everything the
 * features depend on (the transform's parameters and the input pixels), so a stale entry is never
 * read: a different input gives a different key.
 *
 * <p>File format ({@code <key>.features}, little-endian): the 8 ASCII bytes {@code DPSGD4JF}, a
 * 32-bit format version, 32-bit rows and columns, the 64 ASCII hex digits of the key, then
 * {@code rows x columns} 32-bit floats, then the CRC32C of those float bytes (32 bits). Writes are
 * atomic where the file system can rename atomically (temporary file in the same directory, forced
 * to disk, renamed); an entry that is
 * truncated, has another shape or fails its checksum is ignored (and overwritten by the next
 * write).
 *
 * <p>Thread-safe as far as the file system is: concurrent writers of one key each rename a
 * complete file into place.
 */
public final class FeatureCache {

    private static final byte[] MAGIC = "DPSGD4JF".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = MAGIC.length + 4 + 4 + 4 + 64;
    private static final int CHUNK_FLOATS = 1 << 20;

    private final Path directory;

    /** A cache in {@code directory} (created on the first write). */
    public FeatureCache(Path directory) {
        this.directory = Checks.notNull("directory", directory);
    }

    /**
     * The default cache directory: {@code $DPSGD4J_CACHE} if set, else
     * {@code $XDG_CACHE_HOME/dpsgd4j}, else {@code ~/.cache/dpsgd4j}.
     */
    public static Path defaultDirectory() {
        String explicit = System.getenv("DPSGD4J_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "dpsgd4j");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "dpsgd4j");
    }

    /** The cache directory. */
    public Path directory() {
        return directory;
    }

    /** A key: the SHA-256, in hex, of the description followed by the float bits of {@code data}. */
    public static String key(String description, float[] data) {
        Checks.notNull("description", description);
        Checks.notNull("data", data);
        MessageDigest digest = sha256();
        digest.update(description.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        ByteBuffer buffer = ByteBuffer.allocate(4 * 8192).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i += 8192) {
            buffer.clear();
            buffer.asFloatBuffer().put(data, i, Math.min(8192, data.length - i));
            digest.update(buffer.array(), 0, 4 * Math.min(8192, data.length - i));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The file of {@code key}. */
    public Path file(String key) {
        return directory.resolve(checkKey(key) + ".features");
    }

    /**
     * The matrix stored under {@code key}, if there is a complete, uncorrupted one of the given
     * shape.
     */
    public Optional<float[]> read(String key, int rows, int columns) {
        Path file = file(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        long values = (long) rows * columns;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() != HEADER_BYTES + 4 * values + 4) {
                return Optional.empty();
            }
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, header);
            header.flip();
            byte[] magic = new byte[MAGIC.length];
            header.get(magic);
            byte[] storedKey = new byte[64];
            if (!java.util.Arrays.equals(magic, MAGIC) || header.getInt() != VERSION || header.getInt() != rows
                    || header.getInt() != columns) {
                return Optional.empty();
            }
            header.get(storedKey);
            if (!key.equals(new String(storedKey, StandardCharsets.US_ASCII))) {
                return Optional.empty();
            }
            float[] data = new float[(int) values];
            CRC32C crc = new CRC32C();
            ByteBuffer chunk = ByteBuffer.allocateDirect(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; i += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, data.length - i);
                chunk.clear().limit(4 * n);
                readFully(channel, chunk);
                chunk.flip();
                crc.update(chunk);
                chunk.flip();
                chunk.asFloatBuffer().get(data, i, n);
            }
            ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, trailer);
            trailer.flip();
            if (trailer.getInt() != (int) crc.getValue()) {
                return Optional.empty();
            }
            return Optional.of(data);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Stores {@code data} ({@code rows x columns} floats) under {@code key}, atomically.
     *
     * @throws IOException if the directory or file cannot be written
     */
    public void write(String key, float[] data, int rows, int columns) throws IOException {
        Checks.notNull("data", data);
        Checks.equalTo("data.length", data.length, "rows x columns", (long) rows * columns);
        Path target = file(key);
        AtomicFiles.write(target, out -> {
            WritableByteChannel channel = Channels.newChannel(out);
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            header.put(MAGIC).putInt(VERSION).putInt(rows).putInt(columns)
                    .put(key.getBytes(StandardCharsets.US_ASCII)).flip();
            writeFully(channel, header);
            CRC32C crc = new CRC32C();
            ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; i += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, data.length - i);
                chunk.clear();
                chunk.asFloatBuffer().put(data, i, n);
                chunk.limit(4 * n);
                crc.update(chunk);
                chunk.flip();
                writeFully(channel, chunk);
            }
            ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            trailer.putInt((int) crc.getValue()).flip();
            writeFully(channel, trailer);
        });
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static String checkKey(String key) {
        Checks.notNull("key", key);
        if (!key.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("key must be 64 lower-case hex digits (a SHA-256), got '" + key + "'");
        }
        return key;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
