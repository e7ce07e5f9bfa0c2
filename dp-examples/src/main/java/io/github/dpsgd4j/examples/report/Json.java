package io.github.dpsgd4j.examples.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON helpers shared by the reports: one convention for numbers that JSON cannot hold. A
 * non-finite value becomes {@code null} with an extra field {@code <name>_non_finite} holding
 * {@code "Infinity"}, {@code "-Infinity"} or {@code "NaN"} (as the accounting commands do).
 *
 * <p>Thread-safe.
 */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** A new empty object. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Puts {@code value} as a number, or as null plus {@code name_non_finite} if it is not finite. */
    public static ObjectNode number(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
            node.put(name + "_non_finite", Double.toString(value));
        }
        return node;
    }

    /** {@code node} on one line. */
    public static String oneLine(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** {@code node} indented, for files. */
    public static String pretty(ObjectNode node) {
        try {
            return PRETTY.writeValueAsString(node) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
