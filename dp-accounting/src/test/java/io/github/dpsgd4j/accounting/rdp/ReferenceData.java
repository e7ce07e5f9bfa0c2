package io.github.dpsgd4j.accounting.rdp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.dpsgd4j.accounting.ComposedEvent;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.GaussianEvent;
import io.github.dpsgd4j.accounting.SelfComposedEvent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reads the reference data files and turns their entries into orders, events and assertions. */
final class ReferenceData {

    static final String VECTORS = "/io/github/dpsgd4j/accounting/accounting-vectors.json";
    static final String CROSS_CHECKS = "/io/github/dpsgd4j/accounting/rdp-cross-checks.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceData() {
    }

    static JsonNode load(String resource) {
        try (InputStream in = ReferenceData.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return JSON.readTree(in);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A number, or the string "Infinity" / "-Infinity" / "NaN". */
    static double number(JsonNode node) {
        return node.isTextual() ? Double.parseDouble(node.asText()) : node.asDouble();
    }

    static double[] numbers(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = number(array.get(i));
        }
        return values;
    }

    /**
     * Orders given as a list, as the name of an order set of accounting-vectors.json, as
     * {@code {"rule": "0.001*i", "i_from", "i_to"}} (inclusive, as Python's
     * {@code [0.001 * i for i in range(i_from, i_to + 1)]}) or as {@code {"from", "to"}} integers.
     */
    static double[] orders(JsonNode spec) {
        if (spec.isArray()) {
            return numbers(spec);
        }
        if (spec.isTextual()) {
            JsonNode set = load(VECTORS).get("order_sets").get(spec.asText());
            if (set == null) {
                throw new IllegalArgumentException("unknown order set " + spec);
            }
            return numbers(set);
        }
        if (spec.has("rule")) {
            assertEquals("0.001*i", spec.get("rule").asText(), "the only order rule in the data");
            int from = spec.get("i_from").asInt();
            int to = spec.get("i_to").asInt();
            double[] orders = new double[to - from + 1];
            for (int i = from; i <= to; i++) {
                orders[i - from] = 0.001 * i;
            }
            return orders;
        }
        int from = spec.get("from").asInt();
        int to = spec.get("to").asInt();
        double[] orders = new double[to - from + 1];
        for (int i = from; i <= to; i++) {
            orders[i - from] = i;
        }
        return orders;
    }

    /**
     * The event of a vector's inputs: {@code q, sigma, steps} (a DP-SGD run), {@code mechanism:
     * "gaussian"} (unsampled Gaussian repeated {@code steps} times), or {@code events}: a list of such.
     */
    static DpEvent event(JsonNode inputs) {
        if (inputs.has("events")) {
            List<DpEvent> parts = new ArrayList<>();
            for (JsonNode part : inputs.get("events")) {
                parts.add(event(part));
            }
            return new ComposedEvent(parts);
        }
        double sigma = inputs.get("sigma").asDouble();
        long steps = inputs.has("steps") ? inputs.get("steps").asLong() : inputs.get("count").asLong();
        if (inputs.has("mechanism")) {
            assertEquals("gaussian", inputs.get("mechanism").asText());
            return new SelfComposedEvent(new GaussianEvent(sigma), steps);
        }
        return DpEvent.dpSgd(sigma, inputs.get("q").asDouble(), steps);
    }

    /**
     * Asserts {@code actual} against {@code expected} (a number, "Infinity", or {@code {"upper_bound": x}})
     * with {@code rel_tol} or {@code abs_tol} from {@code tolerances} (the first found in the given nodes).
     */
    static void assertMatches(String id, JsonNode expected, double actual, JsonNode... tolerances) {
        if (expected.isObject()) {
            double bound = expected.get("upper_bound").asDouble();
            assertTrue(actual <= bound, id + ": expected at most " + bound + ", got " + actual);
            return;
        }
        assertClose(id, number(expected), actual, tolerances);
    }

    static void assertClose(String id, double expected, double actual, JsonNode... tolerances) {
        if (Double.isInfinite(expected) || expected == 0 && actual == 0) {
            assertEquals(expected, actual, id + ": expected exactly " + expected);
            return;
        }
        assertTrue(!Double.isNaN(actual), id + ": got NaN");
        for (JsonNode node : tolerances) {
            if (node.has("rel_tol")) {
                double tol = node.get("rel_tol").asDouble();
                assertTrue(Math.abs(actual - expected) <= tol * Math.abs(expected),
                        id + ": expected " + expected + " within " + tol + " relative, got " + actual
                                + " (relative error " + Math.abs(actual / expected - 1) + ")");
                return;
            }
            if (node.has("abs_tol")) {
                double tol = node.get("abs_tol").asDouble();
                assertTrue(Math.abs(actual - expected) <= tol,
                        id + ": expected " + expected + " within " + tol + ", got " + actual);
                return;
            }
        }
        fail(id + ": the data gives no tolerance");
    }
}
