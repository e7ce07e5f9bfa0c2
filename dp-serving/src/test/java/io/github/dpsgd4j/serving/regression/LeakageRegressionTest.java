package io.github.dpsgd4j.serving.regression;

import io.github.dpsgd4j.audit.AuditData;
import io.github.dpsgd4j.audit.AuditSettings;
import io.github.dpsgd4j.audit.model.MlpRecipe;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.datasets.DigitsDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model that memorises 60-odd digits (a deliberately leaky retraining) must fail the check; the
 * same measurement passes a bound it respects.
 */
class LeakageRegressionTest {

    private static AuditData data;
    private static MlpRecipe recipe;
    private static TrainedModel leaky;

    @BeforeAll
    static void train() {
        int[] first = new int[120];
        for (int i = 0; i < first.length; i++) {
            first[i] = i;
        }
        data = AuditData.coinFlipSplit(DigitsDataset.load().subset(first), 8, 8, 10, 3);
        recipe = MlpRecipe.builder(64, 10).hidden(256).epochs(150).batchSize(16).updater(new Adam(1e-2)).build();
        leaky = recipe.train(data.members(), 3);
    }

    @Test
    void lossAttack_onAMemorisingModel_exceedsTheCapOfASmallEpsilon_andFails() {
        LeakageRegression.Check check = LeakageRegression.lossAttack(leaky, data, LeakageBound.epsilonCap(0.1, 1e-5));
        assertFalse(check.withinBound(), "AUC " + check.metrics().auc() + " limit " + check.limit());
        AssertionError e = assertThrows(AssertionError.class, check::assertWithinBound);
        assertTrue(e.getMessage().contains("loss-threshold AUC") && e.getMessage().contains("epsilon = 0.1"),
                e.getMessage());
        assertFalse(LeakageRegression.lossAttack(leaky, data, LeakageBound.nullBand()).withinBound());
    }

    @Test
    void lossAttack_withinAUserThresholdAboveIt_passes() {
        LeakageRegression.Check check = LeakageRegression.lossAttack(leaky, data, LeakageBound.maxAuc(1.0));
        assertTrue(check.withinBound());
        check.assertWithinBound();
        double auc = check.metrics().auc();
        assertTrue(auc > 0.7, "memorised: AUC " + auc);
        assertFalse(LeakageRegression.lossAttack(leaky, data, LeakageBound.maxAuc(auc - 0.01)).withinBound());
        assertTrue(LeakageRegression.lossAttack(leaky, data, LeakageBound.epsilonCap(Double.POSITIVE_INFINITY, 0))
                .withinBound(), "no guarantee, no cap");
    }

    @Test
    void quickAudit_measuresLira_andChecksItAgainstTheBound() {
        AuditSettings settings = AuditSettings.quick().withShadowModels(2)
                .withMiFace(AuditSettings.quick().miFace().withMaxIterations(5));
        LeakageRegression.Check check = LeakageRegression.quickAudit(leaky, recipe, data, settings,
                LeakageBound.maxAuc(0.5));
        assertTrue(check.attack().equals("LiRA"));
        assertFalse(check.withinBound(), "the memorising model leaks to LiRA: AUC " + check.metrics().auc());
        AssertionError e = assertThrows(AssertionError.class, check::assertWithinBound);
        assertTrue(e.getMessage().contains("LiRA AUC") && e.getMessage().contains("threshold 0.5000"),
                e.getMessage());
    }

    @Test
    void bounds_validateTheirArguments() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LeakageBound.maxAuc(0.4)).getMessage()
                .contains("maxAuc"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LeakageBound.epsilonCap(-1, 1e-5))
                .getMessage().contains("epsilon"));
    }
}
