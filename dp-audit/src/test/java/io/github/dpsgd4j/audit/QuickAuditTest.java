package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.audit.model.NoiseMode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    }
}
