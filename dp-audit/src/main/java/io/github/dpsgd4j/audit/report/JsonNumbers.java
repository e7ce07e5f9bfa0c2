package io.github.dpsgd4j.audit.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes doubles into JSON the way every dpsgd4j command does: a non-finite number becomes null
 * with an extra field {@code <name>_non_finite} holding "Infinity", "-Infinity" or "NaN".
 */
public final class JsonNumbers {

    private JsonNumbers() {
    }

    /** Puts {@code value} under {@code name}. */
    public static ObjectNode put(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
            node.put(name + "_non_finite", Double.toString(value));
        }
        return node;
    }

    /** Puts {lower, upper} as a two-element array (non-finite entries as null). */
    public static ObjectNode putInterval(ObjectNode node, String name, double lower, double upper) {
        ArrayNode a = node.putArray(name);
        for (double v : new double[] {lower, upper}) {
            if (Double.isFinite(v)) {
                a.add(v);
            } else {
                a.addNull();
            }
        }
        return node;
    }
}
