package io.github.dpsgd4j.accounting.pld;

import io.github.dpsgd4j.accounting.internal.Numerics;
import io.github.dpsgd4j.common.Checks;

/**
 * The privacy loss of one Poisson-subsampled Gaussian step (L2 sensitivity 1) in one
 * {@link AdjacencyDirection}, with its exact hockey-stick divergence and the pessimistic
 * connect-the-dots discretisation built from it.
 *
 * <p><b>Exact delta.</b> Write {@code delta_G(l) = Phi(1/(2s) - l s) - e^l Phi(-1/(2s) - l s)} for
 * the hockey-stick divergence of the unsampled Gaussian of standard deviation {@code s} at privacy
 * loss {@code l} (Balle and Wang 2018, "Improving the Gaussian mechanism for differential privacy",
 * ICML, Theorem 8). Because the loss is monotone in the output {@code x}, the divergence of the
 * sampled mechanism is {@code upperCdf(x*) - e^eps lowerCdf(x*)} with {@code x*} the point where the
 * loss equals {@code eps}. Substituting {@code x*} gives the closed forms used here, which avoid the
 * cancellation of the direct difference:
 * <ul>
 *   <li>REMOVE: {@code delta(eps) = 1 - e^eps} for {@code eps <= log(1-q)}, otherwise
 *       {@code q * delta_G(l)} with {@code l = log(1 + (e^eps - 1)/q)};</li>
 *   <li>ADD: {@code delta(eps) = 0} for {@code eps >= -log(1-q)}, otherwise
 *       {@code (1 - (1-q) e^eps) * delta_G(-m)} with {@code m = log(1 + (e^-eps - 1)/q)}.</li>
 * </ul>
 *
 * <p><b>Discretisation.</b> {@link #connectTheDots(double, double)} evaluates the exact delta on the
 * grid {@code eps_k = k d} spanning the losses of the outputs {@code x} whose upper-distribution tail
 * mass is at least {@code exp(logMassTruncationBound)}, and returns the pessimistic PMF of
 * Doroshenko, Ghazi, Kamath, Kumar, Manurangsi 2022 ("Connect the dots: tighter discrete
 * approximations of privacy loss distributions", PoPETs, arXiv:2207.04380, Algorithm 1): its
 * hockey-stick curve passes through every {@code (eps_k, delta(eps_k))} and lies above the true
 * curve in between, and the mass above the grid is carried as infinity mass. The result is a valid
 * upper bound under composition.
 *
 * <p>Immutable and thread-safe.
 */
final class SampledGaussianPrivacyLoss {

    /** log of the upper-distribution tail mass cut off on each side by default: e^-50. */
    static final double DEFAULT_LOG_MASS_TRUNCATION_BOUND = -50;
    /** Largest increase of the exact delta along the grid accepted as round-off. */
    private static final double DELTA_MONOTONICITY_TOLERANCE = 1e-12;
    /** Above this loss e^loss overflows; the log form of delta_G is used instead. */
    private static final double EXP_SAFE_LOSS = 700;

    private final double sigma;
    private final double sampleRate;
    private final AdjacencyDirection direction;
    private final double logSampleRate;
    private final double logOneMinusSampleRate;

    /**
     * @param sigma      noise standard deviation over L2 sensitivity, finite and {@code > 0}
     * @param sampleRate Poisson sampling probability in {@code (0, 1]}
     * @param direction  the adjacency direction, not null
     */
    SampledGaussianPrivacyLoss(double sigma, double sampleRate, AdjacencyDirection direction) {
        this.sigma = Checks.finitePositive("sigma", sigma);
        this.sampleRate = Checks.sampleRate("sampleRate", sampleRate);
        this.direction = Checks.notNull("direction", direction);
        this.logSampleRate = Math.log(sampleRate);
        this.logOneMinusSampleRate = Math.log1p(-sampleRate);
    }

    double sigma() {
        return sigma;
    }

    double sampleRate() {
        return sampleRate;
    }

    AdjacencyDirection direction() {
        return direction;
    }

    /** The privacy loss at output {@code x}; non-increasing in {@code x}. */
    double privacyLoss(double x) {
        double variance = sigma * sigma;
        if (direction == AdjacencyDirection.REMOVE) {
            return Numerics.logAddExp(logOneMinusSampleRate, logSampleRate + (-0.5 - x) / variance);
        }
        return -Numerics.logAddExp(logOneMinusSampleRate, logSampleRate + (x - 0.5) / variance);
    }

    /**
     * The exact hockey-stick divergence {@code delta(epsilon)} of this direction, in {@code [0, 1]}.
     *
     * @param epsilon any real number (negative values are meaningful for the discretisation)
     */
    double delta(double epsilon) {
        double[] pair = new double[2];
        evaluate(epsilon, pair);
        return pair[0];
    }

