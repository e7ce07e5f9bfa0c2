package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * DL4J's {@code EmbeddingSequenceLayer}: input [B, T] (or [B, 1, T]) of token indices, output
 * [B, nOut, T] (NCW) or [B, T, nOut] (NWC).
 *
 * <p>Example i adds delta_it to row x_it of W for every position t, so rows hit by the same token
 * add up: {@code |g_i|^2 = sum over tokens v of |sum_{t: x_it = v} delta_it|^2}, which equals
 * {@code sum_{t,t'} [x_it = x_it'] <delta_it, delta_it'>}; the bias adds {@code |sum_t delta_it|^2}.
 * The clipped sum scatters {@code c_i delta_it} into the rows. Must be the first layer.
 */
public final class EmbeddingSequenceLayerRule implements LayerRule {

    /** Exactly DL4J's {@code EmbeddingSequenceLayer} class. */
    @Override
    public LayerSupport supports(Layer layer) {
        return layer.getClass() == org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingSequenceLayer.class
                ? LayerSupport.supported() : LayerSupport.notHandled();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        EmbeddingSequenceLayer embedding = (EmbeddingSequenceLayer) layer;
        org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer conf =
                (org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer) layer.conf().getLayer();
        INDArray weights = embedding.getParam(DefaultParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        INDArray input = layer.input();
        if (input == null) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " has no input");
        }
        INDArray tokens2d = input.rank() == 3 ? input.reshape(input.size(0), input.size(2)) : input;
        int batch = (int) tokens2d.size(0);
        int length = (int) tokens2d.size(1);
        int[] tokens = tokens2d.dup('c').data().asInt();
        long width = weights.size(1);

        INDArray z = Nd4j.pullRows(weights, 1, tokens);
        boolean hasBias = embedding.hasBias();
        if (hasBias) {
            z.addiRowVector(embedding.getParam(DefaultParamInitializer.BIAS_KEY));
        }
        INDArray epsilon = outputGradient.castTo(dataType);
        if (conf.getOutputFormat() == RNNFormat.NCW) {
            epsilon = epsilon.permute(0, 2, 1);
        }
        INDArray epsilon2d = epsilon.dup('c').reshape('c', (long) batch * length, width);
        INDArray delta = conf.getActivationFn().backprop(z, epsilon2d).getFirst();
        INDArray mask = layer.getMaskArray();
        if (mask != null) {
            delta.muliColumnVector(mask.castTo(dataType).dup('c').reshape((long) batch * length, 1));
        }
        return new Backward(LayerState.gradientViews(layer), tokens, delta, batch, length, (int) width, hasBias);
    }

    private static final class Backward implements LayerBackward {
        private final Map<String, INDArray> views;
        private final int[] tokens;
        private final INDArray delta;
        private final int batch;
        private final int length;
        private final int width;
        private final boolean hasBias;

        Backward(Map<String, INDArray> views, int[] tokens, INDArray delta, int batch, int length, int width,
                 boolean hasBias) {
            this.views = views;
            this.tokens = tokens;
            this.delta = delta;
            this.batch = batch;
            this.length = length;
            this.width = width;
            this.hasBias = hasBias;
        }

        @Override
        public INDArray inputGradient() {
            return null;
        }

        @Override
        public void addSquaredNorms(double[] squaredNorms) {
            double[] weight = TokenRows.squaredNormsPerExample(tokens, delta, length);
            double[] bias = null;
            if (hasBias) {
                // Example i's bias gradient is sum_t delta_it.
                INDArray total = delta.castTo(DataType.DOUBLE).reshape('c', batch, length, width).sum(1);
                bias = total.muli(total).sum(1).toDoubleVector();
            }
            for (int i = 0; i < batch; i++) {
                squaredNorms[i] += bias == null ? weight[i] : weight[i] + bias[i];
            }
        }

        @Override
        public void accumulateClippedSum(INDArray factors) {
            INDArray rowFactors = factors.reshape(batch, 1, 1).broadcast(batch, length, 1)
                    .reshape('c', (long) batch * length, 1);
            INDArray scaled = delta.mulColumnVector(rowFactors);
            TokenRows.scatterAdd(views.get(DefaultParamInitializer.WEIGHT_KEY), tokens, scaled);
            if (hasBias) {
                LayerState.addInto(views.get(DefaultParamInitializer.BIAS_KEY), scaled.sum(0));
            }
        }
    }
}
