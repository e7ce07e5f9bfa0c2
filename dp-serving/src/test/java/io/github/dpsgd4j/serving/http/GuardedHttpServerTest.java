package io.github.dpsgd4j.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.serving.GuardSettings;
import io.github.dpsgd4j.serving.ServingGuard;
import io.github.dpsgd4j.serving.TinyModels;
import io.github.dpsgd4j.serving.limits.QueryLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuardedHttpServerTest {

    private static final String KEY = "alice-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private GuardedHttpServer server;

    private void start(GuardSettings settings, int maxBody) throws IOException {
        ServingGuard guard = new ServingGuard(TinyModels.served(), settings, null);
        server = GuardedHttpServer.start(guard, ApiKeys.of(Map.of(KEY, "alice")),
                HttpSettings.loopback(0).withMaxBodyBytes(maxBody));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10));
        if (key != null) {
            b.header("X-Api-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertClean(HttpResponse<String> r) {
        String body = r.body();
        assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains("at io.github"),
                "no stack traces or exception classes: " + body);
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void bindsToLoopbackOnly() throws Exception {
        start(GuardSettings.policyOnly(OutputPolicy.labelOnly()), 4096);
        assertEquals("127.0.0.1", server.baseUri().getHost());
        assertTrue(server.port() > 0);
    }

    @Test
    void health_answers200_withShapeAndPolicy() throws Exception {
        start(GuardSettings.policyOnly(OutputPolicy.topK(2)), 4096);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.baseUri().resolve("/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        JsonNode n = JSON.readTree(r.body());
        assertEquals("ok", n.get("status").asText());
        assertEquals(4, n.get("input_length").asInt());
        assertEquals(3, n.get("classes").asInt());
        assertEquals("top-k:2", n.get("policy").asText());
    }

    @Test
    void predict_single_andBatch_areShapedByThePolicy() throws Exception {
        start(GuardSettings.policyOnly(OutputPolicy.topK(2)), 4096);
        HttpResponse<String> r = post("/predict", KEY, "{\"features\": [0.1, 0.2, 0.3, 0.4]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode p = JSON.readTree(r.body()).get("prediction");
        assertEquals(2, p.get("top_k").size());
        assertEquals(p.get("label").asInt(), p.get("top_k").get(0).get("class").asInt());
        assertTrue(p.get("top_k").get(0).get("probability").asDouble()
                >= p.get("top_k").get(1).get("probability").asDouble());
        r = post("/predict", KEY, "{\"batch\": [[0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1], [0, 0, 0, 0]]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertEquals(3, n.get("predictions").size());
        assertEquals("answered", n.get("decision").asText());
        assertEquals(-1, n.get("remaining_budget").asLong());
    }

    @Test
    void missingOrUnknownKey_is401() throws Exception {
        start(GuardSettings.policyOnly(OutputPolicy.labelOnly()), 4096);
        HttpResponse<String> r = post("/predict", null, "{\"features\": [0, 0, 0, 0]}");
        assertEquals(401, r.statusCode());
        assertClean(r);
        r = post("/predict", "bob-0123456789abcdef", "{\"features\": [0, 0, 0, 0]}");
        assertEquals(401, r.statusCode());
        assertTrue(JSON.readTree(r.body()).get("error").asText().contains("X-Api-Key"));
    }

    @Test
    void malformedBodies_are400_sayingWhatWasExpected_andTheServerKeepsServing() throws Exception {
        start(GuardSettings.policyOnly(OutputPolicy.labelOnly()), 4096);
        String[][] cases = {
                {"not json", "JSON"},
                {"[1, 2]", "object"},
                {"{}", "exactly one"},
                {"{\"features\": [1, 2], \"batch\": [[1]]}", "exactly one"},
                {"{\"features\": [1, 2]}", "4 features"},
                {"{\"features\": [1, \"a\", 3, 4]}", "features[1] must be a number"},
                {"{\"batch\": []}", "non-empty"},
                {"{\"batch\": [[1, 2, 3, 4], [1, 2]]}", "row 1"},
                {"{\"features\": [1e999, 0, 0, 0]}", "finite"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = post("/predict", KEY, c[0]);
            assertEquals(400, r.statusCode(), c[0]);
            assertClean(r);
            String error = JSON.readTree(r.body()).get("error").asText();
            assertTrue(error.contains(c[1]), c[0] + " -> " + error);
        }
        assertEquals(200, post("/predict", KEY, "{\"features\": [0, 0, 0, 0]}").statusCode());
    }

    @Test
    void oversizedBody_is413() throws Exception {
        start(GuardSettings.policyOnly(OutputPolicy.labelOnly()), 256);
        StringBuilder big = new StringBuilder("{\"batch\": [");
        for (int i = 0; i < 40; i++) {
            big.append(i == 0 ? "" : ",").append("[0.1, 0.2, 0.3, 0.4]");
        }
        big.append("]}");
        HttpResponse<String> r = post("/predict", KEY, big.toString());
        assertEquals(413, r.statusCode());
        assertClean(r);
        assertEquals(200, post("/predict", KEY, "{\"features\": [0, 0, 0, 0]}").statusCode());
    }

    @Test
    void burstAboveTheRateLimit_is429_withRetryAfter() throws Exception {
        start(GuardSettings.policyOnly(OutputPolicy.labelOnly()).withMaxBatch(3)
                .withLimits(new QueryLimits(new QueryLimits.RateLimit(3, 1), null)), 4096);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post("/predict", KEY, "{\"features\": [0, 0, 0, " + i + "]}").statusCode());
        }
        HttpResponse<String> r = post("/predict", KEY, "{\"features\": [0, 0, 0, 9]}");
        assertEquals(429, r.statusCode());
        assertClean(r);
        long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retry >= 55 && retry <= 60, "one query per minute: " + retry);
        JsonNode n = JSON.readTree(r.body());
        assertEquals("rate_limited", n.get("decision").asText());
        assertEquals(retry, n.get("retry_after_seconds").asLong());
    }

    @Test
    void unknownPathsAndMethods_are404And405() throws Exception {
        start(GuardSettings.policyOnly(OutputPolicy.labelOnly()), 4096);
        assertEquals(404, post("/admin", KEY, "{}").statusCode());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.baseUri().resolve("/predict")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
        assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
        assertEquals(405, post("/health", KEY, "{}").statusCode());
    }

    @Test
    void aFailingModel_is500_withoutDetails_andTheServerKeepsServing() throws Exception {
        io.github.dpsgd4j.serving.ServedModel failing = new io.github.dpsgd4j.serving.ServedModel() {
            private int calls;

            @Override
            public int inputLength() {
                return 1;
            }

            @Override
            public int numClasses() {
                return 2;
            }

            @Override
            public synchronized double[][] logits(double[][] rows) {
                if (calls++ == 0) {
                    throw new IllegalStateException("secret internal detail");
                }
                return new double[][] {{0, 1}};
            }
        };
        server = GuardedHttpServer.start(new ServingGuard(failing, GuardSettings.policyOnly(OutputPolicy.labelOnly()),
                null), ApiKeys.of(Map.of(KEY, "alice")), HttpSettings.loopback(0));
        HttpResponse<String> r = post("/predict", KEY, "{\"features\": [1]}");
        assertEquals(500, r.statusCode());
        assertClean(r);
        assertFalse(r.body().contains("secret"));
        assertEquals(200, post("/predict", KEY, "{\"features\": [1]}").statusCode());
    }

    @Test
    void loopbackSettings_rejectBadPorts() {
        IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> HttpSettings.loopback(70000));
        assertTrue(ex.getMessage().contains("--port"));
    }
}
