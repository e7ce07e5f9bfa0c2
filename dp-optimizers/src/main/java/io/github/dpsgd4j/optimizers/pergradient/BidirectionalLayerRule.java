package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.layers.recurrent.BidirectionalLayer;
import org.deeplearning4j.util.TimeSeriesUtils;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.lang.reflect.Field;
import java.util.List;

/**
 * DL4J's {@code Bidirectional} wrapper around a recurrent layer another rule supports (by default
 * {@code SimpleRnn}, {@code LSTM}, {@code GravesLSTM}), in all four modes.
 *
 * <p>DL4J 1.0.0-M2.1's {@code BidirectionalLayer} holds two copies of the wrapped layer with their
 * own parameters (forward copy first in the flat parameters, then the backward copy): the forward
 * copy sees the input x, the backward copy the time-reversed input rev(x) (and reversed mask), and
 * the output combines out1 = fwd(x) with out2 = rev(bwd(rev(x))): ADD out1 + out2, MUL out1 * out2,
 * AVERAGE (out1 + out2) / 2, CONCAT [out1; out2] along the feature axis. Its backward pass is
 * ADD e1 = e2 = e; MUL e1 = e * out2, e2 = e * out1; AVERAGE e1 = e2 = e / 2; CONCAT the two halves;
 * the backward copy gets rev(e2), and dL/dx = dL/dx_fwd + rev(dL/dx_bwd). Every one of these is
 * row-wise, so example i's gradient is the concatenation of the two copies' per-example gradients:
 * its squared norm is the sum of theirs and its clipped sum is each copy's clipped sum, formed by
 * the wrapped layer's rule on each copy (the copies are DL4J layers whose input, mask and gradient
 * views the wrapper sets; this rule reaches them, and MUL's stored outputs, by reflection on the
 * wrapper's private fields, and fails loudly if a DL4J version renames them).
 */
public final class BidirectionalLayerRule implements LayerRule {

    private static final Field FORWARD = field("fwd");
    private static final Field BACKWARD = field("bwd");
    private static final Field FORWARD_OUTPUT = field("outFwd");
    private static final Field BACKWARD_OUTPUT = field("outBwd");

    private final List<LayerRule> inner;

    /** {@code Bidirectional} around the layers of {@link SimpleRnnLayerRule} and {@link LstmLayerRule}. */
    public BidirectionalLayerRule() {
        this(List.of(new SimpleRnnLayerRule(), new LstmLayerRule()));
    }

    /** {@code Bidirectional} around the layers these rules support (asked in order); not null. */
    public BidirectionalLayerRule(List<? extends LayerRule> inner) {
        Checks.notNull("inner", inner);
        this.inner = List.copyOf(inner);
    }

