package io.github.dpsgd4j.examples.features;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.examples.data.LabeledImages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The "ScatterNet" feature pipeline of Tramer and Boneh (ICLR 2021): the scattering transform of
 * each image (J = 2, L = 8, reflect padding), then per-example group normalisation. Both steps are
 * fixed functions applied to each example on its own, so the features cost no privacy; a model
 * trained on them with DP-SGD has the guarantee DP-SGD gives it on the images.
 *
 * <p>Transforms of large sets (at least {@value #MIN_CACHED_IMAGES} images) are kept in a
 * {@link FeatureCache}, keyed by the transform's parameters and the pixels, before normalisation.
 *
 * <p>Thread-safe (immutable).
 */
public final class ScatteringFeatures {

    /** J used by the pipeline. */
    public static final int SCALES = 2;
    /** L used by the pipeline. */
    public static final int ORIENTATIONS = 8;
    /** Groups of channels normalised together (81 channels in 27 groups of 3, as Tramer and Boneh). */
    public static final int GROUPS = 27;
    /** Smallest set whose transform is cached (smaller ones take well under a second). */
    public static final int MIN_CACHED_IMAGES = 5000;

    private final ScatteringTransform transform;
    private final int groups;

    /** The pipeline for images of {@code height x width} (multiples of 4, at least 8). */
    public ScatteringFeatures(int height, int width) {
        this(new ScatteringTransform(height, width, SCALES, ORIENTATIONS, ScatteringTransform.Boundary.REFLECT),
                GROUPS);
    }

    /**
     * @param transform the scattering transform
     * @param groups    channel groups for normalisation; must divide the transform's channels
     */
    public ScatteringFeatures(ScatteringTransform transform, int groups) {
        this.transform = Checks.notNull("transform", transform);
        this.groups = Checks.positive("groups", groups);
        if (transform.channels() % groups != 0) {
            throw new IllegalArgumentException("groups must divide the transform's " + transform.channels()
                    + " channels, got " + groups);
        }
    }

    /** The scattering transform. */
    public ScatteringTransform transform() {
        return transform;
    }

    /** Channel groups of the normalisation. */
    public int groups() {
        return groups;
    }

    /** Features per image. */
    public int length() {
        return transform.outputLength();
    }

    /** What the features depend on, besides the pixels. */
    public String describe() {
        return transform.describe() + " groupNorm=" + groups + "/eps=" + GroupNormalization.EPSILON;
    }

    /**
     * The normalised features of every image.
     *
     * @param images   images of the pipeline's size
     * @param cache    where to keep the transform of large sets, or empty
     * @param threads  worker threads for the transform, {@code >= 1}
     * @param progress receives the number of images finished (thread-safe), or null
     * @return {@code images.size() x length()} floats
     * @throws UncheckedIOException if the cache cannot be written
     */
    public float[] compute(LabeledImages images, Optional<FeatureCache> cache, int threads, IntConsumer progress) {
        Checks.notNull("images", images);
        Checks.notNull("cache", cache);
        if (images.height() != transform.height() || images.width() != transform.width()) {
            throw new IllegalArgumentException("images must be " + transform.height() + " x " + transform.width()
                    + ", got " + images.height() + " x " + images.width());
        }
        float[] pixels = images.pixels();
        int count = images.size();
        float[] features = null;
        String key = null;
        boolean cached = cache.isPresent() && count >= MIN_CACHED_IMAGES;
        if (cached) {
            key = FeatureCache.key(transform.describe(), pixels);
            features = cache.get().read(key, count, length()).orElse(null);
            if (features != null && progress != null) {
                progress.accept(count);
            }
        }
        if (features == null) {
            features = transform.transformAll(pixels, count, threads, progress);
            if (cached) {
                try {
                    cache.get().write(key, features, count, length());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the feature cache " + cache.get().file(key), e);
                }
            }
        }
        GroupNormalization.normalize(features, count, transform.channels(),
                transform.outputHeight() * transform.outputWidth(), groups);
        return features;
    }
}
