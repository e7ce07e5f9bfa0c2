package io.github.dpsgd4j.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;
import java.util.Map;

/**
 * The sizes of a model's flat input and output, read from its configuration, for checking rows of a
 * {@code Dataset<Row>} one by one. A size is known when the input reaches a dense or output layer
 * (directly, or through a flat-to-convolution preprocessor: height x width x channels) and when the
 * output is an {@code OutputLayer}; otherwise it is -1 and the driver's forward pass on one all-zeros
 * example ({@link ModelDataCheck}) is the check.
 *
 * @param inputs     the model's number of inputs
 * @param outputs    the model's number of outputs
 * @param inputSize  values per example of the (single) input, or -1 if unknown
 * @param outputSize values per example of the (single) output, or -1 if unknown
 */
record ModelSizes(int inputs, int outputs, long inputSize, long outputSize) {

    static ModelSizes of(Model model) {
        if (model instanceof MultiLayerNetwork net) {
            MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
            int last = conf.getConfs().size() - 1;
            return new ModelSizes(1, 1, inputSize(conf.getConf(0).getLayer(), conf.getInputPreProcess(0)),
                    outputSize(conf.getConf(last).getLayer()));
        }
        ComputationGraphConfiguration conf = ((ComputationGraph) model).getConfiguration();
        List<String> inputs = conf.getNetworkInputs();
        List<String> outputs = conf.getNetworkOutputs();
        Map<String, GraphVertex> vertices = conf.getVertices();
        long inputSize = -1;
        if (inputs.size() == 1) {
            for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
                if (e.getValue().contains(inputs.get(0))) {
                    long size = vertices.get(e.getKey()) instanceof LayerVertex v
                            ? inputSize(v.getLayerConf().getLayer(), v.getPreProcessor()) : -1;
                    if (size < 0 || (inputSize >= 0 && size != inputSize)) {
                        inputSize = -1; // some consumer does not tell, or they disagree: leave it to the forward pass
                        break;
                    }
                    inputSize = size;
                }
            }
        }
        long outputSize = outputs.size() == 1 && vertices.get(outputs.get(0)) instanceof LayerVertex v
                ? outputSize(v.getLayerConf().getLayer()) : -1;
        return new ModelSizes(inputs.size(), outputs.size(), inputSize, outputSize);
    }

    private static long inputSize(Layer layer, InputPreProcessor preProcessor) {
        if (preProcessor instanceof FeedForwardToCnnPreProcessor p) {
            return p.getInputHeight() * p.getInputWidth() * p.getNumChannels();
        }
        if (preProcessor == null && (layer instanceof DenseLayer || layer instanceof OutputLayer)) {
            long nIn = ((FeedForwardLayer) layer).getNIn();
            return nIn > 0 ? nIn : -1;
        }
        return -1;
    }

    private static long outputSize(Layer layer) {
        return layer instanceof OutputLayer o && o.getNOut() > 0 ? o.getNOut() : -1;
    }
}
