package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** Small accessors on a DL4J layer's state that the rules share. */
final class LayerState {

    private LayerState() {
    }

    /** The per-parameter views into the layer's flat gradient array, keyed by parameter name. */
    static Map<String, INDArray> gradientViews(Layer layer) {
        INDArray flat = layer.getGradientsViewArray();
        if (flat == null) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " has no gradient view; "
                    + "call MultiLayerNetwork.initGradientsView() (done by the trainer) first");
        }
        return layer.conf().getLayer().initializer().getGradientsFromFlattened(layer.conf(), flat);
    }

    /** The layer's post-dropout input from the last training forward pass, in the layer's data type. */
    static INDArray input(Layer layer, DataType dataType) {
        INDArray input = layer.input();
        if (input == null) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer)
                    + " has no input: run a training forward pass before the private backward pass");
        }
        return input.castTo(dataType);
    }

    /** Backpropagates {@code gradient} through the layer's input dropout (in place), if it has one. */
    static INDArray backpropDropout(Layer layer, INDArray gradient) {
        if (gradient != null && layer.conf().getLayer() instanceof BaseLayer conf) {
            IDropout dropout = conf.getIDropout();
            if (dropout != null) {
                dropout.backprop(gradient, gradient, layer.getIterationCount(), layer.getEpochCount());
            }
        }
        return gradient;
    }

    /**
     * A c-order reshape of a gradient view that shares its memory (so writes reach the network's
     * flat gradient); fails loudly rather than silently writing into a copy.
     */
    static INDArray reshapeView(INDArray view, long... shape) {
        INDArray reshaped = org.nd4j.linalg.api.shape.Shape.newShapeNoCopy(view, shape, false);
        if (reshaped == null) {
            throw new IllegalStateException("gradient view " + java.util.Arrays.toString(view.shape())
                    + " cannot be reshaped to " + java.util.Arrays.toString(shape) + " without a copy");
        }
        return reshaped;
    }

    /** The L2 norm of every row of a [B, n] array, accumulated in double precision. */
    static double[] rowNorms(INDArray rows) {
        return rows.castTo(DataType.DOUBLE).norm2(1).toDoubleVector();
    }

    /** {@code view += value}, with value reshaped to the view's shape (bias views are rank 1). */
    static void addInto(INDArray view, INDArray value) {
        view.addi(value.reshape(view.shape()));
    }
}