    /** Exactly DL4J's {@code BidirectionalLayer} class around a layer one of the inner rules supports. */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != BidirectionalLayer.class) {
            return LayerSupport.notHandled();
        }
        if (FORWARD == null || BACKWARD == null || FORWARD_OUTPUT == null || BACKWARD_OUTPUT == null) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + ": this DL4J version's "
                    + "BidirectionalLayer does not keep its copies in the fields fwd/bwd/outFwd/outBwd of 1.0.0-M2.1");
        }
        Layer forward = get(FORWARD, layer);
        LayerSupport rejected = rejection(forward);
        if (rejected != null) {
            return rejected;
        }
        if (ruleFor(forward) == null || ruleFor(get(BACKWARD, layer)) == null) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " wraps "
                    + forward.getClass().getSimpleName() + ", which has no book-keeping rule");
        }
        return LayerSupport.supported();
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        Layer forward = get(FORWARD, layer);
        Layer backward = get(BACKWARD, layer);
        LayerRule forwardRule = ruleFor(forward);
        LayerRule backwardRule = ruleFor(backward);
        if (forwardRule == null || backwardRule == null) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " is not supported by this rule");
        }
        Bidirectional conf = (Bidirectional) layer.conf().getLayer();
        RNNFormat format = TimeSeriesUtils.getFormatFromRnnLayer(conf.getFwd());
        // Work in NCW [B, F, T], as DL4J's wrapper does.
        INDArray eps = toNcw(outputGradient, format);
        INDArray forwardEps;
        INDArray backwardEps;
        switch (conf.getMode()) {
            case ADD -> {
                forwardEps = eps;
                backwardEps = eps;
            }
            case MUL -> {
                forwardEps = eps.mul(storedOutput(BACKWARD_OUTPUT, layer).castTo(eps.dataType()));
                backwardEps = eps.mul(storedOutput(FORWARD_OUTPUT, layer).castTo(eps.dataType()));
            }
            case AVERAGE -> {
                forwardEps = eps.mul(0.5);
                backwardEps = forwardEps;
            }
            case CONCAT -> {
                long n = eps.size(1) / 2;
                forwardEps = eps.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n), NDArrayIndex.all());
                backwardEps = eps.get(NDArrayIndex.all(), NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all());
            }
            default -> throw new IllegalStateException("layer " + LayerRules.describe(layer) + " has mode "
                    + conf.getMode() + ", which this rule does not know");
        }
        backwardEps = RecurrentArrays.reverseTime(backwardEps, 2);
        LayerBackward first = forwardRule.backward(forward, fromNcw(forwardEps, format), needInputGradient);
        LayerBackward second = backwardRule.backward(backward, fromNcw(backwardEps, format), needInputGradient);
        INDArray inputGradient = null;
        if (needInputGradient) {
            int timeAxis = format == RNNFormat.NWC ? 1 : 2;
            inputGradient = first.inputGradient().add(RecurrentArrays.reverseTime(second.inputGradient(), timeAxis));
        }
        return new Backward(first, second, inputGradient);
    }

    /** The first inner rule's rejection of {@code wrapped}, or null if none rejects it. */
    private LayerSupport rejection(Layer wrapped) {
        for (LayerRule rule : inner) {
            LayerSupport support = rule.supports(wrapped);
            if (support.kind() == LayerSupport.Kind.REJECTED) {
                return support;
            }
        }
        return null;
    }

    private LayerRule ruleFor(Layer wrapped) {
        for (LayerRule rule : inner) {
            if (rule.supports(wrapped).isSupported()) {
                return rule;
            }
        }
        return null;
    }

    private static INDArray toNcw(INDArray sequence, RNNFormat format) {
        return format == RNNFormat.NWC ? sequence.permute(0, 2, 1) : sequence;
    }

    private static INDArray fromNcw(INDArray sequence, RNNFormat format) {
        return format == RNNFormat.NWC ? sequence.permute(0, 2, 1) : sequence;
    }

    private static INDArray storedOutput(Field field, Layer layer) {
        INDArray output = get(field, layer);
        if (output == null || output.rank() != 3) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer)
                    + " (mode MUL) has no stored output of its two directions: run a training forward pass first");
        }
        return output;
    }

    @SuppressWarnings("unchecked")
    private static <T> T get(Field field, Layer layer) {
        try {
            return (T) field.get(layer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read BidirectionalLayer." + field.getName(), e);
        }
    }

    /** The private field of DL4J's BidirectionalLayer, or null if this DL4J version has none of that name. */
    private static Field field(String name) {
        try {
            Field field = BidirectionalLayer.class.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException | RuntimeException e) {
            return null;
        }
    }

    /** The two copies' backward passes: their gradients are disjoint parameter blocks. */
    private record Backward(LayerBackward forward, LayerBackward backward, INDArray inputGradient)
            implements LayerBackward {

        @Override
        public void addSquaredNorms(double[] squaredNorms) {
            forward.addSquaredNorms(squaredNorms);
            backward.addSquaredNorms(squaredNorms);
        }

        @Override
        public void accumulateClippedSum(INDArray factors) {
            forward.accumulateClippedSum(factors);
            backward.accumulateClippedSum(factors);
        }
    }
}
