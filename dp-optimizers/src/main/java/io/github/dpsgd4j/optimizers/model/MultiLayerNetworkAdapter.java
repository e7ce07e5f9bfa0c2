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
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The {@link ModelAdapter} of a {@link MultiLayerNetwork}: a linear chain of layers.
 *
 * <p>Frozen layers as {@code fit()} treats them: DL4J's backward pass stops at the topmost
 * {@code FrozenLayer}, so it and every layer below are not trained; a
 * {@code FrozenLayerWithBackprop} passes gradients through but its own are zeroed.
 */
public final class MultiLayerNetworkAdapter extends Dl4jModelAdapter {

    private final MultiLayerNetwork net;
    private final Layer[] layers;
    private final LayerRule[] rules;
    private final List<String> withoutRule;
    /** Index of the lowest layer that receives gradients (above the topmost {@link FrozenLayer}). */
    private final int firstTrainable;
    private final List<long[]> trainableRanges;
    private final org.deeplearning4j.nn.api.Updater updater;

    /**
     * Validates {@code net} against the registry and prepares it (gradient view, updater).
     *
     * @param net   an initialised network ({@code net.init()})
     * @param rules the layer rules
     * @throws IllegalArgumentException   if the network is not initialised
     * @throws UnsupportedLayerException if a layer or the configuration cannot be trained privately
     */
    public MultiLayerNetworkAdapter(MultiLayerNetwork net, LayerRules rules) {
        if (net == null || rules == null) {
            throw new IllegalArgumentException("net and rules must not be null");
        }
        if (net.getLayers() == null || net.params() == null) {
            throw new IllegalArgumentException("network is not initialised: call net.init() before building the trainer");
        }
        refuseTruncatedBackprop(net.getLayerWiseConfigurations().getBackpropType());
        this.net = net;
        this.layers = net.getLayers();
        Layer output = layers[layers.length - 1];
        if (!(output instanceof IOutputLayer)) {
            throw new UnsupportedLayerException("the last layer (" + LayerRules.describe(output)
                    + ") is not an output layer; private training needs a loss: end the network with an OutputLayer");
        }
        int first = 0;
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] instanceof FrozenLayer) {
                first = i + 1;
            }
        }
        this.firstTrainable = first;
        this.rules = new LayerRule[layers.length];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            LayerRules.Resolution resolution = rules.resolve(layers[i]);
            if (resolution.support().kind() == LayerSupport.Kind.REJECTED) {
                throw new UnsupportedLayerException(resolution.support().reason());
            }
            boolean trainable = i >= firstTrainable && layers[i].numParams() > 0
                    && !(layers[i] instanceof FrozenLayerWithBackprop);
            boolean isOutput = i == layers.length - 1;
            if (trainable || isOutput) {
                this.rules[i] = resolution.rule();
                if (resolution.rule() == null) {
                    missing.add(LayerRules.describe(layers[i]) + (isOutput ? " as output layer" : "") + ": "
                            + resolution.support().reason());
                }
            }
        }
        this.withoutRule = List.copyOf(missing);
        if (net.getGradientsViewArray() == null) {
            net.initGradientsView();
        }
        this.trainableRanges = ranges();
        // Created here, outside any workspace: the updater allocates its persistent state now.
        this.updater = net.getUpdater();
    }

    private List<long[]> ranges() {
        List<long[]> ranges = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < layers.length; i++) {
            long n = layers[i].numParams();
            boolean trainable = i >= firstTrainable && !(layers[i] instanceof FrozenLayerWithBackprop);
            if (trainable && n > 0) {
                Ranges.append(ranges, offset, n);
            }
            offset += n;
        }
        return ranges;
    }

    @Override
    public Model model() {
        return net;
    }

    /** The network. */
    public MultiLayerNetwork network() {
        return net;
    }

    @Override
    public List<String> layersWithoutRule() {
        return withoutRule;
    }

    @Override
    public BackwardPass backward(Batch batch, LayerWorkspaceMgr workspaces) {
        int size = batch.size();
        synchroniseCounters();
        net.setLayerMaskArrays(batch.featuresMask(0), batch.labelsMask(0));
        INDArray activation = batch.features()[0];
        for (int i = 0; i < layers.length; i++) {
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
            if (pre != null) {
                activation = pre.preProcess(activation, size, workspaces);
            }
            activation = layers[i].activate(activation, true, workspaces);
        }
        ((IOutputLayer) layers[layers.length - 1]).setLabels(batch.labels()[0]);

        List<LayerBackward> backwards = new ArrayList<>();
        double summedLoss = Double.NaN;
        INDArray gradient = null;
        for (int i = layers.length - 1; i >= firstTrainable; i--) {
            boolean needInputGradient = i > firstTrainable;
            if (rules[i] != null) {
                LayerBackward backward = rules[i].backward(layers[i], gradient, needInputGradient);
                if (i == layers.length - 1) {
                    summedLoss = backward.summedLoss();
                }
                backwards.add(backward);
                gradient = backward.inputGradient();
            } else if (needInputGradient) {
                gradient = layers[i].backpropGradient(gradient, workspaces).getSecond();
            }
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
            if (needInputGradient && pre != null && gradient != null) {
                gradient = pre.backprop(gradient, size, workspaces);
            }
        }
        return new BackwardPass(backwards, summedLoss);
    }

    @Override
    Collection<TrainingListener> listeners() {
        return net.getListeners();
    }

    @Override
    void setExample(Batch example) {
        net.setInput(example.features()[0]);
        net.setLabels(example.labels()[0]);
        net.setLayerMaskArrays(example.featuresMask(0), example.labelsMask(0));
    }

    @Override
    void computeGradientAndScore() {
        net.computeGradientAndScore();
    }

    @Override
    double regularizationScore() {
        return net.calcRegularizationScore(true);
    }

    @Override
    void setScore(double score) {
        net.setScore(score);
    }

    @Override
    void runUpdater(INDArray view, int iteration, int epoch, LayerWorkspaceMgr workspaces) {
        updater.update(net, new DefaultGradient(view), iteration, epoch, 1, workspaces);
    }

    @Override
    void incrementEpochCount() {
        net.incrementEpochCount();
    }

    @Override
    List<long[]> rangesView() {
        return trainableRanges;
    }

    @Override
    public void clear() {
        net.clearLayerMaskArrays();
        for (Layer layer : layers) {
            layer.clear();
        }
        net.clear();
    }

    @Override
    public int inputCount() {
        return 1;
    }

    @Override
    public int outputCount() {
        return 1;
    }

    /** Sets every layer's iteration and epoch counters (used by dropout and schedules). */
    private void synchroniseCounters() {
        int iteration = net.getIterationCount();
        int epoch = net.getEpochCount();
        for (Layer layer : layers) {
            layer.setIterationCount(iteration);
            layer.setEpochCount(epoch);
        }
    }
}
