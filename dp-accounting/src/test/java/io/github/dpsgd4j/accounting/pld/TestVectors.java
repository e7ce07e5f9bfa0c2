package io.github.dpsgd4j.accounting.pld;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.GaussianEvent;
import io.github.dpsgd4j.accounting.PoissonSampledEvent;
import io.github.dpsgd4j.accounting.SelfComposedEvent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reads the reference-vector files of the test resources and turns their inputs into events. */
final class TestVectors {

    static final String PUBLIC_VECTORS = "/io/github/dpsgd4j/accounting/accounting-vectors.json";
    static final String CROSS_CHECKS = "/io/github/dpsgd4j/accounting/pld/pld-cross-checks.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestVectors() {
    }

    static List<JsonNode> load(String resource, Predicate<JsonNode> filter) {
        try (InputStream in = TestVectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode v : JSON.readTree(in).get("vectors")) {
                if (filter.test(v)) {
                    out.add(v);
                }
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("no vectors selected from " + resource);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The allowed error: abs_tol + rel_tol * |expected| (either may be absent). */
    static double tolerance(JsonNode v, double expected) {
        double abs = v.has("abs_tol") ? v.get("abs_tol").asDouble() : 0;
        double rel = v.has("rel_tol") ? v.get("rel_tol").asDouble() : 0;
        return abs + rel * Math.abs(expected);
    }

    /**
     * The event described by a vector's inputs: either {@code events} (a list of
     * {@code {mechanism: gaussian | q, sigma, count}}) composed in order, or one mechanism with
     * {@code q} (1 for {@code mechanism: gaussian}), {@code sigma} and {@code count} or
     * {@code steps}.
     */
    static DpEvent event(JsonNode inputs) {
        if (inputs.has("events")) {
            List<DpEvent> events = new ArrayList<>();
            for (JsonNode e : inputs.get("events")) {
                events.add(single(e));
            }
            return DpEvent.composed(events.toArray(new DpEvent[0]));
        }
        return single(inputs);
    }

    private static DpEvent single(JsonNode e) {
        boolean unsampled = e.has("mechanism") && e.get("mechanism").asText().equals("gaussian");
        double q = unsampled ? 1 : e.get("q").asDouble();
        double sigma = e.get("sigma").asDouble();
        long count = e.has("count") ? e.get("count").asLong() : e.get("steps").asLong();
        DpEvent step = unsampled ? new GaussianEvent(sigma) : new PoissonSampledEvent(q, new GaussianEvent(sigma));
        return new SelfComposedEvent(step, count);
    }

    static String describe(JsonNode v) {
        return v.get("id").asText() + " " + v.get("inputs");
    }
}
