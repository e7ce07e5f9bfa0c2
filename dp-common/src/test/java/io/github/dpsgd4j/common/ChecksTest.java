package io.github.dpsgd4j.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void nanFailsEveryDoubleCheck_andTheMessageNamesParameterAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checks.finitePositive("noiseMultiplier", Double.NaN));
        assertTrue(e.getMessage().contains("noiseMultiplier") && e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Checks.finiteNonNegative("x", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Checks.positive("x", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Checks.nonNegative("x", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Checks.probability("x", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Checks.sampleRate("x", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Checks.openUnitInterval("x", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Checks.inClosedRange("x", Double.NaN, 0, 1));
    }

    @Test
    void infinityIsRefusedOnlyWhereTheCheckSaysFinite() {
        assertThrows(IllegalArgumentException.class, () -> Checks.finitePositive("c", Double.POSITIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, Checks.positive("c", Double.POSITIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, Checks.nonNegative("c", Double.POSITIVE_INFINITY));
    }

    @Test
    void boundariesAreWhereTheNamesSay() {
        assertEquals(0.0, Checks.probability("p", 0.0));
        assertEquals(1.0, Checks.probability("p", 1.0));
        assertThrows(IllegalArgumentException.class, () -> Checks.openUnitInterval("delta", 0.0));
        assertThrows(IllegalArgumentException.class, () -> Checks.openUnitInterval("delta", 1.0));
        assertEquals(0, Checks.nonNegative("n", 0));
        assertThrows(IllegalArgumentException.class, () -> Checks.positive("n", 0));
        assertThrows(IllegalArgumentException.class, () -> Checks.positive("n", 0L));
        assertThrows(IllegalArgumentException.class, () -> Checks.inClosedRange("x", 1.5, 0, 1));
    }

    @Test
    void arrayRangeRefusesRangesOutsideTheArray() {
        Checks.arrayRange("a", 10, 2, 8);
        assertThrows(RuntimeException.class, () -> Checks.arrayRange("a", 10, 3, 8));
        assertThrows(RuntimeException.class, () -> Checks.arrayRange("a", 10, -1, 2));
    }
}