    /**
     * Writes {@code delta(epsilon)} to {@code out[0]} and {@code 1 - delta(epsilon)} to
     * {@code out[1]}, each with full relative accuracy: both are sums and differences of normal
     * tail probabilities evaluated on the side where they are small, so the complement does not
     * suffer the cancellation of {@code 1 - delta} where delta is close to 1.
     */
    void evaluate(double epsilon, double[] out) {
        double mu = 1 / sigma;
        if (direction == AdjacencyDirection.REMOVE) {
            if (epsilon <= logOneMinusSampleRate) {
                out[0] = -Math.expm1(epsilon);
                out[1] = Math.exp(epsilon);
            } else {
                // l = log(1 + (e^eps - 1) / q); for q = 1 this is eps itself.
                double loss = sampleRate == 1 ? epsilon : Math.log1p(Math.expm1(epsilon) / sampleRate);
                gaussian(mu, loss, out);
                out[0] = sampleRate * out[0];
                out[1] = (1 - sampleRate) + sampleRate * out[1];
            }
        } else {
            if (epsilon >= -logOneMinusSampleRate) {
                out[0] = 0;
                out[1] = 1;
            } else {
                double m = sampleRate == 1 ? -epsilon : Math.log1p(Math.expm1(-epsilon) / sampleRate);
                // (1-q) e^eps and 1 - (1-q) e^eps, the latter without cancellation
                double scaled = sampleRate == 1 ? 0 : Math.exp(logOneMinusSampleRate + epsilon);
                double factor = sampleRate == 1 ? 1 : -Math.expm1(logOneMinusSampleRate + epsilon);
                gaussian(mu, -m, out);
                out[0] = factor * out[0];
                out[1] = scaled + factor * out[1];
            }
        }
        out[0] = Math.min(1, Math.max(0, out[0]));
        out[1] = Math.min(1, Math.max(0, out[1]));
    }

    /**
     * The hockey-stick divergence of {@code N(mu, 1)} against {@code N(0, 1)} at privacy loss
     * {@code loss}: {@code Phi(mu/2 - loss/mu) - e^loss Phi(-mu/2 - loss/mu)} (Balle and Wang 2018,
     * Theorem 8). Not clipped.
     *
     * @param mu   {@code 1/sigma}, finite and {@code > 0}
     * @param loss any real number
     */
    static double gaussianDelta(double mu, double loss) {
        double[] out = new double[2];
        gaussian(mu, loss, out);
        return out[0];
    }

    /**
     * {@code out[0] = Phi(u) - e^loss Phi(v)} and {@code out[1] = Phi(-u) + e^loss Phi(v)} (its
     * complement) with {@code u = mu/2 - loss/mu}, {@code v = -mu/2 - loss/mu}.
     */
    private static void gaussian(double mu, double loss, double[] out) {
        double u = mu / 2 - loss / mu;
        double v = -mu / 2 - loss / mu;
        // Phi of the negative one of +-u, with full relative accuracy
        double tailU = Numerics.normalCdf(-Math.abs(u));
        double phiU = u >= 0 ? 1 - tailU : tailU;
        double phiMinusU = u >= 0 ? tailU : 1 - tailU;
        double lower;
        if (loss <= EXP_SAFE_LOSS) {
            lower = Math.exp(loss) * Numerics.normalCdf(v);
        } else {
            lower = Math.exp(loss + Numerics.logNormalCdf(v));
        }
        out[0] = phiU - lower;
        out[1] = phiMinusU + lower;
    }

    /**
     * The output range {@code [lowerX, upperX]} outside which the upper distribution has tail mass
     * at most {@code exp(logMassTruncationBound)} on each side: {@code +-sigma * z} with
     * {@code z = Phi^-1(e^bound / 2)}, widened by the sensitivity on the side of the shifted mixture
     * component.
     */
    double[] outputRange(double logMassTruncationBound) {
        double z = Numerics.normalQuantileFromLog(Math.log(0.5) + logMassTruncationBound);
        double lowerX = sigma * z;
        double upperX = -sigma * z;
        if (direction == AdjacencyDirection.REMOVE) {
            lowerX -= 1;
        } else {
            upperX += 1;
        }
        return new double[] {lowerX, upperX};
    }

