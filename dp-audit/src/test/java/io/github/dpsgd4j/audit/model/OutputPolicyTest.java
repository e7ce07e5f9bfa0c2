package io.github.dpsgd4j.audit.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputPolicyTest {

    private static final double[] LOGITS = {2.0, 0.5, -1.0, 1.0};

    @Test
    void full_releasesSoftmaxAndExactStatistics() {
        OutputPolicy p = OutputPolicy.fullConfidences();
        double[] r = p.release(LOGITS);
        double sum = 0;
        for (double v : r) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-15);
        double expected = Math.log(r[0]) - Math.log(r[1] + r[2] + r[3]);
        assertEquals(expected, p.logitScaledConfidence(LOGITS, 0), 1e-12);
        assertEquals(-Math.log(r[0]), p.loss(LOGITS, 0), 1e-12);
    }

    @Test
    void full_extremeLogits_giveFiniteExactStatistic() {
        double[] logits = {800, 0, -800};
        // exp(800) overflows; the logit form gives 800 - log(1 + e^-800) = 800.
        assertEquals(800, OutputPolicy.fullConfidences().logitScaledConfidence(logits, 0), 1e-9);
        assertEquals(-800, OutputPolicy.fullConfidences().logitScaledConfidence(logits, 1), 1e-9);
    }

    @Test
    void topK_withholdsAllButTheLargest() {
        double[] r = OutputPolicy.topK(2).release(LOGITS);
        assertTrue(!Double.isNaN(r[0]) && !Double.isNaN(r[3]));
        assertTrue(Double.isNaN(r[1]) && Double.isNaN(r[2]));
        double spread = (1 - r[0] - r[3]) / 2;
        assertEquals(spread, OutputPolicy.topK(2).confidence(r, 2), 1e-15);
    }

    @Test
    void rounded_roundsAndClampsAtHalfTheLastDigit() {
        OutputPolicy p = OutputPolicy.rounded(1);
        double[] full = OutputPolicy.fullConfidences().release(LOGITS);
        double[] r = p.release(LOGITS);
        for (int j = 0; j < r.length; j++) {
            assertEquals(Math.round(full[j] * 10) / 10.0, r[j], 1e-12);
        }
        double[] sure = {20, 0, 0, 0};
        // p = 1.0 after rounding; clamped to 1 - 0.05
        assertEquals(Math.log(0.95 / 0.05), p.logitScaledConfidence(sure, 0), 1e-12);
    }

    @Test
    void labelOnly_releasesOneHotOfArgmax() {
        assertArrayEquals(new double[] {1, 0, 0, 0}, OutputPolicy.labelOnly().release(LOGITS));
        assertEquals(Math.log(3), OutputPolicy.labelOnly().logitScaledConfidence(LOGITS, 0), 1e-12);
        assertEquals(-Math.log(3), OutputPolicy.labelOnly().logitScaledConfidence(LOGITS, 1), 1e-12);
    }

    @Test
    void parse_roundTripsNamesAndRejectsOthers() {
        for (OutputPolicy p : new OutputPolicy[] {OutputPolicy.fullConfidences(), OutputPolicy.topK(3),
                OutputPolicy.rounded(2), OutputPolicy.labelOnly()}) {
            assertEquals(p, OutputPolicy.parse(p.name()));
        }
        assertThrows(IllegalArgumentException.class, () -> OutputPolicy.parse("top-0"));
        assertThrows(IllegalArgumentException.class, () -> OutputPolicy.parse("round-x"));
        assertThrows(IllegalArgumentException.class, () -> OutputPolicy.parse("probabilities"));
        assertThrows(IllegalArgumentException.class, () -> OutputPolicy.rounded(16));
    }
}
