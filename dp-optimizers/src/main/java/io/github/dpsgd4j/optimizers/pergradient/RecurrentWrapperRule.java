package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.layers.recurrent.LastTimeStepLayer;
import org.deeplearning4j.nn.layers.recurrent.MaskZeroLayer;
import org.deeplearning4j.util.TimeSeriesUtils;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

/**
 * DL4J's row-wise recurrent wrappers, delegating to the rule of the wrapped layer:
 * <ul>
 *   <li>{@code LastTimeStepLayer}: the output is the wrapped layer's output at each example's last
 *       unmasked step (the last step without a mask); its backward pass places dL/d(output) at that
 *       step, zero elsewhere, and runs the wrapped layer's rule on it;</li>
 *   <li>{@code MaskZeroLayer}: the wrapped layer sees a mask computed from its input (steps whose
 *       features all equal the masking value are masked); the backward pass is the wrapped layer's.</li>
 * </ul>
 * The per-example gradient is the wrapped layer's, so the norms and clipped sum are its rule's.
 */
public final class RecurrentWrapperRule implements LayerRule {

    private final List<LayerRule> inner;

    /**
     * Wrappers around {@code SimpleRnn}, {@code LSTM}, {@code GravesLSTM}, {@code GravesBidirectionalLSTM}
     * and {@code Bidirectional} around the first three.
     */
    public RecurrentWrapperRule() {
        this(List.of(new SimpleRnnLayerRule(), new LstmLayerRule(), new BidirectionalLayerRule()));
    }

    /** Wrappers around the layers these rules support (asked in order). */
    public RecurrentWrapperRule(List<? extends LayerRule> inner) {
        Checks.notNull("inner", inner);
        this.inner = List.copyOf(inner);
    }

    /** {@code LastTimeStepLayer} and {@code MaskZeroLayer} around a layer one of the inner rules supports. */
    @Override
    public LayerSupport supports(Layer layer) {
        if (layer.getClass() != LastTimeStepLayer.class && layer.getClass() != MaskZeroLayer.class) {
            return LayerSupport.notHandled();
        }
        Layer wrapped = ((org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer) layer).getUnderlying();
        LayerSupport rejected = rejection(wrapped);
        if (rejected != null) {
            return rejected;
        }
        LayerRule rule = ruleFor(wrapped);
        if (rule == null) {
            return LayerSupport.unsupported("layer " + LayerRules.describe(layer) + " wraps "
                    + wrapped.getClass().getSimpleName() + ", which has no book-keeping rule");
        }
        return LayerSupport.supported();
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
            LayerSupport support = rule.supports(wrapped);
            if (support.isSupported()) {
                return rule;
            }
        }
        return null;
    }

    @Override
    public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
        Layer wrapped = ((org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer) layer).getUnderlying();
        LayerRule rule = ruleFor(wrapped);
        if (rule == null) {
            throw new IllegalStateException("layer " + LayerRules.describe(layer) + " is not supported by this rule");
        }
        INDArray gradient = layer instanceof LastTimeStepLayer
                ? atLastSteps(wrapped, outputGradient) : outputGradient;
        return rule.backward(wrapped, gradient, needInputGradient);
    }

    /** dL/d(wrapped output): the [B, n] gradient placed at each example's last unmasked step. */
    private static INDArray atLastSteps(Layer wrapped, INDArray outputGradient) {
        RNNFormat format = TimeSeriesUtils.getFormatFromRnnLayer(wrapped.conf().getLayer());
        INDArray input = wrapped.input();
        long batch = outputGradient.size(0);
        long width = outputGradient.size(1);
        long steps = format == RNNFormat.NWC ? input.size(1) : input.size(2);
        INDArray mask = wrapped.getMaskArray();
        INDArray full = Nd4j.zeros(outputGradient.dataType(), batch, width, steps);
        for (long i = 0; i < batch; i++) {
            long last = steps - 1;
            if (mask != null) {
                last = 0;
                for (long t = steps - 1; t >= 0; t--) {
                    if (mask.getDouble(i, t) != 0) {
                        last = t;
                        break;
                    }
                }
            }
            full.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(last))
                    .assign(outputGradient.getRow(i));
        }
        return format == RNNFormat.NWC ? full.permute(0, 2, 1) : full;
    }
}
