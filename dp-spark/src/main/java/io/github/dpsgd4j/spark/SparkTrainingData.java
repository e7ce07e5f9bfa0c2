package io.github.dpsgd4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training data of a Spark run: the user's RDD, its partitions merged into one
 * {@link PartitionBlock} each and kept at a storage level, plus what the driver learns before the
 * first step (N, the shapes). Preparing it runs one Spark job that reads sizes and shapes only.
 *
 * <p>The RDD must be deterministic (the same elements in the same order on every computation of a
 * partition, as a cached or file-backed RDD is): a recomputed partition must yield the same
 * examples for the step key to reproduce the same sample.
 */
final class SparkTrainingData {

    private final JavaRDD<PartitionBlock> blocks;
    private final long size;
    private final int partitions;
    private final long[][] featureShapes;
    private final long[][] labelShapes;
    private final boolean multi;
    private final String shapes;

    private SparkTrainingData(JavaRDD<PartitionBlock> blocks, List<PartitionBlock.Summary> summaries) {
        this.blocks = blocks;
        this.partitions = summaries.size();
        long n = 0;
        PartitionBlock.Summary first = null;
        for (PartitionBlock.Summary s : summaries) {
            n += s.size();
            if (s.size() == 0) {
                continue;
            }
            if (first == null) {
                first = s;
            } else if (!first.shapes().equals(s.shapes()) || first.multi() != s.multi()) {
                throw new IllegalArgumentException("partition " + s.partition() + " has examples of shapes ("
                        + s.shapes() + ") but partition " + first.partition() + " has (" + first.shapes() + "): every "
                        + "example needs the same feature, label and mask shapes; fix the data before training");
            }
        }
        if (first == null) {
            throw new IllegalArgumentException("the training RDD holds no examples (" + partitions + " partitions, all "
                    + "empty): give it at least one example");
        }
        this.size = n;
        this.featureShapes = first.featureShapes();
        this.labelShapes = first.labelShapes();
        this.multi = first.multi();
        this.shapes = first.shapes();
    }

    /**
     * Prepares an RDD of {@code DataSet}s or {@code MultiDataSet}s (each element one or more examples).
     *
     * @param storage where Spark keeps the merged partitions between steps ({@code MEMORY_ONLY} is the
     *                fastest; {@code NONE} re-merges every step, for data already cached by the caller)
     * @throws IllegalArgumentException for an empty RDD or mismatched shapes (naming partition, element and shapes)
     */
    static SparkTrainingData prepare(JavaRDD<?> data, StorageLevel storage) {
        JavaRDD<PartitionBlock> blocks = data.mapPartitionsWithIndex(
                (partition, elements) -> List.of(PartitionBlock.of(partition, elements)).iterator(), true);
        if (storage != null && !storage.equals(StorageLevel.NONE())) {
            blocks = blocks.persist(storage);
        }
        JavaRDD<PartitionBlock> kept = blocks;
        List<PartitionBlock.Summary> summaries = SparkErrors.unwrap(() -> kept.mapPartitionsWithIndex(
                (partition, it) -> {
                    List<PartitionBlock.Summary> out = new ArrayList<>();
                    while (it.hasNext()) {
                        out.add(it.next().summary(partition));
                    }
                    return out.iterator();
                }, true).collect());
        try {
            return new SparkTrainingData(blocks, summaries);
        } catch (IllegalArgumentException e) {
            blocks.unpersist(false);
            throw e;
        }
    }

    /** The merged partitions. */
    JavaRDD<PartitionBlock> blocks() {
        return blocks;
    }

    /** N, the number of training examples (public, as in every DP-SGD analysis). */
    long size() {
        return size;
    }

    /** Number of partitions. */
    int partitions() {
        return partitions;
    }

    /** Whether the elements are MultiDataSets. */
    boolean isMulti() {
        return multi;
    }

    /** Per model input, the features shape beyond the example dimension. Do not modify. */
    long[][] featureShapes() {
        return featureShapes;
    }

    /** Per model output, the labels shape beyond the example dimension. Do not modify. */
    long[][] labelShapes() {
        return labelShapes;
    }

    /** The example shapes as text. */
    String shapes() {
        return shapes;
    }

    /** Releases the kept partitions. */
    void release() {
        blocks.unpersist(false);
    }

    @Override
    public String toString() {
        return size + " examples in " + partitions + " partitions, features " + Arrays.deepToString(featureShapes);
    }
}
