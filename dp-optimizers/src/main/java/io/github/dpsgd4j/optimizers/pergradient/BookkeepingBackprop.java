package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.SpecifiedIndex;

import java.util.Arrays;
import java.util.List;

/**
 * One forward and one backward pass per micro-batch; per-example norms from {@link LayerRule}s and
 * clipped sums by book-keeping (Bu, Wang, Zha, Karypis 2023, "Differentially private optimization
 * on large model at small cost", arXiv:2210.00038). The forward pass runs each layer's own
 * {@code activate}, so dropout masks are drawn once and the backward pass uses exactly them.
 */
final class BookkeepingBackprop extends PrivateBackprop {

    private final LayerRule[] rules;
    private final StepWorkspace workspace = new StepWorkspace("DPSGD_MICROBATCH");

    BookkeepingBackprop(MultiLayerNetwork net, int firstTrainable, LayerRule[] rules) {
        super(net, firstTrainable);
        this.rules = rules.clone();
    }

    @Override
    public Strategy strategy() {
        return Strategy.BOOKKEEPING;
    }

    @Override
    public List<String> layersWithoutRule() {
        return List.of();
    }

    @Override
    public MicroBatchResult addClippedSum(INDArray features, INDArray labels, INDArray featuresMask,
                                          INDArray labelsMask, ClipRule clip, INDArray sum) {
        return pass(features, labels, featuresMask, labelsMask, clip, sum, true);
    }

    /**
     * One forward and backward pass. An example whose norm is not finite (skipped by the clip rule)
     * must not enter the weighted sums at all: its factor is 0, but 0 x NaN and 0 x infinity are NaN,
     * which would poison every parameter. When there is one, the pass is repeated on the other
     * examples alone (they are independent: no layer mixes examples), with their factors recomputed
     * but not counted again.
     */
    private MicroBatchResult pass(INDArray features, INDArray labels, INDArray featuresMask, INDArray labelsMask,
                                  ClipRule clip, INDArray sum, boolean first) {
        int batch = (int) features.size(0);
        int[] finite;
        double summedLoss;
        LayerWorkspaceMgr workspaces = workspace.layerWorkspaces();
        synchroniseCounters();
        net.setLayerMaskArrays(featuresMask, labelsMask);
        try (MemoryWorkspace scope = workspace.open()) {
            INDArray activation = features;
            for (int i = 0; i < layers.length; i++) {
                InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
                if (pre != null) {
                    activation = pre.preProcess(activation, batch, workspaces);
                }
                activation = layers[i].activate(activation, true, workspaces);
            }
            Layer output = layers[layers.length - 1];
            ((IOutputLayer) output).setLabels(labels);

            LayerBackward[] backwards = new LayerBackward[layers.length];
            INDArray gradient = null;
            for (int i = layers.length - 1; i >= firstTrainable; i--) {
                boolean needInputGradient = i > firstTrainable;
                if (rules[i] != null) {
                    backwards[i] = rules[i].backward(layers[i], gradient, needInputGradient);
                    gradient = backwards[i].inputGradient();
                } else if (needInputGradient) {
                    gradient = layers[i].backpropGradient(gradient, workspaces).getSecond();
                }
                InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
                if (needInputGradient && pre != null && gradient != null) {
                    gradient = pre.backprop(gradient, batch, workspaces);
                }
            }

            double[] squaredNorms = new double[batch];
            for (LayerBackward backward : backwards) {
                if (backward != null) {
                    backward.addSquaredNorms(squaredNorms);
                }
            }
            double[] factors = first ? clip.factors(squaredNorms) : clip.recountFree(squaredNorms);
            finite = finiteRows(squaredNorms);
            LayerBackward outputBackward = backwards[layers.length - 1];
            summedLoss = outputBackward == null ? Double.NaN : outputBackward.summedLoss();
            if (finite.length == batch) {
                INDArray view = net.getGradientsViewArray();
                view.assign(0);
                INDArray factorColumn = factorColumn(factors, view.dataType());
                for (LayerBackward backward : backwards) {
                    if (backward != null) {
                        backward.accumulateClippedSum(factorColumn);
                    }
                }
                sum.addi(view);
            }
        } finally {
            net.clearLayerMaskArrays();
            for (Layer layer : layers) {
                layer.clear();
            }
        }
        if (finite.length < batch) {
            // Some examples were skipped: sum the others alone. Their losses are the finite part.
            MicroBatchResult rest = finite.length == 0 ? null : pass(rows(features, finite), rows(labels, finite),
                    rows(featuresMask, finite), rows(labelsMask, finite), clip, sum, false);
            summedLoss = rest == null ? Double.NaN : rest.summedLoss();
        }
        return new MicroBatchResult(batch, summedLoss);
    }

    /** The indices of the finite entries. */
    private static int[] finiteRows(double[] squaredNorms) {
        int[] rows = new int[squaredNorms.length];
        int n = 0;
        for (int i = 0; i < squaredNorms.length; i++) {
            if (Double.isFinite(squaredNorms[i])) {
                rows[n++] = i;
            }
        }
        return Arrays.copyOf(rows, n);
    }

    /** A copy of the given examples (first dimension) of {@code array}; null stays null. */
    static INDArray rows(INDArray array, int[] rows) {
        if (array == null) {
            return null;
        }
        INDArrayIndex[] index = new INDArrayIndex[array.rank()];
        index[0] = new SpecifiedIndex(Arrays.stream(rows).asLongStream().toArray());
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        return array.get(index).dup();
    }

    /**
     * The factors as a [B, 1] column of the network's type; float factors are rounded toward zero so
     * that rounding never lets a clipped contribution exceed C.
     */
    static INDArray factorColumn(double[] factors, DataType dataType) {
        if (dataType == DataType.DOUBLE) {
            return Nd4j.createFromArray(factors).reshape(factors.length, 1);
        }
        float[] rounded = new float[factors.length];
        for (int i = 0; i < factors.length; i++) {
            rounded[i] = (float) roundedFactor(factors[i], DataType.FLOAT);
        }
        return Nd4j.createFromArray(rounded).castTo(dataType).reshape(factors.length, 1);
    }

    /** {@code factor} as the network's type represents it, rounded toward zero for float types. */
    static double roundedFactor(double factor, DataType dataType) {
        if (dataType == DataType.DOUBLE) {
            return factor;
        }
        float f = (float) factor;
        return f > factor ? Math.nextDown(f) : f;
    }
}
