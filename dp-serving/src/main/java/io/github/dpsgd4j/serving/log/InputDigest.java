package io.github.dpsgd4j.serving.log;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of query rows: every value as its 8-byte big-endian IEEE 754 bit pattern
 * ({@link Double#doubleToLongBits}, so all NaNs digest alike), rows in order, each row preceded by
 * its length as a 4-byte big-endian int. Equal inputs give equal digests; the log can then link
 * repeated queries without holding the inputs. Thread-safe.
 */
public final class InputDigest {

    private InputDigest() {
    }

    /** Lower-case hex SHA-256 of {@code rows} (not modified). */
    public static String sha256(double[][] rows) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
        for (double[] row : rows) {
            ByteBuffer buffer = ByteBuffer.allocate(4 + 8 * row.length);
            buffer.putInt(row.length);
            for (double v : row) {
                buffer.putLong(Double.doubleToLongBits(v));
            }
            digest.update(buffer.array());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
