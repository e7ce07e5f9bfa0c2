package io.github.dpsgd4j.optimizers.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
import org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex;
import org.deeplearning4j.nn.graph.vertex.impl.InputVertex;
import org.deeplearning4j.nn.graph.vertex.impl.L2NormalizeVertex;
import org.deeplearning4j.nn.graph.vertex.impl.L2Vertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.graph.vertex.impl.MergeVertex;
import org.deeplearning4j.nn.graph.vertex.impl.PoolHelperVertex;
import org.deeplearning4j.nn.graph.vertex.impl.PreprocessorVertex;
import org.deeplearning4j.nn.graph.vertex.impl.ReshapeVertex;
import org.deeplearning4j.nn.graph.vertex.impl.ScaleVertex;
import org.deeplearning4j.nn.graph.vertex.impl.ShiftVertex;
import org.deeplearning4j.nn.graph.vertex.impl.StackVertex;
import org.deeplearning4j.nn.graph.vertex.impl.SubsetVertex;
import org.deeplearning4j.nn.graph.vertex.impl.UnstackVertex;
import org.deeplearning4j.nn.graph.vertex.impl.rnn.DuplicateToTimeSeriesVertex;
import org.deeplearning4j.nn.graph.vertex.impl.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.graph.vertex.impl.rnn.ReverseTimeSeriesVertex;

import java.util.Optional;
import java.util.Set;

/**
 * What the book-keeping backward pass may assume about DL4J 1.0.0-M2.1's parameter-free graph
 * vertices: whether row i of the vertex's output depends on example i only ("row-wise"), so that
 * every layer above and below still holds example i in row i.
 *
 * <p>Row-wise: Merge, ElementWise (Add, Subtract, Product, Average, Max; inputs of equal batch
 * size, checked on every pass), Subset, Preprocessor, Scale, Shift, L2, L2Normalize (over
 * dimensions other than 0), PoolHelper, LastTimeStep, DuplicateToTimeSeries, ReverseTimeSeries,
 * Reshape with {@code -1} as its first dimension and 'c' order. Not row-wise: Stack and Unstack
 * (an example occupies rows i, B+i, ... of the layers after a stack): the exact per-example loop
 * is used, where a batch of one keeps every row of an example together. Vertices with parameters
 * (SameDiff, attention) and unknown vertex types also use the loop. Reshape with a fixed first
 * dimension is refused: Poisson-sampled batches vary in size.
 */
final class GraphVertices {

    private static final Set<Class<? extends GraphVertex>> ROW_WISE = Set.of(InputVertex.class, LayerVertex.class,
            MergeVertex.class, ElementWiseVertex.class, SubsetVertex.class, PreprocessorVertex.class, ScaleVertex.class,
            ShiftVertex.class, L2Vertex.class, PoolHelperVertex.class, LastTimeStepVertex.class,
            DuplicateToTimeSeriesVertex.class, ReverseTimeSeriesVertex.class, FrozenVertex.class);

    private GraphVertices() {
    }

    /** Why the book-keeping pass cannot handle {@code vertex} (a non-layer vertex), if it cannot. */
    static Optional<String> notRowWise(GraphVertex vertex, ComputationGraphConfiguration conf) {
        String name = describe(vertex);
        if (vertex.numParams() > 0 && !(vertex instanceof LayerVertex)) {
            return Optional.of(name + " has parameters but no per-example rule");
        }
        if (vertex instanceof StackVertex || vertex instanceof UnstackVertex) {
            return Optional.of(name + " moves examples along the minibatch dimension, so one example spans several "
                    + "rows of the layers after it");
        }
        if (vertex instanceof ReshapeVertex) {
            org.deeplearning4j.nn.conf.graph.ReshapeVertex c =
                    (org.deeplearning4j.nn.conf.graph.ReshapeVertex) conf.getVertices().get(vertex.getVertexName());
            if (c.getReshapeOrder() != 'c') {
                return Optional.of(name + " reshapes in order '" + c.getReshapeOrder() + "'; only 'c' order keeps "
                        + "examples in their rows");
            }
            return Optional.empty();
        }
        if (vertex instanceof L2NormalizeVertex) {
            org.deeplearning4j.nn.conf.graph.L2NormalizeVertex c =
                    (org.deeplearning4j.nn.conf.graph.L2NormalizeVertex) conf.getVertices().get(vertex.getVertexName());
            int[] dims = c.getDimension();
            if (dims != null) {
                for (int d : dims) {
                    if (d == 0) {
                        return Optional.of(name + " normalises over dimension 0, across the examples of a batch");
                    }
                }
            }
            return Optional.empty();
        }
        if (!ROW_WISE.contains(vertex.getClass())) {
            return Optional.of(name + " is a vertex type without a known per-example behaviour");
        }
        return Optional.empty();
    }

    /**
     * Why {@code vertex} cannot be trained privately at all, if it cannot: a ReshapeVertex with a
     * fixed first (example) dimension fails on the varying batch sizes of Poisson sampling (and on
     * the exact loop's batches of one).
     */
    static Optional<String> refusal(GraphVertex vertex, ComputationGraphConfiguration conf) {
        if (vertex instanceof ReshapeVertex) {
            org.deeplearning4j.nn.conf.graph.ReshapeVertex c =
                    (org.deeplearning4j.nn.conf.graph.ReshapeVertex) conf.getVertices().get(vertex.getVertexName());
            if (c.getNewShape().length == 0 || c.getNewShape()[0] != -1) {
                return Optional.of(describe(vertex) + " reshapes to " + java.util.Arrays.toString(c.getNewShape())
                        + ", a fixed number of examples; Poisson-sampled batches vary in size: use -1 as the first "
                        + "dimension (new ReshapeVertex(-1, ...))");
            }
        }
        return Optional.empty();
    }

    /** {@code vertex "merge" (MergeVertex)} for messages. */
    static String describe(GraphVertex vertex) {
        return "vertex \"" + vertex.getVertexName() + "\" (" + vertex.getClass().getSimpleName() + ")";
    }
}