    /**
     * The pessimistic connect-the-dots PMF of this privacy loss on the grid of multiples of
     * {@code interval}.
     *
     * @param interval               loss discretisation interval, finite and {@code > 0}
     * @param logMassTruncationBound log of the upper-distribution mass left outside the grid's
     *                               output range on each side, {@code <= 0}
     *                               ({@link #DEFAULT_LOG_MASS_TRUNCATION_BOUND} by default)
     * @throws IllegalStateException if the grid would exceed {@link PrivacyLossPmf#MAX_SIZE}
     *                               points, or if the exact delta is not monotone (a numerical
     *                               failure)
     */
    PrivacyLossPmf connectTheDots(double interval, double logMassTruncationBound) {
        Checks.finitePositive("interval", interval);
        if (!(logMassTruncationBound <= 0)) {
            throw new IllegalArgumentException(
                    "logMassTruncationBound must be <= 0, got " + logMassTruncationBound);
        }
        double[] range = outputRange(logMassTruncationBound);
        double epsilonUpper = privacyLoss(range[0]);
        double epsilonLower = privacyLoss(range[1]);
        double lowerScaled = Math.floor(epsilonLower / interval);
        double upperScaled = Math.ceil(epsilonUpper / interval);
        double points = upperScaled - lowerScaled + 1;
        if (!(points <= PrivacyLossPmf.MAX_SIZE)) {
            throw new IllegalStateException(String.format(
                    "the privacy loss of one step (noise multiplier %s, sample rate %s, %s direction) spans "
                            + "[%s, %s], which needs %.0f grid points at discretisation interval %s "
                            + "(at most %d are allowed); use a coarser interval or the RDP accountant",
                    sigma, sampleRate, direction, epsilonLower, epsilonUpper, points, interval,
                    PrivacyLossPmf.MAX_SIZE));
        }
        long lowerIndex = (long) lowerScaled;
        int size = (int) points;
        double[] deltas = new double[size];
        double[] complements = new double[size];
        double[] pair = new double[2];
        for (int i = 0; i < size; i++) {
            evaluate((lowerIndex + i) * interval, pair);
            deltas[i] = pair[0];
            complements[i] = pair[1];
        }
        return fromDeltas(interval, lowerIndex, deltas, complements, this);
    }

    /**
     * Algorithm 1 of Doroshenko et al. 2022 for a fixed gap {@code d}: given the exact deltas
     * {@code delta_k} at the losses {@code (lowerIndex + k) d}, the masses are
     * {@code p_0 = 1 - delta_0 + D_0 / (e^d - 1)},
     * {@code p_k = (D_k - e^d D_(k-1)) / (e^d - 1)} and {@code p_last = D_last / (e^-d - 1)}
     * with {@code D_k = delta_(k+1) - delta_k}; the infinity mass is {@code delta_last}. Negative
     * round-off masses are clipped to 0 (which only raises the hockey-stick curve).
     *
     * <p>Where both deltas exceed 1/2 the difference {@code D_k} is taken from the complements
     * {@code 1 - delta} (as {@code c_k - c_(k+1)}), which are known to full relative accuracy
     * there; this keeps round-off from creating spurious mass at very negative losses.
     *
     * @param deltas      the exact deltas, non-increasing up to 1e-12; modified: replaced by
     *                    their running minimum
     * @param complements {@code 1 - delta_k} to full relative accuracy; modified: replaced by their
     *                    running maximum
     * @param source      what the deltas belong to, for error messages
     * @throws IllegalStateException if a delta is NaN or outside {@code [0, 1]}, or increases by
     *                               more than 1e-12 (a numerical failure)
     */
    static PrivacyLossPmf fromDeltas(double interval, long lowerIndex, double[] deltas, double[] complements,
                                     Object source) {
        int n = deltas.length;
        for (int i = 0; i < n; i++) {
            if (!(deltas[i] >= 0 && deltas[i] <= 1) || !(complements[i] >= 0 && complements[i] <= 1)) {
                throw new IllegalStateException("numerical failure: the exact delta of " + source
                        + " at loss " + (lowerIndex + i) * interval + " is " + deltas[i]
                        + " (complement " + complements[i] + ")");
            }
        }
        for (int i = 1; i < n; i++) {
            if (deltas[i] - deltas[i - 1] > DELTA_MONOTONICITY_TOLERANCE
                    || complements[i - 1] - complements[i] > DELTA_MONOTONICITY_TOLERANCE) {
                throw new IllegalStateException("numerical failure: the exact delta of " + source
                        + " increases from " + deltas[i - 1] + " to " + deltas[i] + " at loss "
                        + (lowerIndex + i) * interval);
            }
            deltas[i] = Math.min(deltas[i], deltas[i - 1]);
            complements[i] = Math.max(complements[i], complements[i - 1]);
        }
        double[] probs = new double[n];
        if (n == 1) {
            probs[0] = complements[0];
            return new PrivacyLossPmf(interval, lowerIndex, probs, deltas[0]);
        }
        double expD = Math.exp(interval);
        double expm1D = Math.expm1(interval);
        double previousDiff = difference(deltas, complements, 0);
        probs[0] = complements[0] + previousDiff / expm1D;
        for (int i = 1; i < n - 1; i++) {
            double diff = difference(deltas, complements, i);
            probs[i] = (diff - expD * previousDiff) / expm1D;
            previousDiff = diff;
        }
        probs[n - 1] = previousDiff / Math.expm1(-interval);
        for (int i = 0; i < n; i++) {
            if (!(probs[i] > 0)) {
                probs[i] = 0;
            }
        }
        return new PrivacyLossPmf(interval, lowerIndex, probs, deltas[n - 1]);
    }

    /** {@code delta_(i+1) - delta_i}, from the complements where both deltas exceed 1/2. */
    private static double difference(double[] deltas, double[] complements, int i) {
        if (deltas[i + 1] > 0.5) {
            return complements[i] - complements[i + 1];
        }
        return deltas[i + 1] - deltas[i];
    }

    @Override
    public String toString() {
        return "Poisson-subsampled Gaussian (noise multiplier " + sigma + ", sample rate " + sampleRate
                + ", " + direction + ")";
    }
}
