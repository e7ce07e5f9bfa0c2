package io.github.dpsgd4j.examples.features;

import io.github.dpsgd4j.common.Checks;

/**
 * Per-example group normalisation without learned scale or shift (Wu and He 2018, "Group
 * Normalization", ECCV; used on scattering features by Tramer and Boneh, ICLR 2021): the channels of
 * one example are split into {@code groups} consecutive groups, and the values of each group are
 * shifted and scaled to mean 0 and variance 1, {@code v' = (v - mean) / sqrt(var + epsilon)} with the
 * biased variance.
 *
 * <p><b>Privacy.</b> Each example is normalised with its own statistics only, so the map is a
 * fixed function applied to every record separately: neighbouring data sets stay neighbouring, and
 * it costs no privacy (unlike normalising with statistics of the whole training set, which would
 * have to be computed privately and accounted for).
 *
 * <p>Stateless and thread-safe.
 */
public final class GroupNormalization {

    /** Added to the variance, as in common group-normalisation implementations. */
    public static final double EPSILON = 1e-5;

    private GroupNormalization() {
    }

    /**
     * Normalises {@code count} examples in place.
     *
     * @param features       {@code count x channels x valuesPerChannel} values, example after
     *                       example, channel-major; modified in place. NaN propagates to its group.
     * @param count          number of examples, {@code >= 0}
     * @param channels       channels per example, a multiple of {@code groups}
     * @param valuesPerChannel values per channel (for example 7 x 7), {@code >= 1}
     * @param groups         number of groups, {@code >= 1}
     */
    public static void normalize(float[] features, int count, int channels, int valuesPerChannel, int groups) {
        Checks.notNull("features", features);
        Checks.nonNegative("count", count);
        Checks.positive("channels", channels);
        Checks.positive("valuesPerChannel", valuesPerChannel);
        Checks.positive("groups", groups);
        if (channels % groups != 0) {
            throw new IllegalArgumentException("channels (" + channels + ") must be a multiple of groups, got groups = "
                    + groups);
        }
        long perExample = (long) channels * valuesPerChannel;
        Checks.equalTo("features.length", features.length, "count x channels x valuesPerChannel", count * perExample);
        int groupLength = channels / groups * valuesPerChannel;
        for (long start = 0; start < (long) features.length; start += groupLength) {
            normalizeRange(features, (int) start, groupLength);
        }
    }

    private static void normalizeRange(float[] values, int from, int length) {
        double sum = 0;
        for (int i = from; i < from + length; i++) {
            sum += values[i];
        }
        double mean = sum / length;
        double squares = 0;
        for (int i = from; i < from + length; i++) {
            double d = values[i] - mean;
            squares += d * d;
        }
        double scale = 1.0 / Math.sqrt(squares / length + EPSILON);
        for (int i = from; i < from + length; i++) {
            values[i] = (float) ((values[i] - mean) * scale);
        }
    }
}
