package io.github.dpsgd4j.serving.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.serving.Policies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A client of {@code dpsgd4j serve}: sends rows to {@code POST /predict} and turns each answer
 * back into the vector the output policy released (probabilities; NaN for entries top-k withholds;
 * one-hot for label-only), so that dp-audit's attacker statistics ({@link OutputPolicy#confidence})
 * apply unchanged. Thread-safe.
 */
public final class HttpModelClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI predict;
    private final String apiKey;
    private final HttpClient http;
    private final OutputPolicy policy;
    private final int numClasses;
    private final int inputLength;

    /**
     * Connects to the server at {@code base} and reads its policy and shape from {@code GET /health}.
     *
     * @param base   e.g. http://127.0.0.1:8080
     * @param apiKey the client's key
     */
    public HttpModelClient(URI base, String apiKey) {
        Checks.notNull("base", base);
        this.apiKey = Checks.notNull("apiKey", apiKey);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.predict = base.resolve("/predict");
        JsonNode health = get(base.resolve("/health"));
        this.policy = Policies.parse(health.get("policy").asText());
        this.numClasses = health.get("classes").asInt();
        this.inputLength = health.get("input_length").asInt();
    }

    /** The policy the server announced. */
    public OutputPolicy policy() {
        return policy;
    }

    /** Number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** Features per row. */
    public int inputLength() {
        return inputLength;
    }

    /**
     * One reply.
     *
     * @param status            HTTP status
     * @param decision          the guard's decision ("answered", "rate_limited", ...), or null
     * @param reasons           the guard's reasons
     * @param retryAfterSeconds the Retry-After header, or -1
     * @param released          per row the released vector (length K), or null unless 200
     * @param labels            per row the label, or null unless 200
     */
    public record Reply(int status, String decision, List<String> reasons, long retryAfterSeconds,
                        double[][] released, int[] labels) {
        /** Whether the request was answered. */
        public boolean answered() {
            return status == 200;
        }
    }

    /** Sends {@code rows} as one batch request (a single row as {@code "features"}). */
    public Reply predict(double[][] rows) {
        ObjectNode body = JSON.createObjectNode();
        if (rows.length == 1) {
            ArrayNode f = body.putArray("features");
            Arrays.stream(rows[0]).forEach(f::add);
        } else {
            ArrayNode b = body.putArray("batch");
            for (double[] row : rows) {
                ArrayNode r = b.addArray();
                Arrays.stream(row).forEach(r::add);
            }
        }
        HttpResponse<String> response = send(HttpRequest.newBuilder(predict)
                .header("Content-Type", "application/json")
                .header("X-Api-Key", apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
        JsonNode json = readJson(response.body());
        long retry = response.headers().firstValueAsLong("Retry-After").orElse(-1);
        String decision = json.has("decision") ? json.get("decision").asText() : null;
        List<String> reasons = new ArrayList<>();
        if (json.has("reasons")) {
            json.get("reasons").forEach(r -> reasons.add(r.asText()));
        }
        if (response.statusCode() != 200) {
            return new Reply(response.statusCode(), decision, reasons, retry, null, null);
        }
        List<JsonNode> predictions = new ArrayList<>();
        if (json.has("prediction")) {
            predictions.add(json.get("prediction"));
        } else {
            json.get("predictions").forEach(predictions::add);
        }
        double[][] released = new double[predictions.size()][];
        int[] labels = new int[predictions.size()];
        for (int i = 0; i < released.length; i++) {
            JsonNode p = predictions.get(i);
            labels[i] = p.get("label").asInt();
            released[i] = vector(p, labels[i]);
        }
        return new Reply(200, decision, reasons, retry, released, labels);
    }

    private double[] vector(JsonNode p, int label) {
        double[] v = new double[numClasses];
        if (p.has("probabilities")) {
            for (int j = 0; j < numClasses; j++) {
                v[j] = p.get("probabilities").get(j).asDouble();
            }
        } else if (p.has("top_k")) {
            Arrays.fill(v, Double.NaN);
            p.get("top_k").forEach(e -> v[e.get("class").asInt()] = e.get("probability").asDouble());
        } else {
            v[label] = 1;
        }
        return v;
    }

    private JsonNode get(URI uri) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri).GET().build());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + r.statusCode());
        }
        return readJson(r.body());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot reach " + request.uri(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while querying " + request.uri(), ex);
        }
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException ex) {
            throw new IllegalStateException("the server answered something that is not JSON", ex);
        }
    }
}
