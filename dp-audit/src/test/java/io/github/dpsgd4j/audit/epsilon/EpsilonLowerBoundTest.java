package io.github.dpsgd4j.audit.epsilon;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.audit.ReferenceValues;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EpsilonLowerBoundTest {

    @Test
    void clopperPearsonBound_matchesCeilingsTable() {
        JsonNode table = ReferenceValues.table("clopper_pearson_ceilings");
        double tol = table.get("tolerance_absolute").asDouble();
        for (JsonNode row : table.get("rows")) {
            int n = row.get("runs_per_world").asInt();
            EpsilonLowerBound b = EpsilonLowerBound.fromCounts(row.get("fp").asInt(), n, row.get("fn").asInt(), n,
                    table.get("delta").asDouble(), table.get("alpha").asDouble());
            assertEquals(row.get("epsilon").asDouble(), b.epsilon(), tol, "row " + row);
            if (!row.get("fpr_hi").isNull()) {
                assertEquals(row.get("fpr_hi").asDouble(), b.fprUpper(), 5e-4, "row " + row);
            }
        }
    }

    @Test
    void chanceLevelTest_givesZero() {
        assertEquals(0, EpsilonLowerBound.fromCounts(50, 100, 50, 100, 1e-5, 0.05).epsilon());
    }

    @Test
    void heldOut_thresholdFromSelectionRuns_boundsOnEvaluationRuns() {
        double[] selIn = {5, 6, 7, 8};
        double[] selOut = {1, 2, 3, 4};
        double[] evalIn = {0, 9, 9, 9};
        double[] evalOut = {0, 0, 0, 0};
        EpsilonLowerBound.Thresholded t = EpsilonLowerBound.heldOut(selIn, selOut, evalIn, evalOut, 0, 0.05);
        assertEquals(5, t.threshold());
        assertEquals(1, t.bound().falseNegatives());
        assertEquals(0, t.bound().falsePositives());
    }

    @Test
    void fromCounts_rejectsBadDelta() {
        assertThrows(IllegalArgumentException.class, () -> EpsilonLowerBound.fromCounts(0, 10, 0, 10, 1, 0.05));
    }
}
