package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.transferlearning.TransferLearningHelper;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * A graph with a frozen feature extractor, split in two with DL4J's {@link TransferLearningHelper}:
 * the frozen part, run once per example to compute its features, and the head (the unfrozen layers
 * above it) as a graph of its own that takes those features as input.
 *
 * <p>Training the head privately on the features is the same mechanism as training the whole
 * graph privately with its extractor frozen: frozen layers run in inference mode (no dropout, stored
 * statistics), so an example's features are a fixed function of the example and the public
 * pretrained weights; every per-example gradient, its clipping and the noise involve the head's
 * parameters only; Poisson sampling draws from the same examples. What changes is the cost: the
 * frozen part runs once per example instead of once per example per sampled step
 * ({@code FineTuneRunTest} checks that both ways give the same head).
 *
 * <p>The head's parameters are copies: {@link #copyHeadIntoGraph()} writes them back into the whole graph.
 */
final class FrozenFeatures {

    /** Examples run through the frozen part at once (memory only). */
    private static final int CHUNK = 1000;

    private final ComputationGraph graph;
    private final TransferLearningHelper helper;

    /**
     * @param graph a single-input, single-output graph whose bottom part is frozen (as
     *              {@code TransferLearning.GraphBuilder.setFeatureExtractor} leaves it)
     * @throws IllegalArgumentException if no part of {@code graph} is frozen
     */
    FrozenFeatures(ComputationGraph graph) {
        this.graph = Checks.notNull("graph", graph);
        this.helper = new TransferLearningHelper(graph);
    }

    /** The unfrozen layers as a graph on the features, with the whole graph's current parameters (copies). */
    ComputationGraph head() {
        return helper.unfrozenGraph();
    }

    /** {@code data} with its features replaced by the frozen part's output; labels shared, not copied. */
    DataSet featurize(DataSet data) {
        Checks.notNull("data", data);
        int n = data.numExamples();
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < n; from += CHUNK) {
            INDArrayIndex rows = NDArrayIndex.interval(from, Math.min(n, from + CHUNK));
            DataSet chunk = new DataSet(data.getFeatures().get(rows), data.getLabels().get(rows));
            parts.add(helper.featurize(chunk).getFeatures().dup());
        }
        INDArray features = parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
        return new DataSet(features, data.getLabels());
    }

    /** Writes the head's parameters into the whole graph's layers of the same names. */
    void copyHeadIntoGraph() {
        for (GraphVertex v : head().getVertices()) {
            if (v.hasLayer() && v.numParams() > 0) {
                graph.getLayer(v.getVertexName()).setParams(v.getLayer().params());
            }
        }
    }
}
