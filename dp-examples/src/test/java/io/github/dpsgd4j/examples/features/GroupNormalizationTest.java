package io.github.dpsgd4j.examples.features;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupNormalizationTest {

    @Property(tries = 200)
    void everyGroupOfEveryExample_hasMeanZeroAndUnitVariance(
            @ForAll @Size(min = 24, max = 24) List<@FloatRange(min = -100, max = 100) Float> values) {
        // 2 examples x 4 channels x 3 values, 2 groups of 2 channels (6 values per group)
        float[] data = new float[24];
        for (int i = 0; i < 24; i++) {
            data[i] = values.get(i);
        }
        float[] original = data.clone();
        GroupNormalization.normalize(data, 2, 4, 3, 2);
        for (int group = 0; group < 4; group++) {
            double mean = 0;
            double variance = 0;
            double originalVariance = 0;
            double originalMean = 0;
            for (int i = group * 6; i < group * 6 + 6; i++) {
                mean += data[i] / 6.0;
                originalMean += original[i] / 6.0;
            }
            for (int i = group * 6; i < group * 6 + 6; i++) {
                variance += (data[i] - mean) * (data[i] - mean) / 6.0;
                originalVariance += (original[i] - originalMean) * (original[i] - originalMean) / 6.0;
            }
            assertEquals(0, mean, 1e-4);
            // (v - mean) / sqrt(var + eps) has variance var / (var + eps)
            assertEquals(originalVariance / (originalVariance + GroupNormalization.EPSILON), variance, 1e-4);
        }
    }

    @Property(tries = 100)
    void eachExample_isNormalisedWithItsOwnValuesOnly(@ForAll @IntRange(min = 0, max = 11) int changed,
                                                       @ForAll @FloatRange(min = -5, max = 5) float delta) {
        float[] a = new float[24];
        for (int i = 0; i < 24; i++) {
            a[i] = (float) Math.sin(i);
        }
        float[] b = a.clone();
        b[12 + changed] += delta; // change the second example only
        GroupNormalization.normalize(a, 2, 4, 3, 2);
        GroupNormalization.normalize(b, 2, 4, 3, 2);
        for (int i = 0; i < 12; i++) {
            assertEquals(a[i], b[i], 0f, "the first example does not depend on the second");
        }
    }

    @Test
    void constantGroup_becomesZeros() {
        float[] data = {3, 3, 3, 3, 1, 2};
        GroupNormalization.normalize(data, 1, 3, 2, 3);
        assertEquals(0f, data[0]);
        assertEquals(0f, data[3]);
        assertTrue(data[4] < 0 && data[5] > 0);
    }

    @Test
    void rejectsGroupsThatDoNotDivideTheChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupNormalization.normalize(new float[12], 1, 4, 3, 3));
        assertEquals("channels (4) must be a multiple of groups, got groups = 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GroupNormalization.normalize(new float[11], 1, 4, 3, 2));
    }
}
