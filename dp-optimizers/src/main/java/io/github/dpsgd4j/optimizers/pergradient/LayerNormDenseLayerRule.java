package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNormBp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * DL4J's {@code DenseLayer} with {@code hasLayerNorm(true)}:
 * {@code h = xW}, {@code z = g * LN(h) + b} (LN standardises each example's row of h, gain g and
 * bias b per unit), {@code y = activation(z)}.
 *
 * <p>With delta = dL/dz [B, nOut], hHat = LN(h) and dh = dL/dh (libnd4j's {@code layer_norm_bp},
 * which is row-wise: each example's row depends on its own row only), example i's gradients are
 * the outer product {@code x_i^T dh_i} for W (squared norm {@code |x_i|^2 |dh_i|^2}, Goodfellow
 * 2015, arXiv:1510.01799), {@code delta_i * hHat_i} for g and {@code delta_i} for b. The clipped
 * sum is {@code x^T diag(c) dh}, {@code c^T (delta * hHat)} and {@code c^T delta} (book-keeping).
 */
public final class LayerNormDenseLayerRule implements LayerRule {

    /** Exactly DL4J's {@code DenseLayer} class with layer normalisation (without it: {@link DenseLayerRule}). */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != DenseLayer.class || !((DenseLayer) layer).hasLayerNorm()) {
            return LayerSupport.notHandled();
        }
        return LayerSupport.supported();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        DenseLayer dense = (DenseLayer) layer;
        INDArray weights = dense.getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray gain = dense.getParam(DefaultParamInitializer.GAIN_KEY);
        DataType dataType = weights.dataType();
        INDArray input = LayerState.input(layer, dataType);
        if (input.rank() != 2 || input.columns() != weights.rows()) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects input [batch, "
                    + weights.rows() + "], got " + java.util.Arrays.toString(input.shape()));
        }
        INDArray preNorm = input.mmul(weights);
        INDArray standardised = preNorm.ulike();
        Nd4j.getExecutioner().exec(new LayerNorm(preNorm, Nd4j.onesLike(gain), standardised, true, 1));
        INDArray z = standardised.mulRowVector(gain.reshape(1, gain.length()));
        boolean hasBias = dense.hasBias();
        if (hasBias) {
            z.addiRowVector(dense.getParam(DefaultParamInitializer.BIAS_KEY).reshape(1, gain.length()));
        }
        org.deeplearning4j.nn.conf.layers.BaseLayer conf = (org.deeplearning4j.nn.conf.layers.BaseLayer) layer.conf().getLayer();
        INDArray delta = conf.getActivationFn().backprop(z, outputGradient.castTo(dataType)).getFirst();
        if (layer.getMaskArray() != null) {
            delta.muliColumnVector(layer.getMaskArray().castTo(dataType));
        }
        INDArray preNormGradient = delta.ulike();
        Nd4j.getExecutioner().exec(new LayerNormBp(preNorm, gain, delta, preNormGradient, gain.ulike(), true, 1));

        INDArray inputGradient = null;
        if (needInputGradient) {
            inputGradient = Nd4j.createUninitialized(dataType, delta.rows(), weights.rows());
            Nd4j.gemm(preNormGradient, weights, inputGradient, false, true, 1.0, 0.0);
            LayerState.backpropDropout(layer, inputGradient);
        }
        return new Backward(LayerState.gradientViews(layer), input, preNormGradient, delta.mul(standardised),
                hasBias ? delta : null, inputGradient);
    }

    private static final class Backward implements LayerBackward {
        private final Map<String, INDArray> views;
        private final INDArray input;
        private final INDArray preNormGradient;
        private final INDArray perExampleGain;
        private final INDArray perExampleBias;
        private final INDArray inputGradient;

        Backward(Map<String, INDArray> views, INDArray input, INDArray preNormGradient, INDArray perExampleGain,
                 INDArray perExampleBias, INDArray inputGradient) {
            this.views = views;
            this.input = input;
            this.preNormGradient = preNormGradient;
            this.perExampleGain = perExampleGain;
            this.perExampleBias = perExampleBias;
            this.inputGradient = inputGradient;
        }

        @Override
        public INDArray inputGradient() {
            return inputGradient;
        }

        @Override
        public void addSquaredNorms(double[] squaredNorms) {
            // In double, as DenseLayerRule does: float reductions could come out low (under-clipping).
            double[] inputNorms = LayerState.rowNorms(input);
            double[] deltaNorms = LayerState.rowNorms(preNormGradient);
            double[] gainNorms = LayerState.rowNorms(perExampleGain);
            double[] biasNorms = perExampleBias == null ? null : LayerState.rowNorms(perExampleBias);
            for (int i = 0; i < squaredNorms.length; i++) {
                double sum = inputNorms[i] * inputNorms[i] * deltaNorms[i] * deltaNorms[i] + gainNorms[i] * gainNorms[i];
                squaredNorms[i] += biasNorms == null ? sum : sum + biasNorms[i] * biasNorms[i];
            }
        }

        @Override
        public void accumulateClippedSum(INDArray factors) {
            Nd4j.gemm(input, preNormGradient.mulColumnVector(factors), views.get(DefaultParamInitializer.WEIGHT_KEY),
                    true, false, 1.0, 1.0);
            INDArray row = factors.transpose();
            LayerState.addInto(views.get(DefaultParamInitializer.GAIN_KEY), row.mmul(perExampleGain));
            if (perExampleBias != null) {
                LayerState.addInto(views.get(DefaultParamInitializer.BIAS_KEY), row.mmul(perExampleBias));
            }
        }
    }
}
