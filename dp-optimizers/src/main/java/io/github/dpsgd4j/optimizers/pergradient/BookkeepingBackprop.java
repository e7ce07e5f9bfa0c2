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
        int batch = (int) features.size(0);
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
            double[] factors = clip.factors(squaredNorms);
            INDArray view = net.getGradientsViewArray();
            view.assign(0);
            INDArray factorColumn = factorColumn(factors, view.dataType());
            for (LayerBackward backward : backwards) {
                if (backward != null) {
                    backward.accumulateClippedSum(factorColumn);
                }
            }
            sum.addi(view);
            LayerBackward outputBackward = backwards[layers.length - 1];
            return new MicroBatchResult(batch, outputBackward == null ? Double.NaN : outputBackward.summedLoss());
        } finally {
            net.clearLayerMaskArrays();
            for (Layer layer : layers) {
                layer.clear();
            }
        }
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
            float f = (float) factors[i];
            rounded[i] = f > factors[i] ? Math.nextDown(f) : f;
        }
        return Nd4j.createFromArray(rounded).castTo(dataType).reshape(factors.length, 1);
    }
}
