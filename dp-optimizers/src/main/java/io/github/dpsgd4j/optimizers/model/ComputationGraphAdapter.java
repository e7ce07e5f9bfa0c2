package io.github.dpsgd4j.optimizers.model;

import io.github.dpsgd4j.optimizers.UnsupportedLayerException;
import io.github.dpsgd4j.optimizers.pergradient.LayerBackward;
import io.github.dpsgd4j.optimizers.pergradient.LayerRule;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;
import io.github.dpsgd4j.optimizers.pergradient.LayerSupport;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
import org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The {@link ModelAdapter} of a {@link ComputationGraph}: several inputs and outputs, any of DL4J
 * 1.0.0-M2.1's vertices (see {@link GraphVertices} for which ones the book-keeping pass handles and
 * which need the exact per-example loop), masks per input and output, frozen parts.
 *
 * <p>Backward pass: reverse topological order; each vertex's output gradient is the sum over its
 * consumers; layers with a rule take part through the rule, other vertices through their own DL4J
 * {@code doBackward}. Every output layer contributes its loss (the losses are summed, as DL4J does).
 *
 * <p>Frozen parts exactly as {@code fit()}: a vertex holding a {@code FrozenLayer}, and a
 * {@code FrozenVertex}, are skipped in the backward pass (nothing below receives a gradient through
 * them; other paths still train the layers below), their parameters lie outside the trainable ranges
 * and get no noise; a {@code FrozenLayerWithBackprop} passes gradients through with its own zeroed.
 */
public final class ComputationGraphAdapter extends Dl4jModelAdapter {

    private final ComputationGraph graph;
    private final GraphVertex[] vertices;
    private final int[] order;
    private final LayerRule[] rules;
    private final boolean[] isOutput;
    /** For an output vertex, the number of its labels array; -1 otherwise. */
    private final int[] outputNumber;
    private final boolean[] frozen;
    /** Whether some vertex among the inputs of vertex v (transitively) has trainable parameters. */
    private final boolean[] needInputGradient;
    private final List<String> withoutRule;
    private final List<long[]> trainableRanges;
    private final org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater updater;

    /**
     * Validates {@code graph} against the registry and prepares it (gradient view, updater).
     *
     * @param graph an initialised graph ({@code graph.init()})
     * @param registry the layer rules
     * @throws IllegalArgumentException   if the graph is not initialised
     * @throws UnsupportedLayerException if a layer, vertex or the configuration cannot be trained privately
     */
    public ComputationGraphAdapter(ComputationGraph graph, LayerRules registry) {
        if (graph == null || registry == null) {
            throw new IllegalArgumentException("graph and rules must not be null");
        }
        if (graph.getVertices() == null || graph.getConfiguration() == null || graph.params() == null) {
            throw new IllegalArgumentException("graph is not initialised: call graph.init() before building the trainer");
        }
        refuseTruncatedBackprop(graph.getConfiguration().getBackpropType());
        this.graph = graph;
        this.vertices = graph.getVertices();
        this.order = graph.topologicalSortOrder();
        int n = vertices.length;
        this.rules = new LayerRule[n];
        this.isOutput = new boolean[n];
        this.outputNumber = new int[n];
        Arrays.fill(outputNumber, -1);
        this.frozen = new boolean[n];
        this.needInputGradient = new boolean[n];
        for (String name : graph.getConfiguration().getNetworkOutputs()) {
            GraphVertex v = graph.getVertex(name);
            if (!(v instanceof LayerVertex) || !(v.getLayer() instanceof IOutputLayer)) {
                throw new UnsupportedLayerException("graph output " + GraphVertices.describe(v) + " is not an output "
                        + "layer; private training needs a loss for every output: end each output with an OutputLayer "
                        + "(or another IOutputLayer)");
            }
            isOutput[v.getVertexIndex()] = true;
            outputNumber[v.getVertexIndex()] = graph.getConfiguration().getNetworkOutputs().indexOf(name);
        }
        List<String> missing = new ArrayList<>();
        boolean[] trainable = new boolean[n];
        boolean[] reach = new boolean[n];
        for (int idx : order) {
            GraphVertex v = vertices[idx];
            if (v.isInputVertex()) {
                continue;
            }
            Layer layer = v.hasLayer() ? v.getLayer() : null;
            frozen[idx] = v instanceof FrozenVertex || layer instanceof FrozenLayer;
            if (layer != null) {
                LayerRules.Resolution resolution = registry.resolve(layer);
                if (resolution.support().kind() == LayerSupport.Kind.REJECTED) {
                    throw new UnsupportedLayerException(resolution.support().reason());
                }
                trainable[idx] = !frozen[idx] && !(layer instanceof FrozenLayerWithBackprop) && layer.numParams() > 0;
                if (trainable[idx] || isOutput[idx]) {
                    rules[idx] = resolution.rule();
                    if (resolution.rule() == null) {
                        missing.add(GraphVertices.describe(v) + (isOutput[idx] ? " as output layer" : "") + ": "
                                + resolution.support().reason());
                    }
                }
            } else if (!frozen[idx]) {
                java.util.Optional<String> refusal = GraphVertices.refusal(v, graph.getConfiguration());
                if (refusal.isPresent()) {
                    throw new UnsupportedLayerException(refusal.get());
                }
                GraphVertices.notRowWise(v, graph.getConfiguration()).ifPresent(missing::add);
                // Vertices with parameters (attention, SameDiff) train through the exact loop.
                trainable[idx] = v.numParams() > 0;
            }
            boolean below = false;
            for (VertexIndices in : inputsOf(v)) {
                below |= reach[in.getVertexIndex()];
            }
            needInputGradient[idx] = below;
            reach[idx] = !frozen[idx] && (trainable[idx] || below);
        }
        this.withoutRule = List.copyOf(missing);
        if (graph.getGradientsViewArray() == null) {
            graph.initGradientsView();
        }
        this.trainableRanges = ranges(trainable);
        // Created here, outside any workspace: the updater allocates its persistent state now.
        this.updater = graph.getUpdater();
    }

