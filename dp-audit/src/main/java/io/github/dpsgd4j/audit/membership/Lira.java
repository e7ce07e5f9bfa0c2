package io.github.dpsgd4j.audit.membership;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.stats.Normal;
import io.github.dpsgd4j.common.Checks;

import org.apache.commons.math3.stat.StatUtils;

import java.util.Arrays;

/**
 * The likelihood-ratio attack LiRA (Carlini, Chien, Nasr, Song, Terzis and Tram&egrave;r 2022,
 * "Membership inference attacks from first principles", IEEE S&amp;P, Algorithm 1).
 *
 * <p>For each example, the statistic is the logit-scaled confidence phi = log p<sub>y</sub> - log
 * sum<sub>j != y</sub> p<sub>j</sub> of its true label (from logits, or as an output policy lets
 * the attacker compute it). Across shadow models, the IN observations (shadows that trained on the
 * example) and the OUT observations give per-example centres mu<sub>in</sub>, mu<sub>out</sub> (the
 * median, as the paper's code) and a spread (fixed or per example). Then
 * <ul>
 *   <li>online score = log N(phi; mu<sub>in</sub>, sigma<sub>in</sub>) - log N(phi;
 *       mu<sub>out</sub>, sigma<sub>out</sub>);</li>
 *   <li>offline score = (phi - mu<sub>out</sub>) / sigma<sub>out</sub>, the one-sided test of the
 *       paper (its p-value Pr[Z &lt; phi], Z ~ N(mu<sub>out</sub>, sigma<sub>out</sub>), is a monotone
 *       function of it), using OUT observations only.</li>
 * </ul>
 * Higher scores mean "member". Stateless and thread-safe.
 */
public final class Lira {

    /** Floor on a per-example standard deviation (in logit units), so that ties among shadows cannot divide by 0. */
    static final double MIN_STD = 1e-3;

    private Lira() {
    }

    /**
     * Online and offline scores per example.
     *
     * @param online  online scores
     * @param offline offline scores
     */
    public record Scores(double[] online, double[] offline) {
    }

    /**
     * Scores the target's examples with the shadows' statistics computed through {@code policy}.
     *
     * @param shadows      shadows trained on the same pool, in the same order
     * @param targetLogits [n][K] logits of the target model on the pool
     * @param labels       true class of each pool example
     * @param policy       what the attacker sees of each model's output (the same for the target
     *                     and the shadows, so that the statistics are comparable)
     * @param variance     fixed or per-example variance
     */
    public static Scores score(ShadowModels shadows, double[][] targetLogits, int[] labels, OutputPolicy policy,
                               VarianceMode variance) {
        Checks.notNull("shadows", shadows);
        Checks.notNull("targetLogits", targetLogits);
        Checks.notNull("labels", labels);
        Checks.notNull("policy", policy);
        int n = shadows.size();
        Checks.equalTo("targetLogits.length", targetLogits.length, "pool size", n);
        Checks.equalTo("labels.length", labels.length, "pool size", n);
        double[][] phi = new double[shadows.count()][n];
        double[] target = new double[n];
        for (int i = 0; i < n; i++) {
            target[i] = policy.logitScaledConfidence(targetLogits[i], labels[i]);
            for (int s = 0; s < shadows.count(); s++) {
                phi[s][i] = policy.logitScaledConfidence(shadows.logitsView(s, i), labels[i]);
            }
        }
        return score(phi, shadows.keepView(), target, variance);
    }

    /**
     * Scores from precomputed statistics.
     *
     * @param shadowStatistics [S][n] statistic of each shadow on each example; not modified
     * @param keep             [S][n] whether shadow s trained on example i; every example needs at
     *                         least one IN and one OUT shadow (two of each for per-example variance)
     * @param targetStatistics [n] statistic of the target model; not modified
     * @param variance         fixed or per-example variance
     */
    public static Scores score(double[][] shadowStatistics, boolean[][] keep, double[] targetStatistics,
                               VarianceMode variance) {
        Checks.notNull("shadowStatistics", shadowStatistics);
        Checks.notNull("keep", keep);
        Checks.notNull("targetStatistics", targetStatistics);
        Checks.notNull("variance", variance);
        int shadows = shadowStatistics.length;
        int n = targetStatistics.length;
        double[] muIn = new double[n];
        double[] muOut = new double[n];
        double[] sdIn = new double[n];
        double[] sdOut = new double[n];
        double pooledSquares = 0;
        long pooledDegrees = 0;
        for (int i = 0; i < n; i++) {
            double[] in = new double[shadows];
            double[] out = new double[shadows];
            int nIn = 0;
            int nOut = 0;
            for (int s = 0; s < shadows; s++) {
                double v = shadowStatistics[s][i];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("shadowStatistics[" + s + "][" + i + "] must be finite, got " + v);
                }
                if (keep[s][i]) {
                    in[nIn++] = v;
                } else {
                    out[nOut++] = v;
                }
            }
            int need = variance == VarianceMode.PER_EXAMPLE ? 2 : 1;
            if (nIn < need || nOut < need) {
                throw new IllegalArgumentException("example " + i + " has " + nIn + " IN and " + nOut
                        + " OUT shadows; need at least " + need + " of each");
            }
            in = Arrays.copyOf(in, nIn);
            out = Arrays.copyOf(out, nOut);
            muIn[i] = median(in);
            muOut[i] = median(out);
            double ssIn = StatUtils.variance(in) * (nIn - 1);
            double ssOut = StatUtils.variance(out) * (nOut - 1);
            pooledSquares += ssIn + ssOut;
            pooledDegrees += (nIn - 1) + (nOut - 1);
            sdIn[i] = nIn > 1 ? Math.max(MIN_STD, Math.sqrt(ssIn / (nIn - 1))) : MIN_STD;
            sdOut[i] = nOut > 1 ? Math.max(MIN_STD, Math.sqrt(ssOut / (nOut - 1))) : MIN_STD;
        }
        if (variance == VarianceMode.FIXED) {
            double sd = pooledDegrees > 0 ? Math.max(MIN_STD, Math.sqrt(pooledSquares / pooledDegrees)) : 1;
            Arrays.fill(sdIn, sd);
            Arrays.fill(sdOut, sd);
        }
        double[] online = new double[n];
        double[] offline = new double[n];
        for (int i = 0; i < n; i++) {
            double x = targetStatistics[i];
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("targetStatistics[" + i + "] must be finite, got " + x);
            }
            online[i] = Normal.logDensity(x, muIn[i], sdIn[i]) - Normal.logDensity(x, muOut[i], sdOut[i]);
            offline[i] = (x - muOut[i]) / sdOut[i];
        }
        return new Scores(online, offline);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

}
