package io.github.dpsgd4j.optimizers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Checks, before training starts, that a network can be trained privately, and says what to
 * change when it cannot.
 */
final class NetworkValidation {

    private NetworkValidation() {
    }

    static void validate(MultiLayerNetwork net) {
        if (net.getLayers() == null || net.params() == null) {
            throw new IllegalArgumentException("network is not initialised: call net.init() before building the trainer");
        }
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        if (conf.getBackpropType() == BackpropType.TruncatedBPTT) {
            throw new UnsupportedLayerException("truncated backpropagation through time splits an example's "
                    + "gradient over several updates, so one example's clipped contribution is no longer bounded; "
                    + "use .backpropType(BackpropType.Standard)");
        }
        Layer[] layers = net.getLayers();
        if (!(layers[layers.length - 1] instanceof IOutputLayer)) {
            throw new UnsupportedLayerException("the last layer (" + describe(layers[layers.length - 1])
                    + ") is not an output layer; private training needs a loss: end the network with an OutputLayer");
        }
        for (Layer layer : layers) {
            org.deeplearning4j.nn.conf.layers.Layer layerConf = layer.conf().getLayer();
            if (layerConf instanceof BatchNormalization) {
                throw new UnsupportedLayerException("layer " + describe(layer) + " is BatchNormalization, which "
                        + "mixes the examples of a batch (batch statistics) and updates its running mean and variance "
                        + "from the data without noise; remove it, or use DenseLayer.Builder().hasLayerNorm(true) "
                        + "(per-example layer normalisation) or normalise the inputs beforehand");
            }
            if (layerConf instanceof CenterLossOutputLayer) {
                throw new UnsupportedLayerException("layer " + describe(layer) + " is a CenterLossOutputLayer, whose "
                        + "class centres are updated from the data without clipping or noise; use an OutputLayer");
            }
            if (layerConf instanceof BaseLayer base) {
                GradientNormalization normalization = base.getGradientNormalization();
                if (normalization != null && normalization != GradientNormalization.None) {
                    throw new UnsupportedLayerException("layer " + describe(layer) + " uses gradient normalization "
                            + normalization + ", which acts on the batch gradient and bounds no single example; "
                            + "remove .gradientNormalization(...): dpsgd4j clips every example's gradient itself");
                }
                if (base.getWeightNoise() != null) {
                    throw new UnsupportedLayerException("layer " + describe(layer) + " uses weight noise / DropConnect ("
                            + base.getWeightNoise() + "), which redraws weights between the forward pass and the "
                            + "per-example gradient computation; remove .weightNoise(...) (use dropout instead)");
                }
            }
        }
    }

    static String describe(Layer layer) {
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        String name = conf.getLayerName();
        return "index " + layer.getIndex() + " (" + conf.getClass().getSimpleName()
                + (name == null ? "" : " \"" + name + "\"") + ")";
    }
}