    private static VertexIndices[] inputsOf(GraphVertex v) {
        VertexIndices[] in = v.getInputVertices();
        return in == null ? new VertexIndices[0] : in;
    }

    /** Parameters are flattened in topological order (ComputationGraph.init). */
    private List<long[]> ranges(boolean[] trainable) {
        List<long[]> ranges = new ArrayList<>();
        long offset = 0;
        for (int idx : order) {
            long n = vertices[idx].numParams();
            if (trainable[idx] && n > 0) {
                Ranges.append(ranges, offset, n);
            }
            offset += n;
        }
        if (offset != graph.params().length()) {
            throw new IllegalStateException("parameter layout of the graph (" + graph.params().length()
                    + " parameters) does not follow the topological order (" + offset + ")");
        }
        return ranges;
    }

    @Override
    public Model model() {
        return graph;
    }

    /** The graph. */
    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public List<String> layersWithoutRule() {
        return withoutRule;
    }

    private void setData(Batch batch) {
        graph.setInputs(batch.features());
        graph.setLabels(batch.labels());
        graph.setLayerMaskArrays(batch.featuresMasks(), batch.labelsMasks());
    }

    @Override
    public BackwardPass backward(Batch batch, LayerWorkspaceMgr workspaces) {
        int size = batch.size();
        synchroniseCounters();
        setData(batch);
        for (int idx : order) {
            GraphVertex v = vertices[idx];
            INDArray out = v.isInputVertex() ? batch.features()[idx] : v.doForward(true, workspaces);
            if (v instanceof ElementWiseVertex) {
                for (INDArray in : v.getInputs()) {
                    if (in.size(0) != size) {
                        throw new IllegalStateException(GraphVertices.describe(v) + " broadcasts an input of shape "
                                + Arrays.toString(in.shape()) + " over the " + size + " examples of the batch, which "
                                + "mixes examples in its gradient; give every input the batch's examples");
                    }
                }
            }
            VertexIndices[] outs = v.getOutputVertices();
            if (outs != null) {
                for (VertexIndices o : outs) {
                    vertices[o.getVertexIndex()].setInput(o.getVertexEdgeNumber(), out, workspaces);
                }
            }
        }

        INDArray[] epsilons = new INDArray[vertices.length];
        List<LayerBackward> backwards = new ArrayList<>();
        double summedLoss = 0;
        for (int i = order.length - 1; i >= 0; i--) {
            int idx = order[i];
            GraphVertex v = vertices[idx];
            if (v.isInputVertex() || frozen[idx] || (!isOutput[idx] && epsilons[idx] == null)) {
                continue; // frozen parts stop the gradient, as in fit(); nothing reaches unconnected vertices
            }
            INDArray[] inputGradients;
            if (isOutput[idx]) {
                ((IOutputLayer) v.getLayer()).setLabels(batch.labels()[outputNumber[idx]]);
            }
            if (rules[idx] != null) {
                LayerBackward backward = rules[idx].backward(v.getLayer(), epsilons[idx], needInputGradient[idx]);
                backwards.add(backward);
                if (isOutput[idx]) {
                    summedLoss += backward.summedLoss();
                }
                INDArray g = backward.inputGradient();
                InputPreProcessor pre = ((LayerVertex) v).getLayerPreProcessor();
                if (g != null && pre != null) {
                    g = pre.backprop(g, size, workspaces);
                }
                inputGradients = new INDArray[] {g};
            } else {
                if (!needInputGradient[idx]) {
                    continue;
                }
                v.setEpsilon(epsilons[idx]);
                inputGradients = v.doBackward(false, workspaces).getSecond();
            }
            VertexIndices[] ins = inputsOf(v);
            for (int j = 0; j < ins.length && j < inputGradients.length; j++) {
                INDArray g = inputGradients[j];
                int source = ins[j].getVertexIndex();
                if (g != null && !vertices[source].isInputVertex()) {
                    epsilons[source] = epsilons[source] == null ? g : epsilons[source].add(g);
                }
            }
        }
        return new BackwardPass(backwards, summedLoss);
    }

