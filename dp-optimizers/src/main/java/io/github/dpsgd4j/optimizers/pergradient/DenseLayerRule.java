package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Map;

/**
 * Fully connected layers: DL4J's {@code DenseLayer} and {@code OutputLayer} (z = aW + b).
 *
 * <p>With a the layer input [B, nIn] and delta = dL/dz [B, nOut], example i's weight gradient is
 * the outer product a_i^T delta_i, so its squared norm is {@code |a_i|^2 |delta_i|^2}, plus
 * {@code |delta_i|^2} for the bias (Goodfellow 2015, "Efficient per-example gradient computations",
 * arXiv:1510.01799). The clipped sum is the ordinary weight-gradient product with rows of delta
 * pre-scaled, {@code a^T diag(c) delta} (book-keeping, Bu et al. 2023, arXiv:2210.00038).
 *
 * <p>For an output layer, delta comes from the loss function and the layer's labels (and labels
 * mask): {@code lossFn.computeGradient(labels, z, activation, mask)}, one row per example and not
 * divided by the batch size.
 */
public final class DenseLayerRule implements LayerRule {

    /**
     * Exactly DL4J's {@code DenseLayer} and {@code OutputLayer} classes (not subclasses), without
     * layer normalisation.
     */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class
                && layer.getClass() != org.deeplearning4j.nn.layers.OutputLayer.class) {
            return LayerSupport.notHandled();
        }
        if (((BaseLayer<?>) layer).hasLayerNorm()) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer)
                    + " uses layer normalisation (hasLayerNorm), which LayerNormDenseLayerRule handles");
        }
        return LayerSupport.supported();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        BaseLayer<?> base = (BaseLayer<?>) layer;
        INDArray weights = base.getParam(DefaultParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        INDArray input = LayerState.input(layer, dataType);
        if (input.rank() != 2 || input.columns() != weights.rows()) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects input [batch, "
                    + weights.rows() + "], got " + java.util.Arrays.toString(input.shape()));
        }
        INDArray z = input.mmul(weights);
        INDArray bias = base.hasBias() ? base.getParam(DefaultParamInitializer.BIAS_KEY) : null;
        if (bias != null) {
            z.addiRowVector(bias);
        }

        INDArray delta;
        double summedLoss = Double.NaN;
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        if (conf instanceof BaseOutputLayer outputConf) {
            org.deeplearning4j.nn.api.layers.IOutputLayer output = (org.deeplearning4j.nn.api.layers.IOutputLayer) layer;
            ILossFunction loss = outputConf.getLossFn();
            INDArray labels = output.getLabels();
            if (labels == null) {
                throw new IllegalStateException("output layer " + LayerRules.describe(layer) + " has no labels");
            }
            INDArray typedLabels = labels.castTo(dataType);
            summedLoss = loss.computeScore(typedLabels, z.dup(), outputConf.getActivationFn(), layer.getMaskArray(), false);
            delta = loss.computeGradient(typedLabels, z, outputConf.getActivationFn(), layer.getMaskArray());
        } else {
            org.deeplearning4j.nn.conf.layers.BaseLayer baseConf = (org.deeplearning4j.nn.conf.layers.BaseLayer) conf;
            delta = baseConf.getActivationFn().backprop(z, outputGradient.castTo(dataType)).getFirst();
            if (layer.getMaskArray() != null) {
                delta.muliColumnVector(layer.getMaskArray().castTo(dataType));
            }
        }

        INDArray inputGradient = null;
        if (needInputGradient) {
            inputGradient = Nd4j.createUninitialized(dataType, delta.rows(), weights.rows());
            Nd4j.gemm(delta, weights, inputGradient, false, true, 1.0, 0.0); // delta W^T without copying W^T
            LayerState.backpropDropout(layer, inputGradient);
        }
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        return OuterProductBackward.ofRows(input, delta, views.get(DefaultParamInitializer.WEIGHT_KEY),
                bias == null ? null : views.get(DefaultParamInitializer.BIAS_KEY), inputGradient, summedLoss);
    }
}
