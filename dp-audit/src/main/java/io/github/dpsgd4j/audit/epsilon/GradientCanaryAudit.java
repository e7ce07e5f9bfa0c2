package io.github.dpsgd4j.audit.epsilon;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * White-box check of a DP-SGD implementation with a Dirac gradient canary (Nasr, Hayes, Steinke,
 * Balle, Tram&egrave;r, Jagielski, Carlini and Terzis 2023, "Tight auditing of differentially
 * private machine learning", USENIX Security, section 4).
 *
 * <p>The audited model is softmax regression without bias on d + 1 inputs and two classes, in
 * double precision, trained with plain SGD. Real examples have input coordinate d equal to 0, so
 * their gradient on that coordinate's weights is exactly 0; the canary is 0 everywhere except
 * coordinate d, which is large, so its whole gradient lies on those two weights and its clipped
 * gradient there has norm exactly C, along u = (p - y)/|p - y| (computable from the current
 * weights). With a tiny learning rate the model barely moves, so every step is the same
 * mechanism. Per step, the update of those weights in units of the summed gradient, s =
 * &lt;-Delta w / (lr / B), u&gt; with B = q N the expected batch size, is N(C b, (sigma C)<sup>2</sup>)
 * with the canary (b ~ Bernoulli(q) says whether it was sampled) and N(0, (sigma C)<sup>2</sup>)
 * without. The audit
 * <ol>
 *   <li>checks the noise calibration: the standard deviation of s without the canary against
 *       sigma C (chi-squared interval);</li>
 *   <li>computes for each run of T steps the optimal (Neyman&ndash;Pearson) statistic under the
 *       <em>claimed</em> sigma, L = sum<sub>t</sub> ln(1 - q + q exp((s<sub>t</sub>/C - 1/2) /
 *       sigma<sup>2</sup>)), over R runs per world, estimates the Gaussian-DP parameter mu-hat =
 *       (mean L<sub>in</sub> - mean L<sub>out</sub>) / pooled sd (with a percentile bootstrap
 *       interval) and converts it to epsilon at delta ({@link GaussianDp});</li>
 *   <li>computes a Clopper&ndash;Pearson bound from the same runs with the threshold chosen on the
 *       first half of the runs ({@link EpsilonLowerBound#heldOut}).</li>
 * </ol>
 * A violation is flagged when the noise calibration test rejects, or when the lower end of the
 * epsilon interval (from mu) or the Clopper&ndash;Pearson bound exceeds the accountant's epsilon.
 * Because steps are independent given the frozen model, the R runs of each world are consecutive
 * segments of one long training run.
 */
public final class GradientCanaryAudit {

    private static final int REAL_FEATURES = 8;
    private static final double LEARNING_RATE = 1e-6;
    private static final int BOOTSTRAP = 1000;

    private GradientCanaryAudit() {
    }

    /** Builds the trainer under audit for the given network and settings (the implementation under test). */
    @FunctionalInterface
    public interface TrainerFactory {
        /**
         * @param net        the audit network (initialised)
         * @param settings   the claimed privacy settings
         * @param noise      the noise source to use
         */
        DpSgdTrainer build(MultiLayerNetwork net, Settings settings, NoiseSource noise);

        /** dpsgd4j's own {@link DpSgdTrainer} with the claimed settings. */
        static TrainerFactory dpsgd4j() {
            return (net, s, noise) -> DpSgdTrainer.builder(net).l2NormClip(s.l2NormClip())
                    .noiseMultiplier(s.noiseMultiplier()).sampleRate(s.sampleRate()).noiseSource(noise).build();
        }
    }

    /**
     * The claimed DP-SGD settings and the size of the audit.
     *
     * @param l2NormClip      C, finite and > 0
     * @param noiseMultiplier sigma claimed to the accountant, finite and > 0
     * @param sampleRate      q in (0, 1]
     * @param stepsPerRun     T, the steps the guarantee covers, > 0
     * @param runsPerWorld    R, runs with and runs without the canary, >= 4
     * @param realExamples    N, examples besides the canary, > 0 (q N should be >= 1)
     * @param delta           in (0, 1)
     */
    public record Settings(double l2NormClip, double noiseMultiplier, double sampleRate, int stepsPerRun,
                           int runsPerWorld, int realExamples, double delta) {
        public Settings {
            Checks.finitePositive("l2NormClip", l2NormClip);
            Checks.finitePositive("noiseMultiplier", noiseMultiplier);
            Checks.sampleRate("sampleRate", sampleRate);
            Checks.positive("stepsPerRun", stepsPerRun);
            if (runsPerWorld < 4) {
                throw new IllegalArgumentException("runsPerWorld must be >= 4, got " + runsPerWorld);
            }
            Checks.positive("realExamples", realExamples);
            Checks.openUnitInterval("delta", delta);
        }
    }

    /**
     * The audit's outcome.
     *
     * @param noiseStdRatio         empirical sd of s without the canary over sigma C (1 when calibrated)
     * @param noiseStdRatioLower    99.9% lower limit of that ratio (chi-squared)
     * @param noiseStdRatioUpper    99.9% upper limit
     * @param canaryMeanRatio       mean of s with the canary over q C (1 when its clipped gradient is
     *                              exactly C and it is sampled with probability q)
     * @param mu                    estimated Gaussian-DP mu
     * @param muLower               95% bootstrap lower limit
     * @param muUpper               95% bootstrap upper limit
     * @param epsilon               epsilon at delta from mu
     * @param epsilonLower          epsilon at delta from muLower
     * @param epsilonUpper          epsilon at delta from muUpper
     * @param clopperPearsonEpsilon rigorous 95% lower bound from the held-out threshold test
     * @param accountantEpsilon     the PLD accountant's epsilon for (sigma, q, T) at delta
     * @param noiseCalibrated       whether the noise calibration test accepted
     * @param violation             whether the audit found more privacy loss than claimed
     */
    public record Result(double noiseStdRatio, double noiseStdRatioLower, double noiseStdRatioUpper,
                         double canaryMeanRatio, double mu, double muLower, double muUpper, double epsilon,
                         double epsilonLower, double epsilonUpper, double clopperPearsonEpsilon,
                         double accountantEpsilon, boolean noiseCalibrated, boolean violation) {
    }

    /** Audits dpsgd4j's own trainer with seeded noise (reproducible). */
    public static Result run(Settings settings, long seed) {
        return run(settings, TrainerFactory.dpsgd4j(), NoiseSource.seeded(seed), seed);
    }

    /**
     * Audits the trainer built by {@code factory}.
     *
     * @param settings the claimed settings
     * @param factory  builds the implementation under test
     * @param noise    noise for both worlds' training (split per world)
     * @param seed     seed of the synthetic real data and of the bootstrap
     */
    public static Result run(Settings settings, TrainerFactory factory, NoiseSource noise, long seed) {
        Checks.notNull("settings", settings);
        Checks.notNull("factory", factory);
        Checks.notNull("noise", noise);
        int total = settings.stepsPerRun() * settings.runsPerWorld();
        World in = world(settings, factory, noise.split(), seed, true, total);
        World out = world(settings, factory, noise.split(), seed, false, total);
        double c = settings.l2NormClip();
        double sigma = settings.noiseMultiplier();
        double q = settings.sampleRate();

        // (i) noise calibration from the steps without the canary.
        double ss = 0;
        for (double s : out.s) {
            ss += s * s;
        }
        int m = out.s.length;
        double sd = Math.sqrt(ss / m);
        ChiSquaredDistribution chi = new ChiSquaredDistribution(null, m);
        double ratio = sd / (sigma * c);
        double lower = Math.sqrt(ss / chi.inverseCumulativeProbability(1 - 0.0005)) / (sigma * c);
        double upper = Math.sqrt(ss / chi.inverseCumulativeProbability(0.0005)) / (sigma * c);
        boolean calibrated = lower <= 1 && 1 <= upper;
        double canaryMean = mean(in.s) / (q * c);

        // (ii) per-run likelihood-ratio statistics under the claimed sigma.
        double[] lin = runStatistics(in.s, settings, c, sigma, q);
        double[] lout = runStatistics(out.s, settings, c, sigma, q);
        double mu = mu(lin, lout);
        SplittableRandom random = new SplittableRandom(seed ^ 0xB5AD4ECEDA1CE2A9L);
        double[] boot = new double[BOOTSTRAP];
        for (int b = 0; b < BOOTSTRAP; b++) {
            boot[b] = mu(resample(lin, random), resample(lout, random));
        }
        Arrays.sort(boot);
        double muLower = Math.max(0, boot[(int) Math.floor(0.025 * BOOTSTRAP)]);
        double muUpper = Math.max(0, boot[(int) Math.ceil(0.975 * BOOTSTRAP) - 1]);
        double delta = settings.delta();
        double eps = GaussianDp.epsilon(Math.max(0, mu), delta);
        double epsLower = GaussianDp.epsilon(muLower, delta);
        double epsUpper = GaussianDp.epsilon(muUpper, delta);

        // (iii) rigorous Clopper-Pearson bound, threshold chosen on the first half of the runs.
        int half = settings.runsPerWorld() / 2;
        EpsilonLowerBound cp = EpsilonLowerBound.heldOut(Arrays.copyOfRange(lin, 0, half),
                Arrays.copyOfRange(lout, 0, half), Arrays.copyOfRange(lin, half, lin.length),
                Arrays.copyOfRange(lout, half, lout.length), delta, 0.05).bound();

        double accountant = AccountantType.PLD.newAccountant()
                .compose(DpEvent.dpSgd(sigma, q, settings.stepsPerRun())).epsilon(delta);
        boolean violation = !calibrated || epsLower > accountant || cp.epsilon() > accountant;
        return new Result(ratio, lower, upper, canaryMean, mu, muLower, muUpper, eps, epsLower, epsUpper,
                cp.epsilon(), accountant, calibrated, violation);
    }

    private static double[] runStatistics(double[] s, Settings settings, double c, double sigma, double q) {
        int runs = settings.runsPerWorld();
        int steps = settings.stepsPerRun();
        double[] out = new double[runs];
        for (int r = 0; r < runs; r++) {
            double l = 0;
            for (int t = 0; t < steps; t++) {
                double z = s[r * steps + t] / c;
                double x = (z - 0.5) / (sigma * sigma);
                // ln(1 - q + q e^x), stable for large x
                l += x > 0 ? x + Math.log(q + (1 - q) * Math.exp(-x)) : Math.log1p(q * Math.expm1(x));
            }
            out[r] = l;
        }
        return out;
    }

    private static double mu(double[] in, double[] out) {
        double mi = mean(in);
        double mo = mean(out);
        double pooled = Math.sqrt((variance(in, mi) + variance(out, mo)) / 2);
        return pooled > 0 ? (mi - mo) / pooled : (mi > mo ? Double.MAX_VALUE : 0);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double variance(double[] v, double mean) {
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return s / (v.length - 1);
    }

    private static double[] resample(double[] v, SplittableRandom random) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[random.nextInt(v.length)];
        }
        return out;
    }

    private record World(double[] s) {
    }

    private static World world(Settings settings, TrainerFactory factory, NoiseSource noise, long seed,
                               boolean withCanary, int steps) {
        int n = settings.realExamples() + (withCanary ? 1 : 0);
        int d = REAL_FEATURES + 1;
        SplittableRandom random = new SplittableRandom(seed);
        INDArray x = Nd4j.zeros(DataType.DOUBLE, n, d);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 2);
        for (int i = 0; i < settings.realExamples(); i++) {
            int label = random.nextInt(2);
            for (int j = 0; j < REAL_FEATURES; j++) {
                x.putScalar(i, j, random.nextDouble() * 2 - 1 + (j == 0 ? label - 0.5 : 0));
            }
            y.putScalar(i, label, 1);
        }
        // A canary whose unclipped gradient norm, A |p - y| ~ A / sqrt(2), far exceeds C.
        double canaryInput = 1e3 * settings.l2NormClip();
        if (withCanary) {
            x.putScalar(n - 1, d - 1, canaryInput);
            y.putScalar(n - 1, 1, 1);
        }
        DataSet data = new DataSet(x, y);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.DOUBLE).updater(new Sgd(LEARNING_RATE)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).hasBias(false)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(d)).build());
        net.init();
        INDArray w = net.getLayer(0).getParam("W");
        // The audit weights start at 0, so the canary's confidence starts at 1/2 (unsaturated).
        w.putScalar(d - 1, 0, 0.0);
        w.putScalar(d - 1, 1, 0.0);
        DpSgdTrainer trainer = factory.build(net, settings, noise);
        double expectedBatch = settings.sampleRate() * n;
        double[] s = new double[steps];
        double[] previous = {0, 0};
        int[] step = {0};
        // Observe every update right after DL4J's updater has applied it.
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(org.deeplearning4j.nn.api.Model model, int iteration, int epoch) {
                if (step[0] >= steps) {
                    return;
                }
                double w0 = w.getDouble(d - 1, 0);
                double w1 = w.getDouble(d - 1, 1);
                // The canary's clipped gradient direction u = (p - y)/|p - y| at the weights before the step.
                double p1 = 1 / (1 + Math.exp(canaryInput * (previous[0] - previous[1])));
                double g0 = 1 - p1;
                double g1 = p1 - 1;
                double norm = Math.hypot(g0, g1);
                s[step[0]++] = ((w0 - previous[0]) * g0 + (w1 - previous[1]) * g1) / norm
                        * (-expectedBatch / LEARNING_RATE);
                previous[0] = w0;
                previous[1] = w1;
            }
        });
        // Exactly the audited number of steps, each a fresh Poisson sample (no whole epochs to round up to).
        for (int t = 0; t < steps; t++) {
            trainer.step(data);
        }
        if (step[0] != steps || trainer.stepsTaken() != steps) {
            throw new IllegalStateException("the trainer under audit took " + step[0] + " steps, expected " + steps);
        }
        return new World(s);
    }
}
