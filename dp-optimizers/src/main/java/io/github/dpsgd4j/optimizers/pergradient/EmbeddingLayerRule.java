package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * DL4J's {@code EmbeddingLayer}: input [B, 1] of token indices, z_i = W[x_i] + b.
 *
 * <p>Example i touches one row of W, so its gradient is delta_i in row x_i (and delta_i for the
 * bias): squared norm {@code |delta_i|^2} (twice that with a bias). The clipped sum scatters
 * {@code c_i delta_i} into the rows. An embedding layer must be the first layer: it has no input
 * gradient.
 */
public final class EmbeddingLayerRule implements LayerRule {

    /** Exactly DL4J's {@code EmbeddingLayer} class. */
    @Override
    public LayerSupport supports(Layer layer) {
        return layer.getClass() == org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingLayer.class
                ? LayerSupport.supported() : LayerSupport.notHandled();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        EmbeddingLayer embedding = (EmbeddingLayer) layer;
        INDArray weights = embedding.getParam(DefaultParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        INDArray input = layer.input();
        if (input == null) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " has no input");
        }
        int[] indices = new int[(int) input.length()];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = input.getInt(i, 0);
        }
        INDArray z = Nd4j.pullRows(weights, 1, indices);
        boolean hasBias = embedding.hasBias();
        if (hasBias) {
            z.addiRowVector(embedding.getParam(DefaultParamInitializer.BIAS_KEY));
        }
        org.deeplearning4j.nn.conf.layers.BaseLayer conf = (org.deeplearning4j.nn.conf.layers.BaseLayer) layer.conf().getLayer();
        INDArray delta = conf.getActivationFn().backprop(z, outputGradient.castTo(dataType)).getFirst();
        if (layer.getMaskArray() != null) {
            delta.muliColumnVector(layer.getMaskArray().castTo(dataType));
        }
        return new Backward(LayerState.gradientViews(layer), indices, delta, hasBias);
    }

    private static final class Backward implements LayerBackward {
        private final Map<String, INDArray> views;
        private final int[] indices;
        private final INDArray delta;
        private final boolean hasBias;

        Backward(Map<String, INDArray> views, int[] indices, INDArray delta, boolean hasBias) {
            this.views = views;
            this.indices = indices;
            this.delta = delta;
            this.hasBias = hasBias;
        }

        @Override
        public INDArray inputGradient() {
            return null;
        }

        @Override
        public void addSquaredNorms(double[] squaredNorms) {
            double[] norms = LayerState.rowNorms(delta);
            for (int i = 0; i < squaredNorms.length; i++) {
                double d2 = norms[i] * norms[i];
                squaredNorms[i] += hasBias ? 2 * d2 : d2;
            }
        }

        @Override
        public void accumulateClippedSum(INDArray factors) {
            INDArray scaled = delta.mulColumnVector(factors);
            TokenRows.scatterAdd(views.get(DefaultParamInitializer.WEIGHT_KEY), indices, scaled);
            if (hasBias) {
                LayerState.addInto(views.get(DefaultParamInitializer.BIAS_KEY), scaled.sum(0));
            }
        }
    }
}
