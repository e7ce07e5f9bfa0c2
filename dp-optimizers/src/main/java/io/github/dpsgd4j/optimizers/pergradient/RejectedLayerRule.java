package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Refuses layers that cannot be trained privately, with what to do instead; says nothing about
 * any other layer. First in {@link LayerRules#defaults()}.
 * <ul>
 *   <li>{@code BatchNormalization}, unless wrapped in a {@code FrozenLayer} (which runs it in
 *       inference mode on its stored statistics, example by example, and never updates it):
 *       training mode mixes the examples of a batch, and its running statistics are updated from
 *       the data without clipping or noise. Inside {@code FrozenLayerWithBackprop} it is refused
 *       too: DL4J backpropagates through it with the training-mode formula (batch mixing).</li>
 *   <li>{@code CenterLossOutputLayer}: class centres are updated from the data without noise.</li>
 *   <li>pretraining layers ({@code AutoEncoder}, {@code VariationalAutoencoder}: every layer whose
 *       DL4J layer says {@code isPretrainLayer()}): they exist to be fitted layer-wise without
 *       labels ({@code net.pretrain}), which dpsgd4j does not make private, and in supervised training
 *       their decoder parameters get no gradient at all. Frozen ones (FrozenLayer,
 *       FrozenLayerWithBackprop) are not trained and are accepted.</li>
 *   <li>gradient normalisation other than {@code None}: it acts on the batch gradient.</li>
 *   <li>weight noise / DropConnect: weights are redrawn between the forward pass and the
 *       per-example gradient computation.</li>
 * </ul>
 */
public final class RejectedLayerRule implements LayerRule {

    @Override
    public LayerSupport supports(Layer layer) {
        if (layer instanceof org.deeplearning4j.nn.layers.FrozenLayer) {
            // Runs its layer in inference mode (batch normalisation on stored statistics, example by
            // example) and is never updated: nothing to refuse.
            return LayerSupport.notHandled();
        }
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf() == null ? null : layer.conf().getLayer();
        String where = "layer " + LayerRules.describe(layer);
        boolean withBackprop = layer instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
        if (conf instanceof FrozenLayerWithBackprop wrapper) {
            conf = wrapper.getUnderlying();
            withBackprop = true;
        }
        if (withBackprop) {
            where += " (inside FrozenLayerWithBackprop)";
            if (conf instanceof BatchNormalization) {
                return LayerSupport.rejected(where + " is BatchNormalization: DL4J backpropagates through it with "
                        + "batch statistics, which mixes the examples of a batch; wrap it in a FrozenLayer instead "
                        + "(TransferLearning setFeatureExtractor), which uses its stored statistics");
            }
        }
        if (conf instanceof BatchNormalization) {
            return LayerSupport.rejected(where + " is BatchNormalization, which mixes the examples of a batch "
                    + "(batch statistics) and updates its running mean and variance from the data without noise; "
                    + "remove it, or use DenseLayer.Builder().hasLayerNorm(true) (per-example layer normalisation), "
                    + "or normalise the inputs beforehand; a pretrained BatchNormalization may stay if frozen "
                    + "(FrozenLayer, e.g. TransferLearning setFeatureExtractor)");
        }
        if (conf instanceof CenterLossOutputLayer) {
            return LayerSupport.rejected(where + " is a CenterLossOutputLayer, whose class centres are updated "
                    + "from the data without clipping or noise; use an OutputLayer");
        }
        if (conf != null && !withBackprop && layer.isPretrainLayer()) {
            return LayerSupport.rejected(where + " is a pretraining layer (" + conf.getClass().getSimpleName()
                    + "), made to be fitted layer-wise without labels (pretrain), which dpsgd4j does not make "
                    + "private; use a DenseLayer of the same size (the encoder) for private supervised training, or "
                    + "pretrain it on public data and freeze it (FrozenLayer, e.g. TransferLearning "
                    + "setFeatureExtractor)");
        }
        if (conf instanceof BaseLayer base) {
            GradientNormalization normalization = base.getGradientNormalization();
            if (normalization != null && normalization != GradientNormalization.None) {
                return LayerSupport.rejected(where + " uses gradient normalization " + normalization + ", which "
                        + "acts on the batch gradient and bounds no single example; remove .gradientNormalization(...): "
                        + "dpsgd4j clips every example's gradient itself");
            }
            if (base.getWeightNoise() != null) {
                return LayerSupport.rejected(where + " uses weight noise / DropConnect (" + base.getWeightNoise()
                        + "), which redraws weights between the forward pass and the per-example gradient "
                        + "computation; remove .weightNoise(...) (use dropout instead)");
            }
        }
        return LayerSupport.notHandled();
    }

    /** Never called: this rule supports no layer. */
    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        throw new IllegalStateException("RejectedLayerRule supports no layer; " + LayerRules.describe(layer)
                + " was not resolved through LayerRules");
    }
}
