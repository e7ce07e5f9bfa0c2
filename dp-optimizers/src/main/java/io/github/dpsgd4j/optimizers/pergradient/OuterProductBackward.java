package io.github.dpsgd4j.optimizers.pergradient;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * The per-batch state of a layer whose parameters are the row blocks of one matrix P [K, M] (for
 * example [W; b] or [W; RW; b]) and whose per-example gradient of P is an outer product of what the
 * layer saw and the deltas it produced: {@code [a_i, 1]^T delta_i} for a feed-forward layer, or
 * {@code sum_t a_it^T delta_it} over time ({@link SequenceOuterProducts}). This is the one owner of
 * "norms and clipped sum of such a P, written into the parameters' gradient views" for
 * {@link DenseLayerRule}, {@link RnnOutputLayerRule}, {@link SimpleRnnLayerRule} and
 * {@link TimeDistributedLayerRule}.
 *
 * <p>Not thread-safe; one instance per layer and batch. The arrays passed in are kept, not modified
 * (except the gradient views, which receive the clipped sum).
 */
final class OuterProductBackward implements LayerBackward {

    /** Feed-forward rows: input [B, K], delta [B, M]; null for sequences. */
    private final INDArray input;
    private final INDArray delta;
    /** Sequences; null for feed-forward rows. */
    private final SequenceOuterProducts products;
    /** The gradient views of P's row blocks, in order (the last may be a bias row). */
    private final List<INDArray> views;
    private final boolean rowsHaveBias;
    private final INDArray inputGradient;
    private final double summedLoss;

    private OuterProductBackward(INDArray input, INDArray delta, SequenceOuterProducts products, List<INDArray> views,
                                 boolean rowsHaveBias, INDArray inputGradient, double summedLoss) {
        this.input = input;
        this.delta = delta;
        this.products = products;
        this.views = views;
        this.rowsHaveBias = rowsHaveBias;
        this.inputGradient = inputGradient;
        this.summedLoss = summedLoss;
    }

    /**
     * One row per example: example i's gradient is {@code a_i^T delta_i} for the weight and
     * {@code delta_i} for the bias, so its squared norm is {@code |a_i|^2 |delta_i|^2 (+ |delta_i|^2)}
     * (Goodfellow 2015, arXiv:1510.01799), and the clipped sum is {@code a^T diag(c) delta}.
     *
     * @param input         the layer input a [B, K]
     * @param delta         dL/dz [B, M], not divided by the batch size
     * @param weightView    the weight's gradient view [K, M]
     * @param biasView      the bias's gradient view, or null without a bias
     * @param inputGradient dL/d(input) for the layer below, or null
     * @param summedLoss    the summed loss of an output layer, NaN for other layers
     */
    static OuterProductBackward ofRows(INDArray input, INDArray delta, INDArray weightView, INDArray biasView,
                                       INDArray inputGradient, double summedLoss) {
        return new OuterProductBackward(input, delta, null,
                biasView == null ? List.of(weightView) : List.of(weightView, biasView), biasView != null,
                inputGradient, summedLoss);
    }

    /**
     * Sums over time of outer products.
     *
     * @param products      the per-example gradients of P [K, M]
     * @param views         the gradient views of P's row blocks in order (each [rows, M], or [1, M] /
     *                      [M] for a bias row); their rows add up to K
     * @param inputGradient dL/d(input) for the layer below, or null
     * @param summedLoss    the summed loss of an output layer, NaN for other layers
     */
    static OuterProductBackward ofSequences(SequenceOuterProducts products, List<INDArray> views,
                                            INDArray inputGradient, double summedLoss) {
        return new OuterProductBackward(null, null, products, List.copyOf(views), false, inputGradient, summedLoss);
    }

    @Override
    public INDArray inputGradient() {
        return inputGradient;
    }

    @Override
    public double summedLoss() {
        return summedLoss;
    }

    @Override
    public void addSquaredNorms(double[] squaredNorms) {
        if (products != null) {
            products.addSquaredNorms(squaredNorms);
            return;
        }
        // Accumulated in double: ND4J's float reductions accumulate in float and can come out
        // low, which would under-clip.
        double[] inputNorms = LayerState.rowNorms(input);
        double[] deltaNorms = LayerState.rowNorms(delta);
        for (int i = 0; i < squaredNorms.length; i++) {
            double d2 = deltaNorms[i] * deltaNorms[i];
            double weight = inputNorms[i] * inputNorms[i] * d2;
            squaredNorms[i] += rowsHaveBias ? weight + d2 : weight;
        }
    }

    @Override
    public void accumulateClippedSum(INDArray factors) {
        if (products == null) {
            INDArray scaled = delta.mulColumnVector(factors);
            Nd4j.gemm(input, scaled, views.get(0), true, false, 1.0, 1.0);
            if (rowsHaveBias) {
                LayerState.addInto(views.get(1), scaled.sum(0));
            }
            return;
        }
        INDArray sum = products.weightedSum(factors);
        long from = 0;
        for (INDArray view : views) {
            long rows = view.rank() == 1 ? 1 : view.size(0);
            RecurrentArrays.addRows(view, sum, from, rows);
            from += rows;
        }
    }
}
