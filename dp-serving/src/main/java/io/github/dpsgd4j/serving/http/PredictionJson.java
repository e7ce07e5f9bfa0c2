package io.github.dpsgd4j.serving.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.serving.Decision;
import io.github.dpsgd4j.serving.GuardedAnswer;
import io.github.dpsgd4j.serving.Policies;

import java.nio.charset.StandardCharsets;

/**
 * The JSON protocol of {@code POST /predict}.
 *
 * <p>Request: {@code {"features": [x1, ..., xd]}} for one example or
 * {@code {"batch": [[...], ...]}} for several (exactly one of the two).
 *
 * <p>Answer (200): {@code policy}, {@code decision} ("answered"), {@code reasons} (probing flags
 * when the detector only reports), {@code remaining_budget} (-1 without a budget), and
 * {@code prediction} (single) or {@code predictions} (batch), each shaped by the policy:
 * {@code {"label": c}} for label; {@code {"label": c, "top_k": [{"class": j, "probability": p}, ...]}}
 * for top-k (highest first); {@code {"label": c, "probabilities": [...]}} for rounded and full.
 *
 * <p>Refusals and errors: {@code {"error": message, ...}}; refusals add {@code decision},
 * {@code reasons} and {@code retry_after_seconds}. Thread-safe.
 */
public final class PredictionJson {

    static final ObjectMapper JSON = new ObjectMapper();

    private PredictionJson() {
    }

    /** A parsed request: the rows and whether it was a batch. */
    public record Request(double[][] rows, boolean batch) {
    }

    /**
     * Parses a request body.
     *
     * @throws IllegalArgumentException saying what was expected
     */
    public static Request parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("the body must be JSON such as {\"features\": [0.1, 0.2, ...]}: "
                    + ex.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object with \"features\" or \"batch\"");
        }
        JsonNode features = root.get("features");
        JsonNode batch = root.get("batch");
        if ((features == null) == (batch == null)) {
            throw new IllegalArgumentException("give exactly one of \"features\": [...] (one example) or "
                    + "\"batch\": [[...], ...] (several)");
        }
        if (features != null) {
            return new Request(new double[][] {row(features, "features")}, false);
        }
        if (!batch.isArray() || batch.isEmpty()) {
            throw new IllegalArgumentException("\"batch\" must be a non-empty array of arrays of numbers");
        }
        double[][] rows = new double[batch.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = row(batch.get(i), "batch[" + i + "]");
        }
        return new Request(rows, true);
    }

    private static double[] row(JsonNode node, String name) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("\"" + name + "\" must be an array of numbers");
        }
        double[] out = new double[node.size()];
        for (int j = 0; j < out.length; j++) {
            JsonNode v = node.get(j);
            if (!v.isNumber()) {
                throw new IllegalArgumentException(name + "[" + j + "] must be a number, got " + v.getNodeType()
                        .name().toLowerCase(java.util.Locale.ROOT));
            }
            out[j] = v.doubleValue();
        }
        return out;
    }

    /** The 200 body of an answered request. */
    public static ObjectNode answered(GuardedAnswer answer, OutputPolicy policy, boolean batch) {
        Decision d = answer.decision();
        ObjectNode n = JSON.createObjectNode();
        n.put("policy", Policies.cliName(policy));
        n.put("decision", d.outcome().jsonName());
        ArrayNode reasons = n.putArray("reasons");
        d.reasons().forEach(reasons::add);
        n.put("remaining_budget", d.remainingBudget());
        if (batch) {
            ArrayNode predictions = n.putArray("predictions");
            for (int i = 0; i < answer.labels().length; i++) {
                predictions.add(prediction(answer.released()[i], answer.labels()[i], policy));
            }
        } else {
            n.set("prediction", prediction(answer.released()[0], answer.labels()[0], policy));
        }
        return n;
    }

    private static ObjectNode prediction(double[] released, int label, OutputPolicy policy) {
        ObjectNode p = JSON.createObjectNode();
        p.put("label", label);
        if (policy instanceof OutputPolicy.LabelOnly) {
            return p;
        }
        if (policy instanceof OutputPolicy.TopK) {
            ArrayNode top = p.putArray("top_k");
            boolean[] used = new boolean[released.length];
            while (true) {
                int best = -1;
                for (int j = 0; j < released.length; j++) {
                    if (!used[j] && !Double.isNaN(released[j]) && (best < 0 || released[j] > released[best])) {
                        best = j;
                    }
                }
                if (best < 0) {
                    break;
                }
                used[best] = true;
                top.addObject().put("class", best).put("probability", released[best]);
            }
            return p;
        }
        ArrayNode probabilities = p.putArray("probabilities");
        for (double v : released) {
            probabilities.add(v);
        }
        return p;
    }

    /** The body of a refusal. */
    public static ObjectNode refused(Decision d) {
        ObjectNode n = error(switch (d.outcome()) {
            case RATE_LIMITED -> "rate limit exceeded; retry after the time given";
            case BUDGET_EXHAUSTED -> "query budget for this period is spent";
            case BLOCKED_PROBING -> "queries look like model probing; this client is blocked for a while";
            case WITHHELD_LOG_FAILURE -> "the answer was withheld because the query log is unavailable";
            case ANSWERED -> throw new IllegalArgumentException("an answered decision is not a refusal");
        });
        n.put("decision", d.outcome().jsonName());
        ArrayNode reasons = n.putArray("reasons");
        d.reasons().forEach(reasons::add);
        n.put("retry_after_seconds", d.retryAfterSeconds());
        n.put("remaining_budget", d.remainingBudget());
        return n;
    }

    /** {@code {"error": message}}. */
    public static ObjectNode error(String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        return n;
    }

    static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write a JSON response", ex);
        }
    }
}
