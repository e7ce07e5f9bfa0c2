package io.github.dpsgd4j.core.sampling;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShuffledBatchSamplerTest {

    @Test
    void epoch_coversEveryExampleOnceInRoundQnBatches() {
        ShuffledBatchSampler sampler = new ShuffledBatchSampler(0.25, NoiseSource.seeded(1));
        List<int[]> batches = sampler.epoch(20, 4);
        assertEquals(4, batches.size());
        int[] seen = new int[20];
        for (int[] batch : batches) {
            assertEquals(5, batch.length);
            for (int i : batch) {
                seen[i]++;
            }
        }
        for (int count : seen) {
            assertEquals(1, count);
        }
    }

    @Test
    void epochs_areShuffledAfresh() {
        ShuffledBatchSampler sampler = new ShuffledBatchSampler(1.0, NoiseSource.seeded(2));
        int[] first = sampler.epoch(50, 1).get(0);
        int[] second = sampler.epoch(50, 1).get(0);
        assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(second));
        int[] sorted = first.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void badArguments_areRefusedWithTheirName() {
        ShuffledBatchSampler sampler = new ShuffledBatchSampler(0.5, NoiseSource.seeded(3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> sampler.epoch(0, 1)).getMessage()
                .contains("populationSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ShuffledBatchSampler(0, NoiseSource.seeded(3)))
                .getMessage().contains("sampleRate"));
    }
}
