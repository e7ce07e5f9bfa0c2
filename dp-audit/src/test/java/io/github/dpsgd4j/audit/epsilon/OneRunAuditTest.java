package io.github.dpsgd4j.audit.epsilon;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.dpsgd4j.audit.ReferenceValues;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OneRunAuditTest {

    @Test
    void bound_matchesCeilingsTable() {
        JsonNode table = ReferenceValues.table("one_run_ceilings");
        double tol = table.get("tolerance_absolute").asDouble();
        for (JsonNode row : table.get("rows")) {
            double eps = OneRunAudit.epsilonLowerBound(row.get("m").asInt(), row.get("r").asInt(), row.get("v").asInt(),
                    row.get("delta").asDouble(), 0.95);
            assertEquals(row.get("epsilon").asDouble(), eps, tol, "row " + row);
        }
    }

    /**
     * The p-value's delta term from running sums of the mass function equals the definition (two
     * binomial distribution functions per i, Steinke, Nasr and Jagielski 2023) to 1e-9 relative.
     */
    @Test
    void pValue_equalsTheDefinitionWithDistributionFunctions() {
        int[][] cases = {{100, 10, 10}, {1000, 100, 90}, {898, 449, 300}, {898, 449, 449}, {2000, 600, 1},
                {2000, 600, 0}, {50, 50, 40}, {1000, 20, 3}};
        for (int[] c : cases) {
            for (double epsilon : new double[] {0, 0.3, 1, 2.5, 6, 20}) {
                for (double delta : new double[] {0, 1e-5, 1e-2}) {
                    double expected = definition(epsilon, c[0], c[1], c[2], delta);
                    double actual = OneRunAudit.pValue(epsilon, c[0], c[1], c[2], delta);
                    assertEquals(expected, actual, 1e-9 * Math.abs(expected) + 1e-12,
                            "m, r, v = " + java.util.Arrays.toString(c) + ", epsilon " + epsilon + ", delta " + delta);
                }
            }
        }
    }

    private static double definition(double epsilon, int m, int r, int v, double delta) {
        double q = 1 / (1 + Math.exp(-epsilon));
        org.apache.commons.math3.distribution.BinomialDistribution b =
                new org.apache.commons.math3.distribution.BinomialDistribution(null, r, q);
        double beta = v == 0 ? 1 : 1 - b.cumulativeProbability(v - 1);
        double alpha = 0;
        for (int i = 1; i <= v; i++) {
            double mass = b.cumulativeProbability(v - 1) - (v - i - 1 >= 0 ? b.cumulativeProbability(v - i - 1) : 0);
            alpha = Math.max(alpha, mass / i);
        }
        return beta + alpha * delta * 2 * m;
    }

    @Test
    void randomGuesses_giveZero() {
        assertEquals(0, OneRunAudit.epsilonLowerBound(1000, 100, 50, 1e-5, 0.95));
        assertEquals(0, OneRunAudit.epsilonLowerBound(1000, 0, 0, 1e-5, 0.95));
    }

    @Test
    void fromScores_uninformativeScoresGiveZeroAndPlantedSignalGivesPositiveBound() {
        SplittableRandom random = new SplittableRandom(3);
        int m = 2000;
        boolean[] member = new boolean[m];
        double[] noise = new double[m];
        double[] signal = new double[m];
        for (int i = 0; i < m; i++) {
            member[i] = random.nextBoolean();
            noise[i] = random.nextGaussian();
            signal[i] = random.nextGaussian() + (member[i] ? 3 : 0);
        }
        // Seeded; under no signal the bound is positive with probability <= 5% per evaluation.
        assertEquals(0, OneRunAudit.fromScores(noise, member, 1e-5, 0.95, 1).epsilon());
        OneRunAudit.Result planted = OneRunAudit.fromScores(signal, member, 1e-5, 0.95, 1);
        assertTrue(planted.epsilon() > 2, "planted " + planted);
        assertTrue(planted.correct() <= planted.guesses());
    }

    @Test
    void fromScores_oddEvaluationHalfWithAllGuesses_guessesEachExampleOnce() {
        // 1,797 examples (the digits pool): the evaluation half holds 899; perfectly separated scores make
        // "guess everything" (half in, half out) the best choice, and 2 x round(0.5 x 899) = 900 > 899.
        SplittableRandom random = new SplittableRandom(8);
        int m = 1797;
        boolean[] member = new boolean[m];
        double[] perfect = new double[m];
        for (int i = 0; i < m; i++) {
            member[i] = random.nextBoolean();
            perfect[i] = member[i] ? 1 + random.nextDouble() : -1 - random.nextDouble();
        }
        OneRunAudit.Result r = OneRunAudit.fromScores(perfect, member, 1e-5, 0.95, 2);
        assertEquals(899, r.canaries());
        assertTrue(r.guesses() <= r.canaries(), r.toString());
        assertTrue(r.epsilon() > 3, r.toString());
    }

    @Test
    void guess_halfInHalfOutOfAnOddCount_guessesEachExampleOnce() {
        // 5 examples, half "in" and half "out": round(2.5) + round(2.5) = 6 > 5 without the cap.
        double[] scores = {5, 4, 3, 2, 1};
        boolean[] member = {true, true, false, false, false};
        int[] counts = OneRunAudit.guess(java.util.List.of(0, 1, 2, 3, 4), scores, new double[5], member, 0.5, 0.5);
        assertEquals(5, counts[0]);
        assertEquals(4, counts[1], "top 3 guessed in (2 right), the bottom 2 out (both right)");
    }
}
