package io.github.dpsgd4j.serving.proof;

import io.github.dpsgd4j.audit.inversion.InversionMetrics;
import io.github.dpsgd4j.audit.inversion.MiFaceConfig;
import io.github.dpsgd4j.audit.inversion.StartPoint;
import io.github.dpsgd4j.audit.membership.LossThresholdAttack;
import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.serving.Dl4jServedModel;
import io.github.dpsgd4j.serving.GuardSettings;
import io.github.dpsgd4j.serving.ServingGuard;
import io.github.dpsgd4j.serving.http.ApiKeys;
import io.github.dpsgd4j.serving.http.GuardedHttpServer;
import io.github.dpsgd4j.serving.http.HttpSettings;
import io.github.dpsgd4j.serving.limits.QueryLimits;
import io.github.dpsgd4j.serving.probing.ProbingSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dp-audit's black-box attacks as real HTTP clients against a server on 127.0.0.1, with and
 * without each guard, on a non-private digits model that memorises its training half.
 */
class AttacksOverLoopbackTest {

    static final String ATTACKER = "mallory-0123456789abcdef";
    static final String HONEST = "alice-0123456789abcdef";
    static final MiFaceConfig MI_FACE = MiFaceConfig.paper().withStart(StartPoint.GLOBAL_MEAN).withMaxIterations(40)
            .withRandomDirections(16).withStepSize(0.1);

    private GuardedHttpServer server;

    private HttpModelClient serve(GuardSettings settings, String key) throws IOException {
        ServingGuard guard = new ServingGuard(Dl4jServedModel.of(DigitsTarget.nonPrivate().network()), settings, null);
        server = GuardedHttpServer.start(guard, ApiKeys.of(Map.of(ATTACKER, "mallory", HONEST, "alice")),
                HttpSettings.loopback(0));
        return new HttpModelClient(server.baseUri(), key);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static InversionMetrics evaluate(HttpMiFace.Result r) {
        var data = DigitsTarget.data();
        return InversionMetrics.evaluate(r.reconstructions(), data.images(), data.labels(), data.member(), 10, 8, 8, 3,
                DigitsTarget.SEED);
    }

    private static int[] allClasses() {
        return new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    }

    @Test
    void miFace_withoutGuards_runsToTheEnd_andReconstructsClasses() throws IOException {
        HttpModelClient client = serve(GuardSettings.policyOnly(OutputPolicy.fullConfidences()), ATTACKER);
        HttpMiFace.Result r = HttpMiFace.run(client, allClasses(), DigitsTarget.nonMemberMean(), MI_FACE);
        assertFalse(r.refused());
        assertTrue(r.rowsAnswered() >= 10 * 33, "rows " + r.rowsAnswered());
        InversionMetrics m = evaluate(r);
        assertTrue(m.meanConfidence() > 0.9, "confidence reached " + m.meanConfidence());
        assertTrue(m.identificationRate() >= 0.5, "identification " + m.identificationRate());
    }

    @Test
    void miFace_againstTheProbingDetector_isBlockedOnItsFirstBatch() throws IOException {
        HttpModelClient client = serve(GuardSettings.policyOnly(OutputPolicy.fullConfidences())
                .withProbing(ProbingSettings.defaults()), ATTACKER);
        HttpMiFace.Result r = HttpMiFace.run(client, allClasses(), DigitsTarget.nonMemberMean(), MI_FACE);
        assertTrue(r.refused());
        assertEquals("blocked_probing", r.refusalDecision());
        assertTrue(r.refusalReasons().contains("probing:near_duplicate_burst"), r.refusalReasons().toString());
        assertEquals(0, r.rowsAnswered());
        InversionMetrics m = evaluate(r);
        assertTrue(m.meanConfidence() < 0.5, "nothing was learnt: " + m.meanConfidence());
    }

    @Test
    void miFace_againstTheRateLimit_isThrottledAfterItsBurst() throws IOException {
        HttpModelClient client = serve(GuardSettings.policyOnly(OutputPolicy.fullConfidences()).withMaxBatch(64)
                .withLimits(new QueryLimits(new QueryLimits.RateLimit(64, 600), null)), ATTACKER);
        HttpMiFace.Result r = HttpMiFace.run(client, allClasses(), DigitsTarget.nonMemberMean(), MI_FACE);
        assertTrue(r.refused());
        assertEquals("rate_limited", r.refusalDecision());
        assertTrue(r.rowsAnswered() <= 2 * 33, "rows " + r.rowsAnswered());
    }

    @Test
    void membership_overHttp_isDpAuditsLossAttack_andABudgetStopsIt() throws IOException {
        var data = DigitsTarget.data();
        OutputPolicy policy = OutputPolicy.rounded(3);
        HttpModelClient client = serve(GuardSettings.policyOnly(policy).withMaxBatch(64), ATTACKER);
        HttpMembershipAttack.Result open = HttpMembershipAttack.run(client, data.images(), data.labels(), data.member(),
                64, DigitsTarget.SEED);
        assertFalse(open.refused());
        assertEquals(data.images().length, open.answered());
        // The same attack in process, on the model's logits through the same policy.
        double[] scores = LossThresholdAttack.scores(
                Dl4jClassifier.of(DigitsTarget.nonPrivate().network()).logits(data.pool().getFeatures()),
                data.labels(), policy);
        boolean[] member = data.member();
        AttackMetrics inProcess = AttackMetrics.evaluate(select(scores, member, true), select(scores, member, false),
                DigitsTarget.SEED);
        assertEquals(inProcess.auc(), open.metrics().auc(), 1e-12);
        server.close();

        client = serve(GuardSettings.policyOnly(policy).withMaxBatch(64)
                .withLimits(new QueryLimits(null, new QueryLimits.QueryBudget(192, Duration.ofDays(1)))), ATTACKER);
        HttpMembershipAttack.Result budgeted = HttpMembershipAttack.run(client, data.images(), data.labels(),
                data.member(), 64, DigitsTarget.SEED);
        assertTrue(budgeted.refused());
        assertEquals("budget_exhausted", budgeted.refusalDecision());
        assertEquals(192, budgeted.answered());
    }

    private static double[] select(double[] scores, boolean[] member, boolean want) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (member[i] == want) {
                out.add(scores[i]);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void honestReplayOfTestQueries_underEveryGuard_isNeverThrottled() throws IOException {
        var data = DigitsTarget.data();
        double[][] images = data.images();
        int[] labels = data.labels();
        boolean[] member = data.member();
        int n = 150;
        double[][] rows = new double[n][];
        int[] y = new int[n];
        for (int i = 0, k = 0; k < n; i++) {
            if (!member[i]) {
                rows[k] = images[i];
                y[k++] = labels[i];
            }
        }
        GuardSettings all = new GuardSettings(OutputPolicy.topK(3),
                new QueryLimits(new QueryLimits.RateLimit(64, 6000), new QueryLimits.QueryBudget(1000,
                        Duration.ofDays(1))), ProbingSettings.defaults(), 64);
        HttpModelClient client = serve(all, HONEST);
        HonestReplay.Result r = HonestReplay.run(client, rows, y, 60);
        assertEquals(0, r.refused());
        assertTrue(r.accuracy() > 0.85, "accuracy " + r.accuracy());
    }
}
