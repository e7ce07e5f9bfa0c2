package io.github.dpsgd4j.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.Serial;
import java.io.Serializable;
import java.util.UUID;

/**
 * What an executor needs to build its local copy of the driver's model: the DL4J configuration as
 * JSON (layers, frozen parts, data type) and the run's identity (executors keep one model per run and
 * thread, see {@link ExecutorModels}). No parameters, no updater state: the parameters arrive with
 * each step's broadcast and the updater lives on the driver only.
 *
 * @param graph             whether the model is a {@code ComputationGraph} (else a {@code MultiLayerNetwork})
 * @param configurationJson the model's configuration ({@code toJson()})
 * @param runId             a random identity of the training run
 */
record ModelBlueprint(boolean graph, String configurationJson, String runId) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The blueprint of {@code model}, with a fresh run identity. */
    static ModelBlueprint of(Model model) {
        String id = UUID.randomUUID().toString();
        if (model instanceof ComputationGraph g) {
            return new ModelBlueprint(true, g.getConfiguration().toJson(), id);
        }
        if (model instanceof MultiLayerNetwork n) {
            return new ModelBlueprint(false, n.getLayerWiseConfigurations().toJson(), id);
        }
        throw new IllegalArgumentException("model must be a MultiLayerNetwork or a ComputationGraph, got "
                + (model == null ? "null" : model.getClass().getName()));
    }

    /** A new, initialised model of this configuration (its initial parameters are overwritten per step). */
    Model build() {
        if (graph) {
            ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(configurationJson));
            g.init();
            return g;
        }
        MultiLayerNetwork n = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
        n.init();
        return n;
    }
}
