package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.pld.PldAccountant;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Gaussian-DP one-run bound, on counts and on a real DP-SGD run with m white-box Dirac canaries
 * (each canary's clipped gradient lies on its own input coordinate). Statistical claims: on a correct
 * trainer each seed's bound exceeds the accountant's epsilon with probability at most 5% (the
 * audit's 95% confidence; one-run bounds sit well below the truth, so far less in practice); with a
 * quarter of the noise the true mu is 4 times the claimed one and the bound clears the claim by a wide
 * margin at every seed tried.
 */
class GaussianDpOneRunAuditTest {

    private static final int REAL = 100;
    private static final int CANARIES = 1000;
    private static final int STEPS = 4;
    private static final double CLAIMED_SIGMA = 2.0; // q = 1, T = 4: mu = sqrt(T) / sigma = 1

    @Test
    void perfectGuesses_giveTighterBoundsThanTheEpsilonDeltaTest_andRandomGuessesGiveZero() {
        double gdp = GaussianDpOneRunAudit.epsilonLowerBound(1000, 100, 100, 1e-5, 0.95);
        double cp = OneRunAudit.epsilonLowerBound(1000, 100, 100, 1e-5, 0.95);
        assertTrue(gdp > cp && cp > 3, gdp + " vs " + cp);
        assertEquals(0, GaussianDpOneRunAudit.epsilonLowerBound(1000, 100, 50, 1e-5, 0.95));
        assertEquals(0, GaussianDpOneRunAudit.epsilonLowerBound(1000, 0, 0, 1e-5, 0.95));
    }

    @Test
    void muBound_growsWithCorrectGuesses() {
        double previous = -1;
        for (int v = 60; v <= 100; v += 10) {
            double mu = GaussianDpOneRunAudit.muLowerBound(1000, 100, v, 0.95);
            assertTrue(mu >= previous, "v " + v + ": " + mu + " < " + previous);
            previous = mu;
        }
    }

    @Test
    void correctTrainer_neverAboveTheAccountant() {
        double accountant = accountantEpsilon();
        for (long seed = 1; seed <= 4; seed++) {
            boolean[] member = coins(seed);
            double[] scores = canaryScores(CLAIMED_SIGMA, member, seed);
            double bound = GaussianDpOneRunAudit.fromScores(scores, member, 1e-5, 0.95, seed).epsilon();
            assertTrue(bound <= accountant, "seed " + seed + ": bound " + bound + " > accountant " + accountant);
        }
    }

    @Test
    void quarterNoiseTrainer_isCaught() {
        double accountant = accountantEpsilon();
        boolean[] member = coins(11);
        double[] scores = canaryScores(CLAIMED_SIGMA / 4, member, 11);
        double bound = GaussianDpOneRunAudit.fromScores(scores, member, 1e-5, 0.95, 11).epsilon();
        assertTrue(bound > accountant, "bound " + bound + " <= accountant " + accountant);
    }

    private static double accountantEpsilon() {
        PldAccountant accountant = PldAccountant.create();
        accountant.compose(DpEvent.dpSgd(CLAIMED_SIGMA, 1.0, STEPS));
        return accountant.epsilon(1e-5);
    }

    private static boolean[] coins(long seed) {
        SplittableRandom random = new SplittableRandom(seed * 31 + 7);
        boolean[] member = new boolean[CANARIES];
        for (int i = 0; i < CANARIES; i++) {
            member[i] = random.nextBoolean();
        }
        return member;
    }

    /**
     * One DP-SGD run (q = 1, C = 1, {@link #STEPS} steps, tiny learning rate) on {@link #REAL} real
     * examples plus the included canaries; canary i's score is its coordinate's total update in units of
     * the summed clipped gradient along its clipped direction: C T + noise if included, noise if not.
     */
    private static double[] canaryScores(double trainerSigma, boolean[] member, long seed) {
        int d = 8 + CANARIES;
        int included = 0;
        for (boolean m : member) {
            included += m ? 1 : 0;
        }
        int n = REAL + included;
        SplittableRandom random = new SplittableRandom(seed);
        INDArray x = Nd4j.zeros(DataType.DOUBLE, n, d);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 2);
        for (int i = 0; i < REAL; i++) {
            int label = random.nextInt(2);
            for (int j = 0; j < 8; j++) {
                x.putScalar(i, j, random.nextDouble() * 2 - 1 + (j == 0 ? label - 0.5 : 0));
            }
            y.putScalar(i, label, 1);
        }
        int row = REAL;
        for (int c = 0; c < CANARIES; c++) {
            if (member[c]) {
                x.putScalar(row, 8 + c, 1e3);
                y.putScalar(row, 1, 1);
                row++;
            }
        }
        double lr = 1e-6;
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.DOUBLE).updater(new Sgd(lr)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).hasBias(false)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(d)).build());
        net.init();
        INDArray w = net.getLayer(0).getParam("W");
        for (int c = 0; c < CANARIES; c++) {
            w.putScalar(8 + c, 0, 0.0);
            w.putScalar(8 + c, 1, 0.0);
        }
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(trainerSigma).sampleRate(1.0)
                .noiseSource(NoiseSource.seeded(seed)).build();
        DataSet data = new DataSet(x, y);
        for (int t = 0; t < STEPS; t++) {
            trainer.step(data);
        }
        double[] scores = new double[CANARIES];
        for (int c = 0; c < CANARIES; c++) {
            // Direction of the canary's clipped gradient on (w0, w1) at p = 1/2, label 1: (1, -1) / sqrt 2.
            double dw0 = w.getDouble(8 + c, 0);
            double dw1 = w.getDouble(8 + c, 1);
            scores[c] = -(dw0 - dw1) / Math.sqrt(2) * n / lr;
        }
        return scores;
    }
}
