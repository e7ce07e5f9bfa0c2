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

    /**
     * How much DL4J 1.0.0-M2.1's SameDiff layers ({@code org.deeplearning4j.nn.layers.samediff.SameDiffLayer},
     * e.g. the attention layers) scale the gradient of their own forward pass in {@code backpropGradient}:
     * their parameter and input gradients come out exactly twice the finite-difference gradient, and
     * {@code fit()} trains on them (seen for SelfAttentionLayer, RecurrentAttentionLayer, LocallyConnected1D and
     * LocallyConnected2D). The rules for these layers reproduce it, so that a private step equals
     * {@code fit()} and the per-example norms are those of the gradients actually summed; clipping and
     * noise are then exact for these gradients, so the guarantee is unchanged.
     */
    static final double SAME_DIFF_GRADIENT_SCALE = 2.0;

    /**
     * The gradient a DL4J SameDiff layer's backward pass starts from: {@code outputGradient} in
     * {@code type} times {@link #SAME_DIFF_GRADIENT_SCALE}, as a new array.
     */
    static INDArray sameDiffOutputGradient(INDArray outputGradient, DataType type) {
        return outputGradient.castTo(type).mul(SAME_DIFF_GRADIENT_SCALE);
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
