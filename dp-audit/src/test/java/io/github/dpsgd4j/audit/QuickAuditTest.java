package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.audit.model.MlpRecipe;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.model.TrainingRecipe;
import io.github.dpsgd4j.audit.report.AuditJson;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class QuickAuditTest {

    /** Records each phase with the units it announced and the units reported done. */
    private static final class Recorder implements AuditExecution.Progress {
        final List<String> phases = new ArrayList<>();
        final List<int[]> counts = new ArrayList<>();

        @Override
        public synchronized void phaseStarted(String name, int units) {
            phases.add(name);
            counts.add(new int[] {units, 0});
        }

        @Override
        public synchronized void unitDone() {
            counts.get(counts.size() - 1)[1]++;
        }
    }

    @Test
    void bothModelsOnTwoThreads_equalOneThread_andProgressCountsEveryPhaseInOrder() {
        AuditSettings settings = AuditSettings.quick().withShadowModels(2)
                .withMiFace(AuditSettings.quick().miFace().withMaxIterations(20));
        Recorder recorder = new Recorder();
        List<ModelAudit> parallel = QuickAudit.digits(QuickAudit.Training.BOTH, 3.0, NoiseMode.SEEDED, settings,
                new AuditExecution(2, recorder));
        List<ModelAudit> sequential = QuickAudit.digits(QuickAudit.Training.BOTH, 3.0, NoiseMode.SEEDED, settings,
                AuditExecution.sequential());
        for (int m = 0; m < 2; m++) {
            ModelAudit a = parallel.get(m);
            ModelAudit b = sequential.get(m);
            assertEquals(b.name(), a.name());
            assertEquals(b.liraAuc(), a.liraAuc(), 0.0);
            assertEquals(b.rmiaAuc(), a.rmiaAuc(), 0.0);
            assertEquals(b.lossAuc(), a.lossAuc(), 0.0);
            assertEquals(b.epsilon(), a.epsilon(), 0.0);
            assertEquals(b.epsilonLowerBound(), a.epsilonLowerBound(), 0.0);
            assertEquals(b.inversionIdentificationRate(), a.inversionIdentificationRate(), 0.0);
            assertEquals(b.completion().memberGap(), a.completion().memberGap(), 0.0);
        }
        assertEquals(List.of("models (non_private)", "attacks and bounds (non_private)", "model inversion (non_private)",
                "models (private)", "attacks and bounds (private)", "model inversion (private)"), recorder.phases);
        for (int p = 0; p < recorder.counts.size(); p++) {
            assertEquals(recorder.counts.get(p)[0], recorder.counts.get(p)[1], "units of " + recorder.phases.get(p));
        }
        assertEquals(3, recorder.counts.get(3)[0], "the private target and its 2 shadows");
        assertNull(parallel.get(0).shadowNote(), "non-private models are not certified: nothing to note");
        assertEquals(MlpRecipe.SHARED_CALIBRATION_NOTE, parallel.get(1).shadowNote(),
                "private shadows of one size share the first one's calibration: the report must say so");
        assertEquals(MlpRecipe.SHARED_CALIBRATION_NOTE,
                AuditJson.summary(parallel.get(1)).get("shadow_models_note").asText());
        assertFalse(AuditJson.summary(parallel.get(0)).has("shadow_models_note"));
    }

    /**
     * With two threads every thread trains shadows while the target trains beside them (two threads
     * used to give the shadows one worker, leaving a core idle). Each shadow waits (up to 20 s) until a
     * second shadow has started, so the shadows must run two at a time for the test to pass quickly
     * and on two shadow threads for it to pass at all.
     */
    @Test
    void twoThreads_trainShadowsTwoAtATime() {
        SplittableRandom random = new SplittableRandom(4);
        int n = 40;
        double[][] x = new double[n][16];
        double[][] y = new double[n][2];
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            for (int j = 0; j < 16; j++) {
                x[i][j] = Math.min(1, Math.max(0, 0.5 + (label == 1 ? 0.2 : -0.2) + 0.1 * random.nextGaussian()));
            }
            y[i][label] = 1;
        }
        AuditData data = AuditData.coinFlipSplit(new DataSet(Nd4j.create(x).castTo(DataType.FLOAT),
                Nd4j.create(y).castTo(DataType.FLOAT)), 4, 4, 2, 1);
        MlpRecipe inner = MlpRecipe.builder(16, 2).hidden(4).epochs(2).batchSize(8).build();
        Set<Long> shadowThreads = ConcurrentHashMap.newKeySet();
        CountDownLatch twoStarted = new CountDownLatch(2);
        TrainingRecipe recipe = new TrainingRecipe() {
            @Override
            public TrainedModel train(DataSet d, long seed) {
                if (!Thread.currentThread().getName().equals("dpsgd4j-models")) { // not the target's thread
                    shadowThreads.add(Thread.currentThread().getId());
                    twoStarted.countDown();
                    try {
                        twoStarted.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return inner.train(d, seed);
            }

            @Override
            public boolean threadSafe() {
                return true;
            }
        };
        AuditSettings settings = AuditSettings.quick().withShadowModels(4)
                .withMiFace(AuditSettings.quick().miFace().withMaxIterations(5));
        QuickAudit.trainAndAudit("m", recipe, data, settings, new AuditExecution(2, AuditExecution.Progress.none()));
        assertEquals(2, shadowThreads.size(), "shadow threads: " + shadowThreads);
    }
}
