package io.github.dpsgd4j.audit.stats;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.audit.ReferenceValues;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrivacyCapsTest {

    @Test
    void caps_matchReferenceTable() {
        JsonNode table = ReferenceValues.table("caps");
        double delta = table.get("delta").asDouble();
        for (JsonNode row : table.get("rows")) {
            PrivacyCaps caps = new PrivacyCaps(row.get("epsilon").asDouble(), delta);
            String at = "epsilon " + caps.epsilon();
            close(row.get("max_advantage").asDouble(), caps.maxAdvantage(), at);
            close(row.get("max_auc").asDouble(), caps.maxAuc(), at);
            close(row.get("max_tpr_at_0_1pct").asDouble(), caps.maxTprAtFpr(0.001), at);
            close(row.get("max_tpr_at_1pct").asDouble(), caps.maxTprAtFpr(0.01), at);
        }
    }

    @Test
    void infiniteEpsilon_givesTrivialCaps() {
        PrivacyCaps none = PrivacyCaps.none();
        assertTrue(none.trivial());
        assertEquals(1, none.maxAdvantage());
        assertEquals(1, none.maxAuc());
        assertEquals(1, none.maxTprAtFpr(0));
    }

    @Test
    void caps_rejectNegativeEpsilonAndNaN() {
        assertThrows(IllegalArgumentException.class, () -> new PrivacyCaps(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new PrivacyCaps(Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> new PrivacyCaps(1, 2));
    }

    private static void close(double reference, double actual, String at) {
        // The reference table rounds to three significant digits.
        double tolerance = Math.max(6e-4, 6e-3 * reference);
        assertTrue(Math.abs(reference - actual) <= tolerance, at + ": expected " + reference + ", got " + actual);
    }
}
