package io.github.dpsgd4j.audit.inversion;

import io.github.dpsgd4j.common.Checks;

import io.github.dpsgd4j.common.Shuffles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How close class reconstructions are to the training data (attacks-and-audit reference,
 * section 1.5). mu<sub>c</sub> is the mean of the <em>member</em> images of class c.
 *
 * @param identificationRate fraction of classes whose reconstruction is nearest (L2) to its own
 *                           mu<sub>c</sub> among all class means; chance is 1/K
 * @param chance             1/K
 * @param meanCorrelation    mean Pearson correlation of reconstruction and mu<sub>c</sub>
 * @param meanSsim           mean SSIM of reconstruction and mu<sub>c</sub>
 * @param meanMse            mean MSE of reconstruction and mu<sub>c</sub> (misleading alone: MI-Face
 *                           output is saturated; compare with {@code baselineMse})
 * @param baselineMse        mean MSE of the global mean image and mu<sub>c</sub>: the trivial baseline
 * @param memberGap          mean over classes of (distance from the reconstruction to its nearest
 *                           member of the class minus the same to non-members), with equal numbers
 *                           of members and non-members per class, averaged over random equal-size
 *                           subsamples. Negative: closer to members than to non-members (a
 *                           membership-dependent leak); about 0 under differential privacy
 * @param memberGapNull95    95% quantile of |memberGap| when member and non-member labels are
 *                           permuted within each class: gaps inside +-this are noise
 * @param meanConfidence     mean confidence of the model in each reconstruction's class
 * @param meanIterations     mean MI-Face iterations
 * @param perClassCorrelation correlation for each reconstruction, in the order given
 */
