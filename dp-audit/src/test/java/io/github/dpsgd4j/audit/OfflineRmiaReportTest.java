package io.github.dpsgd4j.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.audit.membership.MembershipAudit;
import io.github.dpsgd4j.audit.membership.Rmia;
import io.github.dpsgd4j.audit.membership.ShadowModels;
import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.MlpRecipe;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.report.AuditJson;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.datasets.DigitsDataset;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Offline RMIA in the audit's JSON: present, and equal to {@link Rmia#scoreOffline} on the same models. */
class OfflineRmiaReportTest {

    private static final MlpRecipe RECIPE = MlpRecipe.builder(DigitsDataset.FEATURES, DigitsDataset.CLASSES)
            .hidden(16).epochs(4).batchSize(64).build();

    private static AuditSettings settings(int shadows) {
        return AuditSettings.quick().withShadowModels(shadows).withMiFace(AuditSettings.quick().miFace()
                .withMaxIterations(5)).withPolicies(java.util.List.of(OutputPolicy.fullConfidences()));
    }

    @Test
    void fourShadows_jsonHoldsOfflineRmia_equalToScoreOfflineWithTheTunedA() throws IOException {
        AuditData data = QuickAudit.digitsData(3);
        AuditSettings settings = settings(4);
        TrainedModel target = RECIPE.train(data.members(), 11);
        ModelAudit audit = QuickAudit.audit("m", target, RECIPE, data, settings, AuditExecution.sequential());
        JsonNode json = AuditJson.MAPPER.readTree(AuditJson.MAPPER.writeValueAsString(AuditJson.summary(audit)));

        // The same shadows (seeded, independent of threads), the target's logits, then the paper's offline attack.
        ShadowModels shadows = ShadowModels.train(RECIPE, data.pool(), 4, settings.seed());
        double[][] logits = Dl4jClassifier.of(target.network()).logits(data.pool().getFeatures());
        OutputPolicy full = OutputPolicy.fullConfidences();
        double a = Rmia.tuneOfflineA(shadows, data.labels(), full, Rmia.DEFAULT_GAMMA);
        double[] scores = Rmia.scoreOffline(shadows, logits, data.labels(), full, Rmia.DEFAULT_GAMMA, a);
        AttackMetrics expected = MembershipAudit.metrics(scores, data.member(), settings.seed());

        assertTrue(json.has("rmia_offline_auc"), json.toString());
        assertEquals(expected.auc(), json.get("rmia_offline_auc").asDouble(), 0.0);
        assertEquals(a, json.get("rmia_offline_a").asDouble(), 0.0);
        assertEquals(expected.aucLower(), json.get("rmia_offline_auc_ci").get(0).asDouble(), 0.0);
        assertEquals(expected.atFpr(0.1).tpr(), json.get("rmia_offline_tpr_at_fpr").get("10pct").get("tpr").asDouble(),
                0.0);
        assertTrue(json.get("rmia_offline_tpr_at_fpr").get("0_1pct").isNull(), "0.1% FPR is not resolvable on digits");
        assertNotEquals(json.get("rmia_auc").asDouble(), json.get("rmia_offline_auc").asDouble(),
                "offline RMIA is its own attack, not a copy of online RMIA");
        assertEquals(expected.auc(), audit.rmiaOfflineAuc(), 0.0);
        JsonNode detail = AuditJson.detail(audit).get("membership").get(0).get("rmia_offline");
        assertEquals(expected.auc(), detail.get("auc").asDouble(), 0.0);
        assertEquals(a, detail.get("a").asDouble(), 0.0);
    }

    @Test
    void twoShadows_offlineRmiaIsNullWithANote() throws IOException {
        AuditData data = QuickAudit.digitsData(3);
        TrainedModel target = RECIPE.train(data.members(), 11);
        ModelAudit audit = QuickAudit.audit("m", target, RECIPE, data, settings(2), AuditExecution.sequential());
        JsonNode json = AuditJson.MAPPER.readTree(AuditJson.MAPPER.writeValueAsString(AuditJson.summary(audit)));
        assertTrue(json.get("rmia_offline_auc").isNull(), json.toString());
        assertTrue(json.get("rmia_offline_tpr_at_fpr").isNull());
        assertEquals(AuditJson.OFFLINE_RMIA_NOTE, json.get("rmia_offline_note").asText());
        assertTrue(Double.isNaN(audit.rmiaOfflineAuc()));
        assertTrue(json.get("rmia_auc").isNumber(), "online RMIA still runs with 2 shadows");
    }
}
