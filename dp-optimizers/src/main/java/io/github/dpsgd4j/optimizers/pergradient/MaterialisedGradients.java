package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.core.clip.ClipAndSum;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A {@link LayerBackward} for layers whose per-example parameter gradients are small enough to hold
 * as rows: one [B, n_p] matrix per parameter p, whose row i is example i's gradient of that
 * parameter in the order of the parameter's c-order gradient view. Squared norms by dp-core's
 * clipping arithmetic ({@link ClipAndSum#squaredRowNorms(INDArray)}, an upper bound, so rounding only
 * ever clips more); the clipped sum {@code sum_i c_i g_i} is one row-vector product per parameter.
 *
 * <p>Not thread-safe; used by one training step.
 */
final class MaterialisedGradients implements LayerBackward {

    private final List<INDArray> perExample;
    private final List<INDArray> views;
    private final INDArray inputGradient;

    /**
     * @param perExample    per parameter, the [B, n_p] per-example gradients
     * @param views         per parameter (same order), its gradient view (n_p elements, c order)
     * @param inputGradient dL/d(input) for the layer below, or null
     */
    MaterialisedGradients(List<INDArray> perExample, List<INDArray> views, INDArray inputGradient) {
        if (perExample.size() != views.size()) {
            throw new IllegalArgumentException("one view per parameter: " + perExample.size() + " vs " + views.size());
        }
        for (int p = 0; p < views.size(); p++) {
            if (perExample.get(p).size(1) != views.get(p).length()) {
                throw new IllegalArgumentException("parameter " + p + ": per-example width " + perExample.get(p).size(1)
                        + " does not match its gradient view of " + views.get(p).length() + " elements");
            }
        }
        this.perExample = List.copyOf(perExample);
        this.views = List.copyOf(views);
        this.inputGradient = inputGradient;
    }

    @Override
    public INDArray inputGradient() {
        return inputGradient;
    }

    @Override
    public void addSquaredNorms(double[] squaredNorms) {
        for (INDArray rows : perExample) {
            double[] norms = ClipAndSum.squaredRowNorms(rows);
            for (int i = 0; i < squaredNorms.length; i++) {
                squaredNorms[i] += norms[i];
            }
        }
    }

    @Override
    public void accumulateClippedSum(INDArray factors) {
        INDArray row = factors.transpose();
        for (int p = 0; p < views.size(); p++) {
            LayerState.addInto(views.get(p), row.mmul(perExample.get(p)));
        }
    }
}
