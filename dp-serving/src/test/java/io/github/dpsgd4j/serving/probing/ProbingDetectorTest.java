package io.github.dpsgd4j.serving.probing;

import io.github.dpsgd4j.serving.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbingDetectorTest {

    private final ManualClock clock = new ManualClock();
    private final SplittableRandom random = new SplittableRandom(11);

    private double[] randomImage() {
        double[] x = new double[64];
        for (int j = 0; j < x.length; j++) {
            x[j] = random.nextDouble();
        }
        return x;
    }

    private double[] probabilities(int predicted, double p) {
        double[] v = new double[10];
        java.util.Arrays.fill(v, (1 - p) / 9);
        v[predicted] = p;
        return v;
    }

    @Test
    void nearDuplicateBurst_isFlaggedAtTheLimit_andBlocksForTheCooldown() {
        ProbingDetector d = new ProbingDetector(ProbingSettings.defaults(), clock);
        double[] x = randomImage();
        for (int i = 0; i < 8; i++) {
            double[] q = x.clone();
            q[i] += 1e-3;
            assertTrue(d.observe("mallory", q, probabilities(i % 10, 0.5)).isEmpty(), "query " + i);
        }
        Set<ProbingSignal> s = d.observe("mallory", x.clone(), probabilities(0, 0.5));
        assertEquals(Set.of(ProbingSignal.NEAR_DUPLICATE_BURST), s);
        assertEquals(Duration.ofSeconds(60), d.blockedFor("mallory"));
        assertTrue(d.blockedFor("alice").isZero());
        clock.advance(Duration.ofSeconds(61));
        assertTrue(d.blockedFor("mallory").isZero());
    }

    @Test
    void nearDuplicates_spreadBeyondTheBurstWindow_areNotFlagged() {
        ProbingDetector d = new ProbingDetector(ProbingSettings.defaults(), clock);
        double[] x = randomImage();
        for (int i = 0; i < 30; i++) {
            clock.advance(Duration.ofSeconds(2));
            assertTrue(d.observe("alice", x, probabilities(i % 10, 0.5)).isEmpty(), "query " + i);
        }
    }

    @Test
    void distinctInputs_manyClasses_areNotFlagged() {
        ProbingDetector d = new ProbingDetector(ProbingSettings.defaults(), clock);
        for (int i = 0; i < 500; i++) {
            assertTrue(d.observe("alice", randomImage(), probabilities(random.nextInt(10), 0.9)).isEmpty());
        }
    }

    @Test
    void hillClimbing_smallStepsRaisingOneClass_isFlagged() {
        ProbingDetector d = new ProbingDetector(ProbingSettings.defaults(), clock);
        double[] x = randomImage();
        Set<ProbingSignal> last = Set.of();
        int flaggedAt = -1;
        for (int i = 0; i < 20 && flaggedAt < 0; i++) {
            double[] next = x.clone();
            for (int j = 0; j < next.length; j++) {
                next[j] += 0.03 * (random.nextDouble() - 0.5);
            }
            x = next;
            clock.advance(Duration.ofSeconds(2)); // slow enough that no burst is counted
            last = d.observe("mallory", x, probabilities(2, i % 4 == 3 ? 0.15 + 0.02 * i : 0.2 + 0.02 * i));
            if (!last.isEmpty()) {
                flaggedAt = i;
            }
        }
        assertTrue(last.contains(ProbingSignal.HILL_CLIMBING), last.toString());
        assertEquals(12, flaggedAt, "flagged once the chain holds 12 steps");
    }

    @Test
    void smallSteps_withoutARisingScore_areNotFlagged() {
        ProbingDetector d = new ProbingDetector(ProbingSettings.defaults(), clock);
        double[] x = randomImage();
        for (int i = 0; i < 40; i++) {
            double[] next = x.clone();
            for (int j = 0; j < next.length; j++) {
                next[j] += 0.03 * (random.nextDouble() - 0.5);
            }
            x = next;
            clock.advance(Duration.ofSeconds(2));
            double wobble = i % 2 == 0 ? 0.5 : 0.4;
            assertTrue(d.observe("alice", x, probabilities(i % 5, wobble)).isEmpty(), "query " + i);
        }
    }

    @Test
    void classFocus_isFlaggedWhenNearlyEveryQueryHasOneClass() {
        ProbingDetector d = new ProbingDetector(ProbingSettings.defaults(), clock);
        Set<ProbingSignal> s = Set.of();
        for (int i = 0; i < 64; i++) {
            s = d.observe("mallory", randomImage(), probabilities(i < 3 ? 1 : 7, 0.9));
            if (i < 63) {
                assertTrue(s.isEmpty(), "query " + i);
            }
        }
        assertEquals(Set.of(ProbingSignal.CLASS_FOCUS), s);
    }

    @Test
    void repeatOffences_doubleTheCooldown() {
        ProbingDetector d = new ProbingDetector(ProbingSettings.defaults(), clock);
        double[] x = randomImage();
        for (int offence = 0; offence < 3; offence++) {
            Set<ProbingSignal> s = Set.of();
            for (int i = 0; i < 9; i++) {
                s = d.observe("mallory", x, probabilities(i % 10, 0.5));
            }
            assertFalse(s.isEmpty());
            assertEquals(Duration.ofSeconds(60L << offence), d.blockedFor("mallory"));
            clock.advance(Duration.ofSeconds(60L << offence));
        }
    }

    @Test
    void reportOnly_flagsWithoutBlocking() {
        ProbingDetector d = new ProbingDetector(ProbingSettings.defaults()
                .withAction(ProbingSettings.Action.REPORT_ONLY), clock);
        double[] x = randomImage();
        Set<ProbingSignal> s = Set.of();
        for (int i = 0; i < 9; i++) {
            s = d.observe("mallory", x, probabilities(i % 10, 0.5));
        }
        assertTrue(s.contains(ProbingSignal.NEAR_DUPLICATE_BURST));
        assertTrue(d.blockedFor("mallory").isZero());
    }
}
