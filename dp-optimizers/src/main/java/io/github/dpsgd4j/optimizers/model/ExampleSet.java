package io.github.dpsgd4j.optimizers.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * A training set held in memory with its arrays flattened once for fast row gathers: Poisson
 * sampling needs random access to every example. Example i is row i of every array.
 *
 * <p>Immutable after construction; {@link #batch} allocates the gathered rows in the current
 * workspace, if one is open.
 */
public final class ExampleSet {

    private final Rows[] features;
    private final Rows[] labels;
    private final Rows[] featuresMasks;
    private final Rows[] labelsMasks;
    private final int size;

    private ExampleSet(INDArray[] features, INDArray[] labels, INDArray[] featuresMasks, INDArray[] labelsMasks) {
        if (features == null || features.length == 0 || features[0] == null) {
            throw new IllegalArgumentException("data must have features");
        }
        if (labels == null || labels.length == 0) {
            throw new IllegalArgumentException("data must have labels");
        }
        long n = features[0].size(0);
        if (n == 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("data must have between 1 and " + Integer.MAX_VALUE
                    + " examples, got " + n);
        }
        this.size = (int) n;
        this.features = rows("features", features, n, false);
        this.labels = rows("labels", labels, n, false);
        this.featuresMasks = rows("features mask", featuresMasks, n, true);
        this.labelsMasks = rows("labels mask", labelsMasks, n, true);
    }

    /** The examples of a {@link DataSet} (one input, one output). */
    public static ExampleSet of(DataSet data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (data.getFeatures() == null || data.getLabels() == null) {
            throw new IllegalArgumentException("data must have features and labels");
        }
        long n = data.getFeatures().size(0);
        if (data.getLabels().size(0) != n) {
            throw new IllegalArgumentException("data has " + n + " feature rows but " + data.getLabels().size(0)
                    + " label rows");
        }
        return new ExampleSet(new INDArray[] {data.getFeatures()}, new INDArray[] {data.getLabels()},
                new INDArray[] {data.getFeaturesMaskArray()}, new INDArray[] {data.getLabelsMaskArray()});
    }

    /** The examples of a {@link MultiDataSet} (several inputs and outputs, masks per array). */
    public static ExampleSet of(MultiDataSet data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        return new ExampleSet(data.getFeatures(), data.getLabels(), data.getFeaturesMaskArrays(),
                data.getLabelsMaskArrays());
    }

    /**
     * Every example the iterator yields, gathered into memory (the iterator is reset first; its own
     * batching is not used: Poisson sampling needs random access to the whole training set).
     */
    public static ExampleSet of(org.nd4j.linalg.dataset.api.iterator.DataSetIterator data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        java.util.List<DataSet> parts = new java.util.ArrayList<>();
        data.reset();
        while (data.hasNext()) {
            parts.add(data.next());
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("data iterator yielded no examples");
        }
        return of(DataSet.merge(parts));
    }

    /** As {@link #of(org.nd4j.linalg.dataset.api.iterator.DataSetIterator)} for several inputs and outputs. */
    public static ExampleSet of(org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        java.util.List<MultiDataSet> parts = new java.util.ArrayList<>();
        data.reset();
        while (data.hasNext()) {
            parts.add(data.next());
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("data iterator yielded no examples");
        }
        return of(org.nd4j.linalg.dataset.MultiDataSet.merge(parts));
    }

    /** True when every entry is exactly 0 or 1 (NaN is neither). */
    private static boolean isZeroOne(INDArray mask) {
        return mask.isEmpty() || mask.castTo(DataType.DOUBLE).mul(
                mask.castTo(DataType.DOUBLE).sub(1.0)).amaxNumber().doubleValue() == 0;
    }

    private static double firstOther(INDArray mask) {
        double[] values = mask.dup().castTo(DataType.DOUBLE).reshape(mask.length()).toDoubleVector();
        for (double v : values) {
            if (v != 0 && v != 1) {
                return v;
            }
        }
        return Double.NaN;
    }

    private static Rows[] rows(String what, INDArray[] arrays, long n, boolean optional) {
        if (arrays == null) {
            return null;
        }
        Rows[] out = new Rows[arrays.length];
        boolean any = false;
        for (int i = 0; i < arrays.length; i++) {
            INDArray a = arrays[i];
            if (a == null) {
                if (!optional) {
                    throw new IllegalArgumentException("data has no " + what + " array " + i
                            + ": every input and output needs one");
                }
                continue;
            }
            if (a.rank() == 0 || a.size(0) != n) {
                throw new IllegalArgumentException("data has " + n + " examples but its " + what
                        + (arrays.length > 1 ? " " + i : "") + " has shape " + Arrays.toString(a.shape())
                        + "; its first dimension must be " + n);
            }
            if (optional && !isZeroOne(a)) {
                throw new IllegalArgumentException("data's " + what + (arrays.length > 1 ? " " + i : "")
                        + " holds values other than 0 and 1 (for example " + firstOther(a) + "): dpsgd4j takes "
                        + "masks as present (1) or absent (0); the per-example rules do not weight examples or steps "
                        + "as DL4J does with fractional masks. Use 0/1 masks (to weight an example, repeat it)");
            }
            out[i] = new Rows(a);
            any = true;
        }
        return optional && !any ? null : out;
    }

    /** N, the number of examples. */
    public int size() {
        return size;
    }

    /** Number of model inputs the data provides. */
    public int inputs() {
        return features.length;
    }

    /** Number of model outputs the data provides labels for. */
    public int outputs() {
        return labels.length;
    }

    /** Number of features masks (null entries included), or -1 when the data has none. */
    public int featuresMaskCount() {
        return featuresMasks == null ? -1 : featuresMasks.length;
    }

    /** Number of labels masks (null entries included), or -1 when the data has none. */
    public int labelsMaskCount() {
        return labelsMasks == null ? -1 : labelsMasks.length;
    }

    /** The given examples as a batch (copies), in the given order. */
    public Batch batch(int[] rows) {
        return new Batch(gather(features, rows), gather(labels, rows), gather(featuresMasks, rows),
                gather(labelsMasks, rows));
    }

    /** Shape of features array {@code i} without its first (example) dimension. */
    public long[] featureShape(int i) {
        return Arrays.copyOfRange(features[i].shape, 1, features[i].shape.length);
    }

    /** Shape of labels array {@code i} without its first (example) dimension. */
    public long[] labelShape(int i) {
        return Arrays.copyOfRange(labels[i].shape, 1, labels[i].shape.length);
    }

    private static INDArray[] gather(Rows[] rows, int[] indices) {
        if (rows == null) {
            return null;
        }
        INDArray[] out = new INDArray[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i] == null ? null : rows[i].gather(indices);
        }
        return out;
    }

    /** An array viewed as [N, rest] for gathering rows. */
    private static final class Rows {
        private final INDArray flat;
        private final long[] shape;

        Rows(INDArray array) {
            this.shape = array.shape();
            long n = shape[0];
            // A view when the array is already c-contiguous; one copy otherwise.
            this.flat = array.reshape('c', n, n == 0 ? 0 : array.length() / n);
        }

        INDArray gather(int[] rows) {
            long[] out = shape.clone();
            out[0] = rows.length;
            return Nd4j.pullRows(flat, 1, rows).reshape('c', out);
        }
    }
}
