package io.github.dpsgd4j.optimizers.model;

import io.github.dpsgd4j.core.clip.ClipFactors;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.pergradient.LayerBackward;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reference per-example gradients of a graph: one batch-of-one DL4J backward pass
 * ({@code ComputationGraph.computeGradientAndScore}) per example, and the checks that compare the
 * adapter and engine with them (1e-5 relative, double precision).
 */
final class GraphBruteForce {

    static final double TOLERANCE = 1e-5;

    private GraphBruteForce() {
    }

    /** Example i's full gradient, [1, P], by DL4J itself. */
    static INDArray[] gradients(ComputationGraph graph, Batch batch) {
        INDArray[] out = new INDArray[batch.size()];
        for (int i = 0; i < out.length; i++) {
            Batch one = batch.rows(new int[] {i});
            graph.setInputs(one.features());
            graph.setLabels(one.labels());
            graph.setLayerMaskArrays(one.featuresMasks(), one.labelsMasks());
            graph.computeGradientAndScore();
            out[i] = graph.getGradientsViewArray().dup();
        }
        graph.clearLayerMaskArrays();
        graph.clear();
        return out;
    }

    /**
     * Asserts that the engine's strategy is {@code expected}, that (for book-keeping) the rules'
     * per-example norms equal the brute-force norms, and that the clipped sum equals
     * {@code sum_i factor_i g_i} with a clipping norm that clips some examples and not others.
     */
    static void assertEquivalent(ComputationGraph graph, Batch batch, GradientEngine.Strategy expected, long seed) {
        ComputationGraphAdapter adapter = new ComputationGraphAdapter(graph, LayerRules.defaults());
        INDArray[] g = gradients(graph, batch);
        double[] norms = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            double n = g[i].norm2Number().doubleValue();
            norms[i] = n * n;
        }
        double[] sorted = norms.clone();
        Arrays.sort(sorted);
        double clip = Math.sqrt(sorted[sorted.length / 2]) * (0.5 + new Random(seed).nextDouble());
        INDArray expectedSum = g[0].mul(0);
        for (int i = 0; i < g.length; i++) {
            expectedSum.addi(g[i].mul(ClipFactors.factor(norms[i], clip)));
        }
        GradientEngine engine = new GradientEngine(adapter, clip, NonFiniteNormPolicy.FAIL);
        assertEquals(expected, engine.strategy(), adapter.layersWithoutRule().toString());
        if (expected == GradientEngine.Strategy.BOOKKEEPING) {
            double[] seen = new double[g.length];
            try {
                for (LayerBackward layer : adapter.backward(batch, LayerWorkspaceMgr.noWorkspaces()).layers()) {
                    layer.addSquaredNorms(seen);
                }
            } finally {
                adapter.clear();
            }
            for (int i = 0; i < g.length; i++) {
                assertEquals(norms[i], seen[i], TOLERANCE * Math.max(norms[i], 1e-12), "squared norm of example " + i);
            }
        }
        assertClose(expectedSum, engine.clippedSum(batch).sum());
    }

    static void assertClose(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        double scale = Math.max(expected.norm2Number().doubleValue(), 1e-12);
        double difference = expected.sub(actual).norm2Number().doubleValue();
        assertTrue(difference <= TOLERANCE * scale, "clipped sum differs by " + difference + " (scale " + scale + ")");
    }

    static INDArray gaussian(Random random, long... shape) {
        INDArray a = org.nd4j.linalg.factory.Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, random.nextGaussian());
        }
        return a;
    }

    static INDArray oneHot(Random random, int batch, int classes) {
        INDArray y = org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, batch, classes);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, random.nextInt(classes), 1.0);
        }
        return y;
    }

    /** A [B, T] mask whose example i keeps its first 1..T steps. */
    static INDArray prefixMask(Random random, int batch, int steps) {
        INDArray mask = org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, batch, steps);
        for (int i = 0; i < batch; i++) {
            int keep = 1 + random.nextInt(steps);
            for (int t = 0; t < keep; t++) {
                mask.putScalar(i, t, 1.0);
            }
        }
        return mask;
    }
}
