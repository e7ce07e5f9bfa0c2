package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.optimizers.model.ExampleSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * All examples of one RDD partition merged into one {@code DataSet} or {@code MultiDataSet} (the
 * single-machine trainer's training set, partition by partition). Built once per partition and kept
 * by Spark at the trainer's storage level; its {@link ExampleSet} (row views, no copy) is built on
 * first use in each executor JVM. Example {@code i} of the block is the i-th example of the
 * partition's elements in iteration order, so a deterministic partition gives the same indices on
 * every recomputation.
 */
final class PartitionBlock implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final DataSet single;
    private final MultiDataSet multi;
    private final int size;
    private final String shapes;
    private transient ExampleSet examples;

    private PartitionBlock(DataSet single, MultiDataSet multi, int size, String shapes) {
        this.single = single;
        this.multi = multi;
        this.size = size;
        this.shapes = shapes;
    }

    /**
     * Merges a partition's elements ({@code DataSet}s or {@code MultiDataSet}s, each of one or more
     * examples).
     *
     * @throws IllegalArgumentException naming the partition, the element and both shapes when the
     *                                  elements' feature, label or mask shapes (beyond the example
     *                                  dimension) differ
     */
    static PartitionBlock of(int partition, Iterator<?> elements) {
        List<DataSet> singles = new ArrayList<>();
        List<MultiDataSet> multis = new ArrayList<>();
        String shapes = null;
        long size = 0;
        int index = 0;
        while (elements.hasNext()) {
            Object element = elements.next();
            String elementShapes;
            long n;
            if (element instanceof DataSet d) {
                if (d.getFeatures() == null || d.getLabels() == null) {
                    throw new IllegalArgumentException("partition " + partition + ", element " + index
                            + ": a DataSet without features or labels; every element needs both");
                }
                singles.add(d);
                n = d.getFeatures().size(0);
                elementShapes = shapes(new INDArray[] {d.getFeatures()}, new INDArray[] {d.getLabels()},
                        new INDArray[] {d.getFeaturesMaskArray()}, new INDArray[] {d.getLabelsMaskArray()});
            } else if (element instanceof MultiDataSet m) {
                multis.add(m);
                n = m.getFeatures(0).size(0);
                elementShapes = shapes(m.getFeatures(), m.getLabels(), m.getFeaturesMaskArrays(),
                        m.getLabelsMaskArrays());
            } else {
                throw new IllegalArgumentException("partition " + partition + ", element " + index + ": expected a "
                        + "DataSet or MultiDataSet, got " + (element == null ? "null" : element.getClass().getName()));
            }
            if (shapes == null) {
                shapes = elementShapes;
            } else if (!shapes.equals(elementShapes)) {
                throw new IllegalArgumentException("partition " + partition + ", element " + index + " has shapes ("
                        + elementShapes + ") but the partition's first element has (" + shapes + "): every example "
                        + "needs the same feature, label and mask shapes; fix the data (e.g. pad or resize) first");
            }
            size += n;
            index++;
        }
        if (!singles.isEmpty() && !multis.isEmpty()) {
            throw new IllegalArgumentException("partition " + partition + " mixes DataSet and MultiDataSet elements");
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("partition " + partition + " holds " + size + " examples, more than "
                    + Integer.MAX_VALUE + ": repartition the data into more partitions");
        }
        DataSet single = singles.isEmpty() ? null : singles.size() == 1 ? singles.get(0) : DataSet.merge(singles);
        MultiDataSet multi = multis.isEmpty() ? null : multis.size() == 1 ? multis.get(0)
                : org.nd4j.linalg.dataset.MultiDataSet.merge(multis);
        return new PartitionBlock(single, multi, (int) size, shapes == null ? "" : shapes);
    }

    /** Number of examples in the partition ({@code >= 0}). */
    int size() {
        return size;
    }

    /** The shapes of the examples beyond the example dimension ("" for an empty partition). */
    String shapes() {
        return shapes;
    }

    /** Whether the block holds {@code MultiDataSet}s. */
    boolean isMulti() {
        return multi != null;
    }

    /** The partition's examples (views of the merged arrays); call only when {@link #size()} > 0. */
    synchronized ExampleSet examples() {
        if (examples == null) {
            examples = single != null ? ExampleSet.of(single) : ExampleSet.of(multi);
        }
        return examples;
    }

    /**
     * The size and shapes of this partition, for the driver's checks.
     *
     * @param partition the partition index
     */
    Summary summary(int partition) {
        if (size == 0) {
            return new Summary(partition, 0, shapes, null, null, false);
        }
        INDArray[] features = single != null ? new INDArray[] {single.getFeatures()} : multi.getFeatures();
        INDArray[] labels = single != null ? new INDArray[] {single.getLabels()} : multi.getLabels();
        return new Summary(partition, size, shapes, trailingShapes(features), trailingShapes(labels), isMulti());
    }

    private static long[][] trailingShapes(INDArray[] arrays) {
        long[][] out = new long[arrays.length][];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = Arrays.copyOfRange(arrays[i].shape(), 1, arrays[i].rank());
        }
        return out;
    }

    /**
     * What the driver learns of a partition before training: sizes and shapes, no values.
     *
     * @param partition     the partition index
     * @param size          its number of examples
     * @param shapes        its example shapes as text ("" if empty)
     * @param featureShapes per model input, the features shape beyond the example dimension (null if empty)
     * @param labelShapes   per model output, the labels shape beyond the example dimension (null if empty)
     * @param multi         whether it holds MultiDataSets
     */
    record Summary(int partition, int size, String shapes, long[][] featureShapes, long[][] labelShapes,
                   boolean multi)
            implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    private static String shapes(INDArray[] features, INDArray[] labels, INDArray[] featuresMasks,
                                 INDArray[] labelsMasks) {
        return "features " + trailing(features) + ", labels " + trailing(labels) + ", features masks "
                + trailing(featuresMasks) + ", labels masks " + trailing(labelsMasks);
    }

    /** The shape of each array beyond the example dimension, e.g. "[[64]]"; null entries as "none". */
    private static String trailing(INDArray[] arrays) {
        if (arrays == null) {
            return "none";
        }
        List<String> out = new ArrayList<>();
        for (INDArray a : arrays) {
            out.add(a == null ? "none" : Arrays.toString(Arrays.copyOfRange(a.shape(), 1, a.rank())));
        }
        return out.toString();
    }
}
