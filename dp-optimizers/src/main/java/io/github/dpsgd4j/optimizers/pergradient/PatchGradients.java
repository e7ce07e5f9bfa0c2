package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.core.clip.ClipAndSum;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-example part shared by the convolutions that are a linear map on patches (2D and 1D),
 * with the patches in im2col's own channel-major layout: {@code columns} [B, K, T] holds example
 * i's patch matrix transposed, {@code U_i^T} (K = channelsIn * kernel taps, T output positions),
 * and {@code delta} [B, channelsOut, T] holds dL/dz_i transposed, {@code D_i^T}, which is how an
 * NCHW / NCW output gradient is laid out already. Example i's weight gradient is then
 * {@code D_i^T U_i} [channelsOut, K] and its bias gradient {@code sum_t D_i^T[:, t]}.
 *
 * <p>Why this layout: libnd4j's im2col writes the channel-major layout contiguously, about 3.5
 * times faster on one thread than into the permuted (position-major) view DL4J's own layer uses,
 * and its col2im reads it contiguously too (measured on the resnet's 3x3 layers, batch 256).
 *
 * <p>Norms, chosen per layer by cost (Bu, Mao, Xu 2022, arXiv:2205.10683):
 * <ul>
 *   <li>materialise: {@code G_i = D_i^T U_i} for every example (a batched product of
 *       T*K*channelsOut multiply-adds per example, the work of the ordinary weight gradient), held
 *       by {@link MaterialisedGradients};</li>
 *   <li>ghost norm: {@code |U_i^T D_i|_F^2 = <U_i U_i^T, D_i D_i^T>_F} (Li et al. 2022,
 *       arXiv:2110.05679), T^2*(K + channelsOut) work, then the clipped sum
 *       {@code sum_i c_i D_i^T U_i} by book-keeping.</li>
 * </ul>
 * AUTOMATIC materialises when {@code K * channelsOut <= T * (K + channelsOut)}.
 */
final class PatchGradients {

    /** Examples per chunk of a broadcast product are chosen so the broadcast copies stay under this many elements. */
    private static final long SHARED_LEFT_ELEMENTS = 1L << 22;

    /**
     * {@code left} (or its transpose) times every example's matrix: result[i] = op(left) right[i].
     * Two ways, chosen by the elements they copy (the products are the same work):
     * <ul>
     *   <li>broadcast: a copy of op(left) per example and one batched product, copying B*m*k
     *       elements; cheap for small weights over many positions (the resnet's 3x3 layers);</li>
     *   <li>stacked: {@code right} laid out as [k, B*n], one matrix product, the [m, B, n] result
     *       copied back to [B, m, n], copying B*n*(k + m) elements; cheap for large weights over
     *       few positions (the StepBenchmark CNN's second layer, where broadcasting cost more than
     *       the products).</li>
     * </ul>
     *
     * @param left          [m, k] (or [k, m] with {@code transposeLeft}); not modified
     * @param right         [B, k, n]; not modified
     * @param transposeLeft whether to use left^T
     * @return a new [B, m, n] array, c order
     */
    static INDArray sharedLeftProduct(INDArray left, INDArray right, boolean transposeLeft) {
        long batch = right.size(0);
        long k = right.size(1);
        long n = right.size(2);
        INDArray op = transposeLeft ? left.transpose() : left;
        long m = op.size(0);
        if (m * k > n * (k + m)) {
            INDArray stacked = right.permute(1, 0, 2).dup('c').reshape('c', k, batch * n);
            return op.mmul(stacked).reshape('c', m, batch, n).permute(1, 0, 2).dup('c');
        }
        INDArray single = op.dup('c').reshape('c', 1, m, k);
        INDArray result = Nd4j.createUninitialized(right.dataType(), new long[] {batch, m, n}, 'c');
        long chunk = Math.max(1, Math.min(batch, SHARED_LEFT_ELEMENTS / Math.max(1, m * k)));
        INDArray broadcast = single.broadcast(chunk, m, k);
        for (long from = 0; from < batch; from += chunk) {
            long to = Math.min(batch, from + chunk);
            INDArray lefts = to - from == chunk ? broadcast : single.broadcast(to - from, m, k);
            INDArray product = Nd4j.matmul(lefts, right.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(),
                    NDArrayIndex.all()));
            result.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all()).assign(product);
        }
        return result;
    }

    /**
     * The layer's per-batch state from its channel-major patches and output deltas.
     *
     * @param columns        [B, K, T] patches, channel-major (see the class comment); kept, not modified
     * @param delta          [B, channelsOut, T] dL/dz; kept, not modified
     * @param weightGradient the weight gradient view, channelsOut*K elements whose logical c-order
     *                       runs over (channelOut, patch index); may be a permuted view of the
     *                       layer's flat gradient (writes reach it)
     * @param biasGradient   the bias gradient view (channelsOut elements), or null without bias
     * @param inputGradient  passed through as the result's input gradient (may be null)
     */
    static LayerBackward backward(ConvolutionLayerRule.NormMethod method, INDArray columns, INDArray delta,
                                  INDArray weightGradient, INDArray biasGradient, INDArray inputGradient) {
        long batch = columns.size(0);
        long patch = columns.size(1);
        long positions = columns.size(2);
        long channelsOut = delta.size(1);
        INDArray perExampleBias = biasGradient == null ? null : delta.sum(2);
        boolean materialise = switch (method) {
            case MATERIALISE -> true;
            case GHOST -> false;
            case AUTOMATIC -> patch * channelsOut <= positions * (patch + channelsOut);
        };
        if (materialise) {
            List<INDArray> perExample = new ArrayList<>();
            List<INDArray> views = new ArrayList<>();
            perExample.add(Nd4j.matmul(delta, columns, false, true, false).reshape('c', batch, channelsOut * patch));
            views.add(weightGradient);
            if (biasGradient != null) {
                perExample.add(perExampleBias);
                views.add(biasGradient);
            }
            return new MaterialisedGradients(perExample, views, inputGradient);
        }
        return new Ghost(columns, delta, perExampleBias, weightGradient, biasGradient, inputGradient);
    }

    /** Norms from Gram matrices; clipped sum by re-weighting each example's dL/dz. */
    private static final class Ghost implements LayerBackward {
        private final INDArray columns;
        private final INDArray delta;
        private final INDArray perExampleBias;
        private final INDArray weightGradient;
        private final INDArray biasGradient;
        private final INDArray inputGradient;

        Ghost(INDArray columns, INDArray delta, INDArray perExampleBias, INDArray weightGradient,
              INDArray biasGradient, INDArray inputGradient) {
            this.columns = columns;
            this.delta = delta;
            this.perExampleBias = perExampleBias;
            this.weightGradient = weightGradient;
            this.biasGradient = biasGradient;
            this.inputGradient = inputGradient;
        }

        @Override
        public INDArray inputGradient() {
            return inputGradient;
        }

        @Override
        public void addSquaredNorms(double[] squaredNorms) {
            // In double: the Frobenius inner product of two Gram matrices cancels, and float
            // rounding could make a norm come out low (under-clipping).
            INDArray columns64 = columns.castTo(DataType.DOUBLE);
            INDArray delta64 = delta.castTo(DataType.DOUBLE);
            INDArray patchGram = Nd4j.matmul(columns64, columns64, true, false, false);
            INDArray deltaGram = Nd4j.matmul(delta64, delta64, true, false, false);
            double[] weight = patchGram.muli(deltaGram).sum(1, 2).castTo(DataType.DOUBLE).toDoubleVector();
            double[] bias = perExampleBias == null ? null : ClipAndSum.squaredRowNorms(perExampleBias);
            for (int i = 0; i < squaredNorms.length; i++) {
                // A Gram inner product can round slightly below 0 for a zero gradient.
                double w = Math.max(0, weight[i]);
                squaredNorms[i] += bias == null ? w : w + bias[i];
            }
        }

        @Override
        public void accumulateClippedSum(INDArray factors) {
            INDArray scaled = Nd4j.createUninitialized(delta.dataType(), delta.shape(), 'c');
            Nd4j.getExecutioner().exec(new BroadcastMulOp(delta, factors.reshape(factors.length()), scaled, 0));
            // sum_i c_i D_i^T U_i: contract the example and position axes.
            INDArray sum = Nd4j.tensorMmul(scaled, columns, new int[][] {{0, 2}, {0, 2}});
            weightGradient.addi(sum.reshape(weightGradient.shape()));
            if (biasGradient != null) {
                LayerState.addInto(biasGradient, factors.transpose().mmul(perExampleBias));
            }
        }
    }
}
