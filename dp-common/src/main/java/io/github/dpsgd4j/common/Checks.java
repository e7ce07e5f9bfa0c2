package io.github.dpsgd4j.common;

/**
 * The one place where dpsgd4j validates privacy parameters and other arguments.
 *
 * <p>Every check is written so that NaN fails ({@code if (!(x > 0))}), and every message names the
 * parameter, the rule and the offending value, for example
 * {@code "noiseMultiplier must be finite and >= 0, got NaN"}. All methods return their argument so
 * they can be used in field initialisers and record constructors.
 *
 * <p>Thread-safe: stateless.
 */
public final class Checks {

    private Checks() {
    }

    /** Requires {@code 0 < value < infinity}. */
    public static double finitePositive(String name, double value) {
        if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
        }
        return value;
    }

    /** Requires {@code 0 <= value < infinity}. */
    public static double finiteNonNegative(String name, double value) {
        if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    /** Requires {@code value > 0}; positive infinity is allowed (for example "no clipping"). */
    public static double positive(String name, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    /** Requires {@code value >= 0}; positive infinity is allowed. */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    /** Requires a probability in the closed interval {@code [0, 1]}. */
    public static double probability(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
        }
        return value;
    }

    /** Requires a sampling rate in {@code (0, 1]}: a training step must be able to see data. */
    public static double sampleRate(String name, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], got " + value);
        }
        return value;
    }

    /** Requires a value in the open interval {@code (0, 1)}, as for delta. */
    public static double openUnitInterval(String name, double value) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1), got " + value);
        }
        return value;
    }

    /** Requires {@code value >= 0}. */
    public static int nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    /** Requires {@code value >= 0}. */
    public static long nonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    /** Requires {@code value > 0}. */
    public static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    /** Requires {@code value > 0}. */
    public static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    /** Requires {@code min <= value <= max}; NaN fails, and so do infinities outside the range. */
    public static double inClosedRange(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /**
     * Requires {@code [offset, offset + length)} to be a valid range of an array of
     * {@code arrayLength} elements named {@code arrayName}: {@code offset >= 0}, {@code length >= 0}
     * and {@code offset + length <= arrayLength} (computed without overflow).
     */
    public static void arrayRange(String arrayName, int arrayLength, int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > arrayLength) {
            throw new IllegalArgumentException("offset and length must satisfy 0 <= offset, 0 <= length, "
                    + "offset + length <= " + arrayName + ".length (" + arrayLength + "), got offset "
                    + offset + " and length " + length);
        }
    }

    /** Requires {@code actual == expected} for a length or size named {@code name}. */
    public static int equalTo(String name, int actual, String expectedName, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + " must equal " + expectedName + " (" + expected
                    + "), got " + actual);
        }
        return actual;
    }

    /** Requires a non-null reference. */
    public static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }
}
