package io.github.dpsgd4j.optimizers.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One example as the exact per-example loop hands it to DL4J.
 *
 * <p>A mask of shape [N, 1] on rank-2 data weights whole examples, and DL4J accepts it for a batch; for
 * one example it sees a [1, 1] mask, which its softmax cross-entropy refuses as "per-output masking".
 * Such an example is run as a batch of two: the example itself with its masks, and a copy whose label
 * masks are 0. Every mask is then an [2, 1] column as in the full batch; the copy's output deltas are 0,
 * so it adds nothing to any gradient, and the gradient is the example's own, exactly as DL4J computes it
 * inside the batch. DL4J averages the score over the two rows, hence {@link #scoreScale()} 2.
 *
 * @param batch      what to give DL4J
 * @param scoreScale what DL4J's (data) score must be multiplied by to be the example's own loss
 */
record LoopExample(Batch batch, double scoreScale) {

    /** {@code example} (a batch of one) as the loop runs it. */
    static LoopExample of(Batch example) {
        if (!hasExampleMask(example)) {
            return new LoopExample(example, 1.0);
        }
        INDArray[] labels = example.labels();
        INDArray[] labelsMasks = new INDArray[labels.length];
        for (int i = 0; i < labels.length; i++) {
            INDArray mask = example.labelsMask(i);
            if (mask == null) {
                if (labels[i].rank() > 3) {
                    return new LoopExample(example, 1.0); // no per-example mask form known for this output
                }
                mask = labels[i].rank() == 2 ? Nd4j.ones(labels[i].dataType(), 1, 1)
                        : Nd4j.ones(labels[i].dataType(), 1, labels[i].size(2));
            }
            labelsMasks[i] = Nd4j.concat(0, mask, Nd4j.zerosLike(mask));
        }
        Batch doubled = new Batch(twice(example.features()), twice(labels), twice(example.featuresMasks()),
                labelsMasks);
        return new LoopExample(doubled, 2.0);
    }

    private static boolean hasExampleMask(Batch example) {
        return anyOneByOne(example.featuresMasks()) || anyOneByOne(example.labelsMasks());
    }

    private static boolean anyOneByOne(INDArray[] masks) {
        if (masks != null) {
            for (INDArray m : masks) {
                if (m != null && m.rank() == 2 && m.size(0) == 1 && m.size(1) == 1) {
                    return true;
                }
            }
        }
        return false;
    }

    private static INDArray[] twice(INDArray[] arrays) {
        if (arrays == null) {
            return null;
        }
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i] == null ? null : Nd4j.concat(0, arrays[i], arrays[i]);
        }
        return out;
    }
}
