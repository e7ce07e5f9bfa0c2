package io.github.dpsgd4j.serving.proof;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.serving.Dl4jServedModel;
import io.github.dpsgd4j.serving.GuardSettings;
import io.github.dpsgd4j.serving.ServingGuard;
import io.github.dpsgd4j.serving.http.ApiKeys;
import io.github.dpsgd4j.serving.http.GuardedHttpServer;
import io.github.dpsgd4j.serving.http.HttpSettings;
import io.github.dpsgd4j.serving.limits.QueryLimits;
import io.github.dpsgd4j.serving.log.QueryLog;
import io.github.dpsgd4j.serving.probing.ProbingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bounded load over loopback (300 requests, 4 clients, at most 20 s), guard off and fully on. */
class LoadTestTest {

    @TempDir
    Path dir;

    private LoadTest.Result load(GuardSettings settings, QueryLog log) throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int t = 0; t < 4; t++) {
            keys.put("client-" + t + "-0123456789abcdef", "client-" + t);
        }
        ServingGuard guard = new ServingGuard(Dl4jServedModel.of(DigitsTarget.nonPrivate().network()), settings, log);
        try (GuardedHttpServer server = GuardedHttpServer.start(guard, ApiKeys.of(keys), HttpSettings.loopback(0))) {
            HttpModelClient[] clients = keys.keySet().stream().map(k -> new HttpModelClient(server.baseUri(), k))
                    .toArray(HttpModelClient[]::new);
            return LoadTest.run(clients, DigitsTarget.data().images(), 300, 20);
        }
    }

    @Test
    void boundedLoad_isAnsweredInFull_withAndWithoutTheGuard_andEveryRequestIsLogged() throws Exception {
        LoadTest.Result off = load(GuardSettings.policyOnly(OutputPolicy.fullConfidences()), null);
        Path file = dir.resolve("queries.log");
        GuardSettings on = new GuardSettings(OutputPolicy.topK(3), new QueryLimits(
                new QueryLimits.RateLimit(1000, 600_000), new QueryLimits.QueryBudget(100_000, Duration.ofDays(1))),
                ProbingSettings.defaults(), 64);
        LoadTest.Result guarded;
        try (QueryLog log = QueryLog.open(file, 1 << 24, 2)) {
            guarded = load(on, log);
        }
        for (LoadTest.Result r : new LoadTest.Result[] {off, guarded}) {
            assertEquals(300, r.requests());
            assertEquals(300, r.answered());
            assertTrue(r.p50Millis() <= r.p90Millis() && r.p90Millis() <= r.p99Millis(), r.toString());
            assertTrue(r.throughput() > 0);
        }
        assertEquals(300, Files.readAllLines(file).size());
    }
}
