package io.github.dpsgd4j.core.clip;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.MathContext;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipFactorsTest {

    /** factor^2 * squaredNorm <= clip^2, decided exactly in decimal arithmetic. */
    private static boolean exactlyWithinBound(double factor, double squaredNorm, double clip) {
        BigDecimal lhs = new BigDecimal(factor).pow(2).multiply(new BigDecimal(squaredNorm));
        return lhs.compareTo(new BigDecimal(clip).pow(2)) <= 0;
    }

    /** Doubles spread over many binades: mantissa in [1, 2) times 2^exponent. */
    private static Arbitrary<Double> spread(int minExponent, int maxExponent) {
        return Combinators.combine(Arbitraries.doubles().between(1, 2).ofScale(15),
                Arbitraries.integers().between(minExponent, maxExponent)).as((m, e) -> Math.scalb(m, e));
    }

    @Provide
    Arbitrary<Double> squaredNorms() {
        return Arbitraries.oneOf(spread(-20, 20), spread(-1074, 1022),
                Arbitraries.of(0.0, 1.0, 4.0, 100.0, Double.MIN_VALUE, Double.MAX_VALUE));
    }

    @Provide
    Arbitrary<Double> clips() {
        return Arbitraries.oneOf(spread(-10, 10), spread(-1074, 1022),
                Arbitraries.of(1.0, 2.0, 10.0, Double.MIN_VALUE, 1e150, Double.MAX_VALUE));
    }

    @Property(tries = 3000, edgeCases = EdgeCasesMode.NONE)
    void factor_timesNormNeverExceedsClipExactly(@ForAll("squaredNorms") double s, @ForAll("clips") double c) {
        double f = ClipFactors.factor(s, c);
        assertTrue(f >= 0 && f <= 1, "factor " + f);
        assertTrue(exactlyWithinBound(f, s, c), "factor " + f + " s " + s + " C " + c);
        float ff = ClipFactors.toFloatFactor(f);
        assertTrue(ff <= f);
    }

    @Property(tries = 3000, edgeCases = EdgeCasesMode.NONE)
    void factor_isOneExactlyWhenNormAtMostClip(@ForAll("squaredNorms") double s, @ForAll("clips") double c) {
        boolean within = new BigDecimal(s).compareTo(new BigDecimal(c).pow(2)) <= 0;
        assertEquals(within, ClipFactors.factor(s, c) == 1.0, "s " + s + " C " + c);
    }

    @Property(tries = 1000, edgeCases = EdgeCasesMode.NONE)
    void factor_isWithinThreeUlpsOfClipOverNormWhenClipped(@ForAll("squaredNorms") double s,
                                                            @ForAll("clips") double c) {
        double f = ClipFactors.factor(s, c);
        if (s == 0) {
            return;
        }
        MathContext precise = new MathContext(40);
        double exact = new BigDecimal(c).divide(new BigDecimal(s).sqrt(precise), precise).doubleValue();
        if (f < 1 && exact > 1e-300) {
            // Rounding sqrt up costs at most 2 ulps of f (one relative ulp of the norm), rounding
            // the quotient down at most 1 more.
            assertTrue(f <= exact && exact - f <= 3 * Math.ulp(exact), "f " + f + " exact " + exact);
        }
    }

    @Test
    void fromSquaredNorms_clipsOnlyExamplesAboveTheBound() {
        ClipFactors f = ClipFactors.fromSquaredNorms(new double[] {0, 1, 4, 16, 3.9999}, 2.0, NonFiniteNormPolicy.SKIP);
        assertArrayEquals(new double[] {1, 1, 1, 0.5, 1}, f.factors());
        assertEquals(1, f.clippedCount());
        assertEquals(0, f.nonFiniteCount());
        assertEquals(5, f.size());
        assertEquals(1, f.groupCount());
        assertEquals(4.0, f.maxNorm());
        assertEquals(new ClipStats(5, 0, 1, 4.0), f.stats());
    }

    @Test
    void fromSquaredNorms_infiniteClipMeansNoClipping() {
        ClipFactors f = ClipFactors.fromSquaredNorms(new double[] {0, 1e300, Double.MAX_VALUE},
                Double.POSITIVE_INFINITY, NonFiniteNormPolicy.SKIP);
        assertArrayEquals(new double[] {1, 1, 1}, f.factors());
        assertEquals(0, f.clippedCount());
    }

    @Test
    void fromSquaredNorms_skipPolicyZeroesAndCountsNonFiniteNorms() {
        ClipFactors f = ClipFactors.fromSquaredNorms(
                new double[] {1, Double.NaN, Double.POSITIVE_INFINITY, 100, Double.NEGATIVE_INFINITY}, 1.0,
                NonFiniteNormPolicy.SKIP);
        assertArrayEquals(new double[] {1, 0, 0, Math.nextDown(0.1), 0}, f.factors());
        assertEquals(3, f.nonFiniteCount());
        assertEquals(1, f.clippedCount());
        assertTrue(f.isSkipped(1) && f.isSkipped(2) && f.isSkipped(4));
        assertFalse(f.isSkipped(0) || f.isSkipped(3));
        assertEquals(10.0, f.maxNorm());
    }

    @Test
    void fromSquaredNorms_failPolicyNamesTheFirstNonFiniteExample() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipFactors.fromSquaredNorms(new double[] {1, 2, Double.NaN, Double.NaN}, 1.0,
                        NonFiniteNormPolicy.FAIL));
        assertTrue(e.getMessage().startsWith("example 2 has a non-finite gradient norm"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, -1.0, Double.NaN, Double.NEGATIVE_INFINITY})
    void fromSquaredNorms_rejectsInvalidClipNamingIt(double c) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipFactors.fromSquaredNorms(new double[] {1}, c, NonFiniteNormPolicy.SKIP));
        assertEquals("l2NormClip must be > 0, got " + c, e.getMessage());
    }

    @Test
    void fromSquaredNorms_rejectsNegativeNormsNullsAndRaggedGroups() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipFactors.fromSquaredNorms(new double[] {1, -2}, 1.0, NonFiniteNormPolicy.SKIP));
        assertEquals("squaredNorms[1] must be >= 0, NaN or infinite, got -2.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClipFactors.fromSquaredNorms((double[]) null, 1.0, NonFiniteNormPolicy.SKIP));
        assertEquals("squaredNorms must not be null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClipFactors.fromSquaredNorms(new double[] {1}, 1.0, null));
        assertEquals("policy must not be null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClipFactors.fromSquaredNorms(
                new double[][] {{1, 2}, {3}}, new double[] {1, 1}, NonFiniteNormPolicy.SKIP));
        assertEquals("squaredNormsPerGroup[1].length must equal squaredNormsPerGroup[0].length (2), got 1",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClipFactors.fromSquaredNorms(
                new double[][] {{1}, {3}}, new double[] {1}, NonFiniteNormPolicy.SKIP));
        assertEquals("groupClips.length must equal squaredNormsPerGroup.length (2), got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClipFactors.fromSquaredNorms(
                new double[][] {{1}, {3}}, new double[] {1, Double.NaN}, NonFiniteNormPolicy.SKIP));
        assertEquals("groupClips[1] must be > 0, got NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClipFactors.fromSquaredNorms(
                new double[0][], new double[0], NonFiniteNormPolicy.SKIP));
        assertEquals("squaredNormsPerGroup.length (number of groups) must be > 0, got 0", e.getMessage());
    }

    @Test
    void perGroup_clipsEachGroupToItsOwnBoundAndSkipsWholeExamples() {
        double[][] s = {
                {1, 100, Double.NaN, 0},
                {9, 1, 4, 0},
        };
        ClipFactors f = ClipFactors.fromSquaredNorms(s, new double[] {2, 1}, NonFiniteNormPolicy.SKIP);
        assertEquals(2, f.groupCount());
        assertArrayEquals(new double[] {1, Math.nextDown(0.2), 0, 1}, f.factors(0));
        assertArrayEquals(new double[] {1.0 / 3, 1, 0, 1}, f.factors(1));
        assertEquals(1, f.nonFiniteCount());
        assertEquals(2, f.clippedCount());
        assertEquals(1, f.clippedCount(0));
        assertEquals(1, f.clippedCount(1));
        assertEquals(Math.sqrt(101), f.maxNorm());
        assertEquals(Math.sqrt(5), f.l2Sensitivity(), 1e-15);
        assertTrue(f.l2Sensitivity() >= Math.sqrt(5));
        IllegalStateException e = assertThrows(IllegalStateException.class, f::factors);
        assertTrue(e.getMessage().contains("2 groups"));
        assertThrows(IllegalArgumentException.class, () -> f.factors(2));
    }

    @Test
    void accessors_returnCopies() {
        ClipFactors f = ClipFactors.fromSquaredNorms(new double[] {100}, 1.0, NonFiniteNormPolicy.SKIP);
        f.factors()[0] = 7;
        f.factors(0)[0] = 7;
        assertEquals(Math.nextDown(0.1), f.factor(0, 0));
    }

    @Test
    void l2Sensitivity_isTheBoundForOneGroupAndInfiniteIfAnyGroupIs() {
        assertEquals(3.0, ClipFactors.l2Sensitivity(new double[] {3.0}));
        assertEquals(Double.POSITIVE_INFINITY, ClipFactors.l2Sensitivity(new double[] {1, Double.POSITIVE_INFINITY}));
        assertTrue(ClipFactors.l2Sensitivity(new double[] {3, 4}) >= 5.0);
        assertTrue(ClipFactors.l2Sensitivity(new double[] {3, 4}) <= 5.0 + 1e-14);
    }

    @Test
    void clipStats_rejectsInconsistentCounts() {
        assertThrows(IllegalArgumentException.class, () -> new ClipStats(-1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ClipStats(3, 4, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ClipStats(3, 2, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new ClipStats(3, 0, 0, Double.NaN));
    }

    @Test
    void clipStatsMerge_isAssociativeAndCommutativeWithEmptyAsIdentity() {
        ClipStats a = new ClipStats(5, 1, 2, 3.0);
        ClipStats b = new ClipStats(7, 0, 4, 9.5);
        ClipStats c = new ClipStats(2, 2, 0, 0.0);
        assertEquals(a.merge(b).merge(c), a.merge(b.merge(c)));
        assertEquals(a.merge(b), b.merge(a));
        assertEquals(a, a.merge(ClipStats.empty()));
        assertEquals(new ClipStats(14, 3, 6, 9.5), a.merge(b).merge(c));
    }

    @Test
    void roundedFactor_isExactForDoubleAndTowardZeroForFloat() {
        double f = 0.1;
        assertEquals(f, ClipFactors.roundedFactor(f, org.nd4j.linalg.api.buffer.DataType.DOUBLE));
        double rounded = ClipFactors.roundedFactor(f, org.nd4j.linalg.api.buffer.DataType.FLOAT);
        assertTrue(rounded <= f && rounded == (float) rounded && f - rounded < Math.ulp(0.1f));
    }
}
