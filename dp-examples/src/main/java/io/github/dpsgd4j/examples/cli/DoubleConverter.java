package io.github.dpsgd4j.examples.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/**
 * How every double option of the command line is read: Java's decimal and scientific notation,
 * and {@code inf}, {@code +inf}, {@code infinity} or {@code -inf} (any case) for the infinities, so
 * that an option whose range includes +infinity (a target epsilon, an epsilon) accepts it in one
 * spelling everywhere. Whether a value is in range is each option's own check, which names it.
 */
final class DoubleConverter implements ITypeConverter<Double> {

    @Override
    public Double convert(String value) {
        return parse(value);
    }

    /**
     * The double {@code text} denotes.
     *
     * @throws TypeConversionException if it is not a number, {@code inf} or {@code infinity}
     */
    static double parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
                try {
                    return Double.parseDouble(text.trim()); // Java's spelling: "NaN" reaches the range check
                } catch (NumberFormatException ex) {
                    throw new TypeConversionException("'" + text + "' is not a number (write for example 0.5, 1e-5 or inf)");
                }
            }
        }
    }
}