public record InversionMetrics(double identificationRate, double chance, double meanCorrelation, double meanSsim,
                               double meanMse, double baselineMse, double memberGap, double memberGapNull95,
                               double meanConfidence, double meanIterations, double[] perClassCorrelation) {

    private static final int SUBSAMPLES = 50;
    private static final int PERMUTATIONS = 200;

    /**
     * Evaluates reconstructions against the data.
     *
     * @param reconstructions one per class (at most one per label)
     * @param images          [n][d] every image of the audit pool, pixels in [0, 1]; not modified
     * @param labels          [n] classes
     * @param member          [n] whether each image was a training member
     * @param numClasses      K
     * @param width           image width (for SSIM)
     * @param height          image height
     * @param ssimWindow      SSIM window side (3 for 8x8, 7 for 28x28)
     * @param seed            seed of the subsampling and permutations
     */
    public static InversionMetrics evaluate(List<Reconstruction> reconstructions, double[][] images, int[] labels,
                                            boolean[] member, int numClasses, int width, int height, int ssimWindow,
                                            long seed) {
        Checks.notNull("reconstructions", reconstructions);
        Checks.notNull("images", images);
        Checks.equalTo("labels.length", labels.length, "images.length", images.length);
        Checks.equalTo("member.length", member.length, "images.length", images.length);
        int d = images[0].length;
        double[][] classMean = new double[numClasses][d];
        int[] classCount = new int[numClasses];
        double[] globalMean = new double[d];
        int memberCount = 0;
        for (int i = 0; i < images.length; i++) {
            if (member[i]) {
                classCount[labels[i]]++;
                memberCount++;
                for (int j = 0; j < d; j++) {
                    classMean[labels[i]][j] += images[i][j];
                    globalMean[j] += images[i][j];
                }
            }
        }
        for (int c = 0; c < numClasses; c++) {
            for (int j = 0; j < d; j++) {
                classMean[c][j] /= Math.max(1, classCount[c]);
            }
        }
        for (int j = 0; j < d; j++) {
            globalMean[j] /= Math.max(1, memberCount);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int identified = 0;
        double corr = 0;
        double ssim = 0;
        double mse = 0;
        double baseline = 0;
        double confidence = 0;
        double iterations = 0;
        double[] perClass = new double[reconstructions.size()];
        List<double[]> memberDistances = new ArrayList<>();
        List<double[]> nonMemberDistances = new ArrayList<>();
        for (int r = 0; r < reconstructions.size(); r++) {
            Reconstruction rec = reconstructions.get(r);
            int c = rec.label();
            double[] x = rec.image();
            int nearest = 0;
            for (int k = 1; k < numClasses; k++) {
                if (ImageSimilarity.distance(x, classMean[k]) < ImageSimilarity.distance(x, classMean[nearest])) {
                    nearest = k;
                }
            }
            if (nearest == c) {
                identified++;
            }
            double rc = ImageSimilarity.pearson(x, classMean[c]);
            perClass[r] = rc;
            corr += Double.isNaN(rc) ? 0 : rc;
            ssim += ImageSimilarity.ssim(x, classMean[c], width, height, ssimWindow, 1.0);
            mse += ImageSimilarity.mse(x, classMean[c]);
            baseline += ImageSimilarity.mse(globalMean, classMean[c]);
            confidence += rec.confidence();
            iterations += rec.iterations();
            List<Double> dm = new ArrayList<>();
            List<Double> dn = new ArrayList<>();
            for (int i = 0; i < images.length; i++) {
                if (labels[i] == c) {
                    (member[i] ? dm : dn).add(ImageSimilarity.distance(x, images[i]));
                }
            }
            memberDistances.add(dm.stream().mapToDouble(Double::doubleValue).toArray());
            nonMemberDistances.add(dn.stream().mapToDouble(Double::doubleValue).toArray());
        }
        int k = Math.max(1, reconstructions.size());
        double gap = gap(memberDistances, nonMemberDistances, random);
        double[] nullGaps = new double[PERMUTATIONS];
        for (int p = 0; p < PERMUTATIONS; p++) {
            List<double[]> pm = new ArrayList<>();
            List<double[]> pn = new ArrayList<>();
            for (int r = 0; r < memberDistances.size(); r++) {
                double[] all = concat(memberDistances.get(r), nonMemberDistances.get(r));
                Shuffles.shuffle(all, random);
                pm.add(Arrays.copyOfRange(all, 0, memberDistances.get(r).length));
                pn.add(Arrays.copyOfRange(all, memberDistances.get(r).length, all.length));
            }
            nullGaps[p] = Math.abs(gap(pm, pn, random));
        }
        Arrays.sort(nullGaps);
        double null95 = nullGaps[(int) Math.ceil(0.95 * PERMUTATIONS) - 1];
        return new InversionMetrics((double) identified / k, 1.0 / numClasses, corr / k, ssim / k, mse / k,
                baseline / k, gap, null95, confidence / k, iterations / k, perClass);
    }

    private static double gap(List<double[]> members, List<double[]> nonMembers, SplittableRandom random) {
        double total = 0;
        int classes = 0;
        for (int r = 0; r < members.size(); r++) {
            double[] m = members.get(r);
            double[] n = nonMembers.get(r);
            int size = Math.min(m.length, n.length);
            if (size == 0) {
                continue;
            }
            double sum = 0;
            for (int s = 0; s < SUBSAMPLES; s++) {
                sum += minOfSubsample(m, size, random) - minOfSubsample(n, size, random);
            }
            total += sum / SUBSAMPLES;
            classes++;
        }
        return classes == 0 ? Double.NaN : total / classes;
    }

    private static double minOfSubsample(double[] values, int size, SplittableRandom random) {
        if (size == values.length) {
            double min = Double.POSITIVE_INFINITY;
            for (double v : values) {
                min = Math.min(min, v);
            }
            return min;
        }
        double[] copy = values.clone();
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(copy.length - i);
            double t = copy[i];
            copy[i] = copy[j];
            copy[j] = t;
            min = Math.min(min, copy[i]);
        }
        return min;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}
