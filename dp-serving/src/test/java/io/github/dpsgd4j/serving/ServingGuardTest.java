package io.github.dpsgd4j.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.dpsgd4j.audit.model.LogitMath;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.serving.limits.QueryLimits;
import io.github.dpsgd4j.serving.log.QueryLog;
import io.github.dpsgd4j.serving.probing.ProbingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServingGuardTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final Dl4jServedModel model = TinyModels.served();

    private ServingGuard guard(GuardSettings settings, QueryLog log) {
        return new ServingGuard(model, settings, log, clock, Clock.systemUTC());
    }

    @Test
    void answer_releasesExactlyWhatThePolicyReleases() {
        double[][] rows = {{0.1, 0.2, 0.3, 0.4}, {1, 0, -1, 0.5}};
        double[][] logits = model.logits(rows);
        for (OutputPolicy policy : List.of(OutputPolicy.labelOnly(), OutputPolicy.topK(2), OutputPolicy.rounded(1),
                OutputPolicy.fullConfidences())) {
            GuardedAnswer a = guard(GuardSettings.policyOnly(policy), null).answer("alice", rows);
            assertTrue(a.decision().answered());
            for (int i = 0; i < rows.length; i++) {
                assertArrayEquals(policy.release(logits[i]), a.released()[i], policy.name());
                assertEquals(LogitMath.argmax(logits[i]), a.labels()[i]);
            }
        }
    }

    @Test
    void malformedRows_areRefusedBeforeAnythingIsSpentOrLogged() throws IOException {
        Path file = dir.resolve("q.log");
        GuardSettings settings = GuardSettings.policyOnly(OutputPolicy.labelOnly())
                .withLimits(new QueryLimits(null, new QueryLimits.QueryBudget(1, Duration.ofDays(1)))).withMaxBatch(1);
        try (QueryLog log = QueryLog.open(file, 1 << 20, 1)) {
            ServingGuard g = guard(settings, log);
            String m = assertThrows(IllegalArgumentException.class, () -> g.answer("alice", new double[][] {{1, 2}}))
                    .getMessage();
            assertTrue(m.contains("4 features") && m.contains("got 2"), m);
            m = assertThrows(IllegalArgumentException.class,
                    () -> g.answer("alice", new double[][] {{1, Double.NaN, 0, 0}})).getMessage();
            assertTrue(m.contains("finite") && m.contains("index 1"), m);
            m = assertThrows(IllegalArgumentException.class,
                    () -> g.answer("alice", new double[][] {{1, 0, 0, 0}, {1, 0, 0, 0}})).getMessage();
            assertTrue(m.contains("between 1 and 1"), m);
            assertTrue(g.answer("alice", new double[][] {{1, 0, 0, 0}}).decision().answered(),
                    "the budget of 1 is intact");
        }
        assertEquals(1, Files.readAllLines(file).size());
    }

    @Test
    void budget_refusal_isVisibleInTheAnswerAndTheLog() throws IOException {
        Path file = dir.resolve("q.log");
        GuardSettings settings = GuardSettings.policyOnly(OutputPolicy.labelOnly())
                .withLimits(new QueryLimits(null, new QueryLimits.QueryBudget(2, Duration.ofHours(1))));
        try (QueryLog log = QueryLog.open(file, 1 << 20, 1)) {
            ServingGuard g = guard(settings, log);
            double[][] row = {{0, 0, 0, 1}};
            assertEquals(1, g.answer("alice", row).decision().remainingBudget());
            assertEquals(0, g.answer("alice", row).decision().remainingBudget());
            GuardedAnswer refused = g.answer("alice", row);
            assertEquals(Outcome.BUDGET_EXHAUSTED, refused.decision().outcome());
            assertNull(refused.released());
            assertTrue(refused.decision().retryAfterSeconds() > 3500);
        }
        List<String> lines = Files.readAllLines(file);
        JsonNode last = new ObjectMapper().readTree(lines.get(2));
        assertEquals("budget_exhausted", last.get("decision").asText());
        assertEquals("alice", last.get("client").asText());
        assertTrue(last.get("retry_after_ms").asLong() > 3_500_000);
        assertEquals("label", last.get("policy").asText(), "the log names the policy as the command line does");
    }

    @Test
    void probing_blocksTheQueryThatCompletesTheBurst_andTheCooldown() throws IOException {
        Path file = dir.resolve("q.log");
        GuardSettings settings = GuardSettings.policyOnly(OutputPolicy.rounded(2))
                .withProbing(ProbingSettings.defaults());
        try (QueryLog log = QueryLog.open(file, 1 << 20, 1)) {
            ServingGuard g = guard(settings, log);
            double[][] batch = new double[9][];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = new double[] {0.5, 0.5, 0.5, 0.5 + 1e-4 * i};
            }
            GuardedAnswer a = g.answer("mallory", batch);
            assertEquals(Outcome.BLOCKED_PROBING, a.decision().outcome());
            assertEquals(List.of("probing:near_duplicate_burst"), a.decision().reasons());
            assertNull(a.released(), "the flagged answer is withheld");
            assertEquals(60, a.decision().retryAfterSeconds());
            GuardedAnswer during = g.answer("mallory", new double[][] {{0, 1, 0, 1}});
            assertEquals(List.of("probing_cooldown"), during.decision().reasons());
            assertTrue(g.answer("alice", new double[][] {{0, 1, 0, 1}}).decision().answered(), "others are served");
            clock.advance(Duration.ofSeconds(60));
            assertTrue(g.answer("mallory", new double[][] {{0, 1, 0, 1}}).decision().answered());
        }
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.get(0).contains("\"probing:near_duplicate_burst\""), lines.get(0));
    }

    @Test
    void aLongProbingBatch_isOneOffence_withOneCooldown() {
        ServingGuard g = guard(GuardSettings.policyOnly(OutputPolicy.fullConfidences())
                .withProbing(ProbingSettings.defaults()), null);
        double[][] batch = new double[33][];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new double[] {0.5, 0.5, 0.5, 0.5 + 1e-4 * i};
        }
        GuardedAnswer a = g.answer("mallory", batch);
        assertEquals(Outcome.BLOCKED_PROBING, a.decision().outcome());
        assertEquals(60, a.decision().retryAfterSeconds(), "three bursts in one request must not double twice");
    }

    @Test
    void reportOnlyProbing_answersAndSaysWhy() {
        GuardSettings settings = GuardSettings.policyOnly(OutputPolicy.labelOnly())
                .withProbing(ProbingSettings.defaults().withAction(ProbingSettings.Action.REPORT_ONLY));
        ServingGuard g = guard(settings, null);
        double[][] batch = new double[9][];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new double[] {0.5, 0.5, 0.5, 0.5};
        }
        GuardedAnswer a = g.answer("mallory", batch);
        assertTrue(a.decision().answered());
        assertEquals(List.of("probing:near_duplicate_burst"), a.decision().reasons());
    }

    @Test
    void aClosedLog_withholdsTheAnswer() throws IOException {
        QueryLog log = QueryLog.open(dir.resolve("q.log"), 1 << 20, 1);
        log.close();
        GuardedAnswer a = guard(GuardSettings.policyOnly(OutputPolicy.fullConfidences()), log)
                .answer("alice", new double[][] {{0, 0, 0, 0}});
        assertEquals(Outcome.WITHHELD_LOG_FAILURE, a.decision().outcome());
        assertNull(a.released());
        assertEquals(503, a.decision().outcome().httpStatus());
    }

    @Test
    void settings_refuseABatchLargerThanTheBurst() {
        String m = assertThrows(IllegalArgumentException.class, () -> new GuardSettings(OutputPolicy.labelOnly(),
                new QueryLimits(new QueryLimits.RateLimit(10, 60), null), null, 11)).getMessage();
        assertTrue(m.contains("maxBatch") && m.contains("burst 10"), m);
    }

    @Test
    void policies_parseTheCommandLineNames() {
        assertEquals(OutputPolicy.labelOnly(), Policies.parse("label"));
        assertEquals(OutputPolicy.topK(3), Policies.parse("top-k:3"));
        assertEquals(OutputPolicy.rounded(2), Policies.parse("rounded:2"));
        assertEquals(OutputPolicy.fullConfidences(), Policies.parse("full"));
        assertEquals("top-k:3", Policies.cliName(OutputPolicy.topK(3)));
        assertEquals("rounded:2", Policies.cliName(OutputPolicy.rounded(2)));
        String m = assertThrows(IllegalArgumentException.class, () -> Policies.parse("top-k:x")).getMessage();
        assertTrue(m.contains("--output-policy") && m.contains("top-k:x"), m);
    }
}
