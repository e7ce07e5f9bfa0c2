package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingLayer;
import org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A private backward pass over a {@link MultiLayerNetwork}: for a micro-batch, each example's
 * gradient is clipped and the clipped gradients are summed, without ever holding all per-example
 * gradients of the network at once.
 *
 * <p>{@link #forNetwork} picks the engine:
 * <ul>
 *   <li>{@link Strategy#BOOKKEEPING} when every layer with trainable parameters has a
 *       {@link LayerRule} (dense, output, 2D convolution, embedding layers) and every other layer
 *       has no parameters (pooling, dropout, activation, global pooling, preprocessors): one forward
 *       and one backward pass, per-example norms from layer rules, clipped sums from the kept
 *       activations and output gradients;</li>
 *   <li>{@link Strategy#PER_EXAMPLE_LOOP} otherwise (LSTM and any other parameterised layer without
 *       a rule): an exact batch-of-one backward pass per example through DL4J itself, about as
 *       slow as training with batch size 1.</li>
 * </ul>
 * Layers that mix examples (batch normalisation) must be rejected before this class is used.
 *
 * <p>Not thread-safe: it drives the network's own layer state.
 */
public abstract sealed class PrivateBackprop permits BookkeepingBackprop, PerExampleLoopBackprop {

    /** How per-example clipping is computed. */
    public enum Strategy {
        /** Per-example norms by layer rules, clipped sums by book-keeping: one backward pass. */
        BOOKKEEPING,
        /** Exact batch-of-one backward passes through DL4J, one per example. */
        PER_EXAMPLE_LOOP
    }

    static final Map<Class<? extends Layer>, LayerRule> RULES = Map.of(
            DenseLayer.class, new DenseLayerRule(),
            org.deeplearning4j.nn.layers.OutputLayer.class, new DenseLayerRule(),
            ConvolutionLayer.class, new ConvolutionLayerRule(),
            EmbeddingLayer.class, new EmbeddingLayerRule(),
            EmbeddingSequenceLayer.class, new EmbeddingSequenceLayerRule());

    final MultiLayerNetwork net;
    final Layer[] layers;
    /** Index of the lowest layer that receives gradients (above the topmost {@link FrozenLayer}). */
    final int firstTrainable;
    /** [start, end) ranges of the flat parameter vector that training updates. */
    private final List<long[]> trainableRanges;

    PrivateBackprop(MultiLayerNetwork net, int firstTrainable) {
        this.net = net;
        this.layers = net.getLayers();
        this.firstTrainable = firstTrainable;
        this.trainableRanges = trainableRanges(layers, firstTrainable);
    }

    /** Chooses the engine for {@code net} (initialised; validated by the caller). */
    public static PrivateBackprop forNetwork(MultiLayerNetwork net) {
        return forNetwork(net, RULES);
    }

    /** As {@link #forNetwork(MultiLayerNetwork)}, with the rules looked up in {@code rules} (by exact layer class). */
    static PrivateBackprop forNetwork(MultiLayerNetwork net, Map<Class<? extends Layer>, LayerRule> ruleTable) {
        Layer[] layers = net.getLayers();
        int firstTrainable = 0;
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] instanceof FrozenLayer) {
                firstTrainable = i + 1;
            }
        }
        LayerRule[] rules = new LayerRule[layers.length];
        List<String> withoutRule = new ArrayList<>();
        for (int i = firstTrainable; i < layers.length; i++) {
            Layer layer = layers[i];
            if (layer.numParams() == 0 || layer instanceof FrozenLayerWithBackprop) {
                continue;
            }
            LayerRule rule = ruleFor(layer, ruleTable);
            if (rule == null) {
                withoutRule.add(LayerState.describe(layer));
            }
            rules[i] = rule;
        }
        Layer output = layers[layers.length - 1];
        if (output.getClass() != org.deeplearning4j.nn.layers.OutputLayer.class) {
            withoutRule.add(LayerState.describe(output) + " as output layer");
        }
        if (withoutRule.isEmpty()) {
            return new BookkeepingBackprop(net, firstTrainable, rules);
        }
        return new PerExampleLoopBackprop(net, firstTrainable, List.copyOf(withoutRule));
    }

    private static LayerRule ruleFor(Layer layer, Map<Class<? extends Layer>, LayerRule> rules) {
        LayerRule rule = rules.get(layer.getClass());
        if (rule == null) {
            return null;
        }
        if (layer instanceof org.deeplearning4j.nn.layers.BaseLayer<?> base && base.hasLayerNorm()) {
            return null;
        }
        if (layer instanceof ConvolutionLayer
                && ((org.deeplearning4j.nn.conf.layers.BaseLayer) layer.conf().getLayer()).getActivationFn()
                instanceof ActivationSoftmax) {
            return null; // softmax over a feature map is not element-wise
        }
        return rule;
    }

    private static List<long[]> trainableRanges(Layer[] layers, int firstTrainable) {
        List<long[]> ranges = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < layers.length; i++) {
            long n = layers[i].numParams();
            boolean trainable = i >= firstTrainable && !(layers[i] instanceof FrozenLayerWithBackprop);
            if (trainable && n > 0) {
                if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == offset) {
                    ranges.get(ranges.size() - 1)[1] = offset + n;
                } else {
                    ranges.add(new long[] {offset, offset + n});
                }
            }
            offset += n;
        }
        return ranges;
    }

    /** Which engine this is. */
    public abstract Strategy strategy();

    /**
     * Human-readable reasons why the exact per-example loop is used (layers without a rule);
     * empty for {@link Strategy#BOOKKEEPING}.
     */
    public abstract List<String> layersWithoutRule();

    /**
     * The [start, end) ranges of the flat parameter vector that training updates; noise goes
     * exactly there. Frozen layers lie outside. Unmodifiable; each range is a fresh copy.
     */
    public List<long[]> trainableRanges() {
        List<long[]> copy = new ArrayList<>(trainableRanges.size());
        for (long[] r : trainableRanges) {
            copy.add(r.clone());
        }
        return copy;
    }

    /**
     * Runs a training forward pass and a private backward pass over one micro-batch, clips every
     * example's gradient with {@code clip}, and adds the sum of the clipped gradients to
     * {@code sum}.
     *
     * @param features       [B, ...] inputs, B >= 1
     * @param labels         [B, ...] labels
     * @param featuresMask   optional features mask, or null
     * @param labelsMask     optional labels mask, or null
     * @param clip           clipping factors from squared norms
     * @param sum            accumulator shaped like the network's flat gradient view ([1, P]); the
     *                       network's own gradient view is used as scratch and overwritten
     */
    public abstract MicroBatchResult addClippedSum(INDArray features, INDArray labels, INDArray featuresMask,
                                                   INDArray labelsMask, ClipRule clip, INDArray sum);

    /** Zeroes the entries of a flat [1, P] gradient that lie outside the trainable ranges. */
    void zeroOutsideTrainable(INDArray flat) {
        long start = 0;
        for (long[] range : trainableRanges) {
            if (range[0] > start) {
                flat.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(start, range[0])).assign(0);
            }
            start = range[1];
        }
        long total = flat.length();
        if (total > start) {
            flat.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(start, total)).assign(0);
        }
    }

    /** Sets every layer's iteration and epoch counters (used by dropout and schedules). */
    void synchroniseCounters() {
        int iteration = net.getIterationCount();
        int epoch = net.getEpochCount();
        for (Layer layer : layers) {
            layer.setIterationCount(iteration);
            layer.setEpochCount(epoch);
        }
    }
}
