package io.github.dpsgd4j.serving.proof;

import io.github.dpsgd4j.audit.AuditData;
import io.github.dpsgd4j.audit.QuickAudit;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.audit.model.TrainedModel;

/**
 * The attack target of the loopback tests: dp-audit's non-private digits MLP (64-256-10, trained to
 * memorise) on a fair-coin half of the bundled digits, trained once per test JVM (seeded).
 */
final class DigitsTarget {

    static final long SEED = 5;

    private static AuditData data;
    private static TrainedModel model;

    private DigitsTarget() {
    }

    static synchronized AuditData data() {
        if (data == null) {
            data = QuickAudit.digitsData(SEED);
        }
        return data;
    }

    static synchronized TrainedModel nonPrivate() {
        if (model == null) {
            model = QuickAudit.digitsRecipe(null, NoiseMode.SEEDED).train(data().members(), SEED);
        }
        return model;
    }

    /** Mean image of the non-members (the attacker's prior, never the training data). */
    static double[] nonMemberMean() {
        double[][] images = data().images();
        boolean[] member = data().member();
        double[] mean = new double[images[0].length];
        int n = 0;
        for (int i = 0; i < images.length; i++) {
            if (!member[i]) {
                n++;
                for (int j = 0; j < mean.length; j++) {
                    mean[j] += images[i][j];
                }
            }
        }
        for (int j = 0; j < mean.length; j++) {
            mean[j] /= n;
        }
        return mean;
    }
}