    @Override
    Collection<TrainingListener> listeners() {
        return graph.getListeners();
    }

    @Override
    void setExample(Batch example) {
        setData(example);
    }

    @Override
    void computeGradientAndScore() {
        graph.computeGradientAndScore();
    }

    @Override
    double regularizationScore() {
        return graph.calcRegularizationScore(true);
    }

    @Override
    void setScore(double score) {
        graph.setScore(score);
    }

    @Override
    void runUpdater(INDArray view, int iteration, int epoch, LayerWorkspaceMgr workspaces) {
        updater.update(new DefaultGradient(view), iteration, epoch, 1, workspaces);
    }

    @Override
    void incrementEpochCount() {
        graph.incrementEpochCount();
    }

    @Override
    List<long[]> rangesView() {
        return trainableRanges;
    }

    @Override
    public void clear() {
        graph.clearLayerMaskArrays();
        for (GraphVertex v : vertices) {
            v.clear();
        }
        graph.clear();
    }

    @Override
    public int inputCount() {
        return graph.getNumInputArrays();
    }

    @Override
    public int outputCount() {
        return graph.getNumOutputArrays();
    }

    @Override
    public void checkData(ExampleSet data) {
        super.checkData(data);
        List<String> outputs = graph.getConfiguration().getNetworkOutputs();
        for (int k = 0; k < outputs.size(); k++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = graph.getVertex(outputs.get(k)).getLayer().conf().getLayer();
            long[] shape = data.labelShape(k);
            if (conf instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff && shape.length == 1
                    && ff.getNOut() > 0 && shape[0] != ff.getNOut()) {
                throw new IllegalArgumentException("labels " + k + " (for output \"" + outputs.get(k) + "\") have "
                        + shape[0] + " columns but the output layer has nOut = " + ff.getNOut()
                        + "; give labels in the order of the graph's outputs " + outputs);
            }
        }
    }

    private void synchroniseCounters() {
        int iteration = graph.getIterationCount();
        int epoch = graph.getEpochCount();
        for (Layer layer : graph.getLayers()) {
            layer.setIterationCount(iteration);
            layer.setEpochCount(epoch);
        }
    }
}
