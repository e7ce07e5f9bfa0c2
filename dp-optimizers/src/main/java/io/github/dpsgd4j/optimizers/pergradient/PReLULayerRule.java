package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.feedforward.PReLU;
import org.deeplearning4j.nn.params.PReLUParamInitializer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationPReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DL4J's {@code PReLULayer}: {@code y = x} where {@code x >= 0}, {@code alpha * x} where
 * {@code x < 0}, with the learned slopes alpha shaped like one example's input except along the
 * shared axes (size 1 there, broadcast).
 *
 * <p>Example i's slope gradient is {@code sum over the shared axes of eps_i * x_i * [x_i < 0]}
 * (eps = dL/dy): one value per slope, at most one example's activation count, so it is materialised
 * ({@link MaterialisedGradients}). The input gradient is DL4J's own ({@code ActivationPReLU.backprop},
 * which is row-wise).
 */
public final class PReLULayerRule implements LayerRule {

    /** Exactly DL4J's {@code PReLU} layer. */
    @Override
    public LayerSupport supports(Layer layer) {
        return layer.getClass() == PReLU.class ? LayerSupport.supported() : LayerSupport.notHandled();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        INDArray alpha = layer.getParam(PReLUParamInitializer.WEIGHT_KEY);
        DataType dataType = alpha.dataType();
        INDArray input = LayerState.input(layer, dataType);
        INDArray epsilon = outputGradient.castTo(dataType);
        long batch = input.size(0);
        long[] alphaShape = alpha.shape();
        if (input.rank() != alphaShape.length + 1) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " has slopes "
                    + java.util.Arrays.toString(alphaShape) + " for input " + java.util.Arrays.toString(input.shape()));
        }
        // eps * x where x < 0, else 0; summed over the axes the slopes are shared along.
        INDArray perPosition = epsilon.mul(input).muli(input.lt(0).castTo(dataType));
        List<Integer> shared = new ArrayList<>();
        for (int d = 0; d < alphaShape.length; d++) {
            if (alphaShape[d] == 1 && input.size(d + 1) != 1) {
                shared.add(d + 1);
            }
        }
        INDArray perExampleAlpha = shared.isEmpty() ? perPosition
                : perPosition.sum(true, shared.stream().mapToInt(Integer::intValue).toArray());
        perExampleAlpha = perExampleAlpha.reshape('c', batch, alpha.length());

        INDArray inputGradient = null;
        if (needInputGradient) {
            long[] axes = ((org.deeplearning4j.nn.conf.layers.PReLULayer) layer.conf().getLayer()).getSharedAxes();
            Pair<INDArray, INDArray> backprop = new ActivationPReLU(alpha, axes).backprop(input.dup(), epsilon.dup());
            inputGradient = backprop.getFirst();
            LayerState.backpropDropout(layer, inputGradient);
        }
        Map<String, INDArray> views = LayerState.gradientViews(layer);
        return new MaterialisedGradients(List.of(perExampleAlpha), List.of(views.get(PReLUParamInitializer.WEIGHT_KEY)),
                inputGradient);
    }
}
