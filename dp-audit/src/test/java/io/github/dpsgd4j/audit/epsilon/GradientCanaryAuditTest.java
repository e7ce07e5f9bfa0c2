package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientCanaryAuditTest {

    private static final GradientCanaryAudit.Settings SETTINGS =
            new GradientCanaryAudit.Settings(1.0, 1.0, 0.1, 50, 200, 100, 1e-5);

    @Test
    void scratch() {
        long t0 = System.nanoTime();
        GradientCanaryAudit.Result ok = GradientCanaryAudit.run(SETTINGS, 11);
        long t1 = System.nanoTime();
        GradientCanaryAudit.Result broken = GradientCanaryAudit.run(SETTINGS,
                (net, s, noise) -> DpSgdTrainer.builder(net).l2NormClip(s.l2NormClip())
                        .noiseMultiplier(s.noiseMultiplier() / 4).sampleRate(s.sampleRate()).noiseSource(noise).build(),
                NoiseSource.seeded(12), 12);
        System.out.println(ok + "\n" + broken + "\n" + (t1 - t0) / 1e9);
    }
}
