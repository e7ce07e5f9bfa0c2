package io.github.dpsgd4j.audit.inversion;

import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Model inversion aimed at individuals: given the top half of a person's image and its label (a
 * partial record, as in attribute inference; Fredrikson et al. 2014, Yeom et al. 2018), the attacker
 * completes the bottom half through the model and is scored on how close the completion comes to
 * that person's true bottom half, for members and, as the baseline, non-members.
 *
 * <p>The completion starts from the label's mean image over the whole pool (the attacker's prior:
 * members and non-members weigh alike) and takes {@code iterations} white-box steps of
 * projected gradient ascent on log p<sub>label</sub>(x) over the bottom-half pixels only, each
 * step of L2 length {@code stepSize} along the normalised gradient, pixels clipped to the pool's
 * range. The gain of an example is MSE(prior, truth) - MSE(completion, truth) on the bottom half
 * (positive: the model moved the guess toward the person). The measure that relates to DP is the
 * member gap = mean gain of members - mean gain of non-members, with a 95% normal (Welch)
 * interval: a model that memorised its training images completes members better; under DP the gap
 * should be inside its interval around 0. Not thread-safe (DL4J networks are not).
 *
 * @param memberGain        mean gain of members (pixel MSE units)
 * @param nonMemberGain     mean gain of non-members
 * @param memberGap         memberGain - nonMemberGain
 * @param memberGapLower    95% lower limit of the gap
 * @param memberGapUpper    95% upper limit of the gap
 * @param priorMse          mean MSE of the prior (class mean) over all examples: the scale of the gains
 * @param members           members completed
 * @param nonMembers        non-members completed
 * @param iterations        gradient steps per completion
 */
public record HalfImageCompletion(double memberGain, double nonMemberGain, double memberGap, double memberGapLower,
                                  double memberGapUpper, double priorMse, int members, int nonMembers,
                                  int iterations) {

    /** Default number of gradient steps. */
    public static final int DEFAULT_ITERATIONS = 60;
    /** Default L2 length of a step, in pixel units. */
    public static final double DEFAULT_STEP = 0.1;

    /** Whether the member gap's 95% interval lies above 0 (members completed measurably better). */
    public boolean memberGapAboveZero() {
        return memberGapLower > 0;
    }

    /**
     * Completes the bottom half of every pool image through {@code model} and compares members with
     * non-members.
     *
     * @param model      the target (white box)
     * @param images     [n][width*height] pool images, row-major; not modified
     * @param labels     [n] true classes
     * @param member     [n] membership (at least 2 of each)
     * @param width      image width
     * @param height     image height, >= 2
     * @param numClasses K
     * @param iterations >= 1
     * @param stepSize   finite and > 0
     */
    public static HalfImageCompletion evaluate(Dl4jClassifier model, double[][] images, int[] labels, boolean[] member,
                                               int width, int height, int numClasses, int iterations,
                                               double stepSize) {
        Checks.notNull("model", model);
        Checks.notNull("images", images);
        Checks.notNull("labels", labels);
        Checks.notNull("member", member);
        Checks.positive("iterations", iterations);
        Checks.finitePositive("stepSize", stepSize);
        if (height < 2) {
            throw new IllegalArgumentException("height must be >= 2 to split an image in halves, got " + height);
        }
        int n = images.length;
        int d = width * height;
        Checks.equalTo("labels.length", labels.length, "images.length", n);
        Checks.equalTo("member.length", member.length, "images.length", n);
        int from = (height / 2) * width; // first pixel of the bottom half
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        double[][] classMean = new double[numClasses][d];
        int[] classCount = new int[numClasses];
        for (int i = 0; i < n; i++) {
            Checks.equalTo("images[" + i + "].length", images[i].length, "width * height", d);
            classCount[labels[i]]++;
            for (int j = 0; j < d; j++) {
                classMean[labels[i]][j] += images[i][j];
                lo = Math.min(lo, images[i][j]);
                hi = Math.max(hi, images[i][j]);
            }
        }
        for (int c = 0; c < numClasses; c++) {
            for (int j = 0; j < d; j++) {
                classMean[c][j] /= Math.max(1, classCount[c]);
            }
        }
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = images[i].clone();
            System.arraycopy(classMean[labels[i]], from, x[i], from, d - from);
        }
        for (int it = 0; it < iterations; it++) {
            INDArray features = Nd4j.create(x).castTo(model.network().params().dataType());
            // The step follows the normalised gradient: that of log p has the direction of that of p.
            double[][] g = model.logConfidenceGradient(features, labels);
            for (int i = 0; i < n; i++) {
                double norm = 0;
                for (int j = from; j < d; j++) {
                    norm += g[i][j] * g[i][j];
                }
                norm = Math.sqrt(norm);
                if (!(norm > 0) || !Double.isFinite(norm)) {
                    continue; // saturated: the gradient is 0, nothing to follow
                }
                for (int j = from; j < d; j++) {
                    x[i][j] = Math.max(lo, Math.min(hi, x[i][j] + stepSize * g[i][j] / norm));
                }
            }
        }
        double[] sum = new double[2];
        double[] squares = new double[2];
        int[] count = new int[2];
        double prior = 0;
        for (int i = 0; i < n; i++) {
            double priorError = 0;
            double error = 0;
            for (int j = from; j < d; j++) {
                double p = classMean[labels[i]][j] - images[i][j];
                double e = x[i][j] - images[i][j];
                priorError += p * p;
                error += e * e;
            }
            priorError /= d - from;
            error /= d - from;
            prior += priorError;
            double gain = priorError - error;
            int k = member[i] ? 0 : 1;
            sum[k] += gain;
            squares[k] += gain * gain;
            count[k]++;
        }
        if (count[0] < 2 || count[1] < 2) {
            throw new IllegalArgumentException("member must mark at least 2 members and 2 non-members, got "
                    + count[0] + " and " + count[1]);
        }
        double meanIn = sum[0] / count[0];
        double meanOut = sum[1] / count[1];
        double varIn = (squares[0] - count[0] * meanIn * meanIn) / (count[0] - 1);
        double varOut = (squares[1] - count[1] * meanOut * meanOut) / (count[1] - 1);
        double se = Math.sqrt(Math.max(0, varIn) / count[0] + Math.max(0, varOut) / count[1]);
        double gap = meanIn - meanOut;
        return new HalfImageCompletion(meanIn, meanOut, gap, gap - 1.96 * se, gap + 1.96 * se, prior / n, count[0],
                count[1], iterations);
    }
}
