package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.api.Layer;

import java.util.ArrayList;
import java.util.List;

/**
 * The ordered registry of {@link LayerRule}s. For a layer, the rules are asked in order: the first
 * that answers {@link LayerSupport.Kind#SUPPORTED supported} handles it, the first that answers
 * {@link LayerSupport.Kind#REJECTED rejected} refuses training (with its reason); when every rule
 * answers unsupported, the layer has no rule and training falls back to the exact per-example loop
 * (the reasons are reported).
 *
 * <p>{@link #defaults()} holds, in order: {@link RejectedLayerRule} (batch normalisation and other
 * layers that cannot be trained privately), {@link DenseLayerRule}, {@link ConvolutionLayerRule},
 * {@link EmbeddingLayerRule}, {@link EmbeddingSequenceLayerRule}, {@link Convolution1DLayerRule},
 * {@link PReLULayerRule}, {@link ElementWiseMultiplicationLayerRule}, {@link LayerNormDenseLayerRule},
 * {@link DepthwiseConvolution2DLayerRule}, {@link SeparableConvolution2DLayerRule},
 * {@link Deconvolution2DLayerRule}, {@link Convolution3DLayerRule}, {@link Deconvolution3DLayerRule},
 * {@link RnnOutputLayerRule}, {@link SimpleRnnLayerRule},
 * {@link LstmLayerRule} (LSTM, GravesLSTM, GravesBidirectionalLSTM), {@link RecurrentWrapperRule}
 * (LastTimeStep and MaskZeroLayer around those and around Bidirectional), {@link BidirectionalLayerRule}
 * (Bidirectional around SimpleRnn, LSTM, GravesLSTM, every mode), {@link TimeDistributedLayerRule}
 * (TimeDistributed around a DenseLayer), {@link SelfAttentionLayerRule} (SelfAttentionLayer with
 * projected input), {@link RecurrentAttentionLayerRule}, {@link LocallyConnected1DLayerRule},
 * {@link LocallyConnected2DLayerRule}. A rule for your own layer:
 * {@code LayerRules.defaults().withFirst(new MyLayerRule())} (asked before the defaults, so it can
 * also override them), passed to the trainer's builder.
 *
 * <p>Immutable and thread-safe (the rules are stateless).
 */
public final class LayerRules {

    private static final LayerRules DEFAULTS = new LayerRules(List.of(new RejectedLayerRule(), new DenseLayerRule(),
            new ConvolutionLayerRule(), new EmbeddingLayerRule(), new EmbeddingSequenceLayerRule(),
            new Convolution1DLayerRule(), new PReLULayerRule(), new ElementWiseMultiplicationLayerRule(),
            new LayerNormDenseLayerRule(), new DepthwiseConvolution2DLayerRule(),
            new SeparableConvolution2DLayerRule(), new Deconvolution2DLayerRule(), new Convolution3DLayerRule(),
            new Deconvolution3DLayerRule(),
            new RnnOutputLayerRule(), new SimpleRnnLayerRule(), new LstmLayerRule(), new RecurrentWrapperRule(),
            new BidirectionalLayerRule(), new TimeDistributedLayerRule(), new SelfAttentionLayerRule(),
            new RecurrentAttentionLayerRule(), new LocallyConnected1DLayerRule(), new LocallyConnected2DLayerRule()));

    private final List<LayerRule> rules;

    private LayerRules(List<LayerRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The built-in rules (see the class comment). */
    public static LayerRules defaults() {
        return DEFAULTS;
    }

    /** Exactly {@code rules}, asked in this order; not null, no null elements. */
    public static LayerRules of(List<? extends LayerRule> rules) {
        Checks.notNull("rules", rules);
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i) == null) {
                throw new IllegalArgumentException("rules[" + i + "] must not be null");
            }
        }
        return new LayerRules(new ArrayList<>(rules));
    }

    /** These rules with {@code rule} asked first. */
    public LayerRules withFirst(LayerRule rule) {
        Checks.notNull("rule", rule);
        List<LayerRule> list = new ArrayList<>();
        list.add(rule);
        list.addAll(rules);
        return new LayerRules(list);
    }

    /** These rules with {@code rule} asked last. */
    public LayerRules withLast(LayerRule rule) {
        Checks.notNull("rule", rule);
        List<LayerRule> list = new ArrayList<>(rules);
        list.add(rule);
        return new LayerRules(list);
    }

    /** The rules in the order they are asked. Unmodifiable. */
    public List<LayerRule> rules() {
        return rules;
    }

    /**
     * What the registry says about {@code layer}.
     *
     * @return the rule that handles it (null unless supported) and the answer; for an unsupported
     *         layer the reasons of every rule that gave one, joined with "; "
     */
    public Resolution resolve(Layer layer) {
        Checks.notNull("layer", layer);
        List<String> reasons = new ArrayList<>();
        for (LayerRule rule : rules) {
            LayerSupport support = rule.supports(layer);
            switch (support.kind()) {
                case SUPPORTED:
                    return new Resolution(rule, support);
                case REJECTED:
                    return new Resolution(null, support);
                default:
                    if (support.reason() != null && !support.reason().isBlank()) {
                        reasons.add(support.reason());
                    }
            }
        }
        return new Resolution(null, LayerSupport.unsupported(reasons.isEmpty()
                ? "no rule for " + describeType(layer) : String.join("; ", reasons)));
    }

    /**
     * What the registry says about one layer.
     *
     * @param rule    the rule that handles the layer, or null
     * @param support the answer
     */
    public record Resolution(LayerRule rule, LayerSupport support) {
    }

    /** "index 2 (DenseLayer \"hidden\")": how every message names a layer. */
    public static String describe(Layer layer) {
        String name = layer.conf() == null || layer.conf().getLayer() == null ? null
                : layer.conf().getLayer().getLayerName();
        return "index " + layer.getIndex() + " (" + describeType(layer) + (name == null ? "" : " \"" + name + "\"") + ")";
    }

    private static String describeType(Layer layer) {
        return layer.conf() == null || layer.conf().getLayer() == null
                ? layer.getClass().getSimpleName() : layer.conf().getLayer().getClass().getSimpleName();
    }
}
