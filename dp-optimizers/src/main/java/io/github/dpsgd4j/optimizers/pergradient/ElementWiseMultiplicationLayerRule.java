package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.feedforward.elementwise.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DL4J's {@code ElementWiseMultiplicationLayer}: {@code z = x * w + b} element by element
 * ([B, n] input, weights and bias [1, n]), {@code y = activation(z)}.
 *
 * <p>With delta = dL/dz [B, n], example i's gradients are {@code delta_i * x_i} for w and
 * {@code delta_i} for b: n values each, no more than the layer's activations, so they are
 * materialised ({@link MaterialisedGradients}). A labels-free mask on the layer multiplies delta per
 * example, as DL4J does.
 */
public final class ElementWiseMultiplicationLayerRule implements LayerRule {

    /** Exactly DL4J's {@code ElementWiseMultiplicationLayer}, without layer normalisation. */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != ElementWiseMultiplicationLayer.class) {
            return LayerSupport.notHandled();
        }
        if (((ElementWiseMultiplicationLayer) layer).hasLayerNorm()) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " uses layer normalisation");
        }
        return LayerSupport.supported();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        ElementWiseMultiplicationLayer base = (ElementWiseMultiplicationLayer) layer;
        INDArray weights = base.getParam(DefaultParamInitializer.WEIGHT_KEY);
        DataType dataType = weights.dataType();
        INDArray input = LayerState.input(layer, dataType);
        long width = weights.length();
        if (input.rank() != 2 || input.columns() != width) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " expects input [batch, " + width
                    + "], got " + java.util.Arrays.toString(input.shape()));
        }
        INDArray z = input.mulRowVector(weights.reshape(1, width));
        boolean hasBias = base.paramTable().containsKey(DefaultParamInitializer.BIAS_KEY);
        if (hasBias) {
            z.addiRowVector(base.getParam(DefaultParamInitializer.BIAS_KEY).reshape(1, width));
        }
        org.deeplearning4j.nn.conf.layers.BaseLayer conf = (org.deeplearning4j.nn.conf.layers.BaseLayer) layer.conf().getLayer();
        INDArray delta = conf.getActivationFn().backprop(z, outputGradient.castTo(dataType)).getFirst();
        if (layer.getMaskArray() != null) {
            delta.muliColumnVector(layer.getMaskArray().castTo(dataType));
        }
        INDArray inputGradient = null;
        if (needInputGradient) {
            inputGradient = delta.mulRowVector(weights.reshape(1, width));
            LayerState.backpropDropout(layer, inputGradient);
        }
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        List<INDArray> perExample = new ArrayList<>(List.of(delta.mul(input)));
        List<INDArray> targets = new ArrayList<>(List.of(views.get(DefaultParamInitializer.WEIGHT_KEY)));
        if (hasBias) {
            perExample.add(delta);
            targets.add(views.get(DefaultParamInitializer.BIAS_KEY));
        }
        return new MaterialisedGradients(perExample, targets, inputGradient);
    }
}
