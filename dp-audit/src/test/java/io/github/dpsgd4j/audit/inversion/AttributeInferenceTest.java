package io.github.dpsgd4j.audit.inversion;

import io.github.dpsgd4j.audit.data.GermanCredit;
import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.MlpRecipe;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttributeInferenceTest {

    @Test
    void labelDeterminedBySensitiveValue_isRecoveredForMembersAndNonMembersAlike() {
        // Population inference: the label reveals the attribute for everyone, so accuracy is ~1 on
        // both groups and the membership advantage is ~0.
        SplittableRandom random = new SplittableRandom(1);
        int n = 300;
        int[] value = new int[n];
        double[][] noise = new double[n][3];
        boolean[] member = new boolean[n];
        INDArray x = Nd4j.create(DataType.FLOAT, n, 6);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            value[i] = random.nextInt(3);
            member[i] = random.nextBoolean();
            for (int j = 0; j < 3; j++) {
                noise[i][j] = random.nextDouble();
            }
            double[] f = features(value[i], noise[i]);
            for (int j = 0; j < 6; j++) {
                x.putScalar(i, j, f[j]);
            }
            y.putScalar(i, value[i], 1);
        }
        MlpRecipe recipe = MlpRecipe.builder(6, 3).hidden().epochs(200).batchSize(64).updater(new Adam(0.05)).build();
        Dl4jClassifier model = Dl4jClassifier.of(recipe.train(new DataSet(x, y), 1).network());
        AttributeInference.Result r = AttributeInference.run(model, (row, v) -> features(v, noise[row]),
                new double[] {1, 1, 1}, value, value, member);
        assertEquals(1.0, r.memberAccuracy(), 1e-12);
        assertEquals(1.0, r.nonMemberAccuracy(), 1e-12);
        assertEquals(0.0, r.advantage(), 1e-12);
        assertTrue(r.advantageLower() < 0 && r.advantageUpper() > 0);
    }

    private static double[] features(int value, double[] noise) {
        double[] f = new double[6];
        f[value] = 1;
        System.arraycopy(noise, 0, f, 3, 3);
        return f;
    }

    @Test
    void germanCredit_personalStatus_reportsAccuraciesBaselineAndInterval() {
        GermanCredit credit = GermanCredit.load();
        SplittableRandom random = new SplittableRandom(2);
        int n = credit.size();
        boolean[] member = new boolean[n];
        int members = 0;
        for (int i = 0; i < n; i++) {
            member[i] = random.nextBoolean();
            members += member[i] ? 1 : 0;
        }
        int[] memberRows = new int[members];
        for (int i = 0, k = 0; i < n; i++) {
            if (member[i]) {
                memberRows[k++] = i;
            }
        }
        MlpRecipe recipe = MlpRecipe.builder(credit.featureCount(), 2).hidden(32).epochs(60).batchSize(32).build();
        Dl4jClassifier model = Dl4jClassifier.of(recipe.train(credit.subset(memberRows), 3).network());
        String[] values = credit.values("personal_status");
        double[] prior = new double[values.length];
        int[] truth = new int[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            truth[i] = credit.value(i, "personal_status");
            labels[i] = credit.label(i);
            prior[truth[i]]++;
        }
        AttributeInference.Result r = AttributeInference.run(model,
                (row, v) -> credit.encodeWith(row, "personal_status", v), prior, truth, labels, member);
        assertEquals(members, r.members());
        assertEquals(n - members, r.nonMembers());
        // 'male single' is the most common value: 548 of 1000
        assertEquals(0.548, r.priorBaseline(), 1e-12);
        assertEquals(r.memberAccuracy() - r.nonMemberAccuracy(), r.advantage(), 1e-12);
        assertTrue(r.advantageLower() <= r.advantage() && r.advantage() <= r.advantageUpper());
        assertTrue(r.nonMemberAccuracy() > 0.3, "MAP with the prior is never far below the baseline: " + r);
    }
}
