package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.optimizers.model.ModelAdapter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Checks on the driver, before anything is spent, that the training data's shapes fit the model:
 * as many features arrays as inputs and labels arrays as outputs, and an inference forward pass on
 * one all-zeros example of the data's feature shapes whose outputs have the labels' shapes. Uses
 * shapes only, never a value of the data.
 */
final class ModelDataCheck {

    private ModelDataCheck() {
    }

    /** @throws IllegalArgumentException naming the shapes and what to do */
    static void check(ModelAdapter adapter, SparkTrainingData data) {
        long[][] features = data.featureShapes();
        long[][] labels = data.labelShapes();
        if (features.length != adapter.inputCount() || labels.length != adapter.outputCount()) {
            throw new IllegalArgumentException("the data has " + features.length + " features and " + labels.length
                    + " labels arrays per example but the model has " + adapter.inputCount() + " inputs and "
                    + adapter.outputCount() + " outputs: give one array per input and per output (a MultiDataSet RDD "
                    + "for several)");
        }
        Model model = adapter.model();
        DataType type = adapter.gradientView().dataType();
        INDArray[] zeros = new INDArray[features.length];
        for (int i = 0; i < zeros.length; i++) {
            long[] shape = new long[features[i].length + 1];
            shape[0] = 1;
            System.arraycopy(features[i], 0, shape, 1, features[i].length);
            zeros[i] = Nd4j.zeros(type, shape);
        }
        INDArray[] outputs;
        try {
            outputs = model instanceof ComputationGraph g ? g.output(false, zeros)
                    : new INDArray[] {((MultiLayerNetwork) model).output(zeros[0], false)};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the data's examples (" + data.shapes() + ") do not fit the model's "
                    + "inputs: " + e.getMessage() + "; reshape the features or fix the model's input sizes", e);
        }
        for (int i = 0; i < outputs.length; i++) {
            long[] out = Arrays.copyOfRange(outputs[i].shape(), 1, outputs[i].rank());
            if (!Arrays.equals(out, labels[i])) {
                throw new IllegalArgumentException("labels " + i + " have shape " + Arrays.toString(labels[i])
                        + " per example but the model's output " + i + " has " + Arrays.toString(out) + ": give "
                        + "labels of the output's shape (e.g. one-hot over " + (out.length > 0 ? out[0] : 0)
                        + " classes)");
            }
        }
    }
}
