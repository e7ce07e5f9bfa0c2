package io.github.dpsgd4j.optimizers.pergradient;

/**
 * A {@link LayerRule}'s answer to "can you handle this layer?".
 *
 * @param kind   the answer
 * @param reason why not (for {@link Kind#UNSUPPORTED} and {@link Kind#REJECTED}); null when
 *               supported or when the rule has nothing to say about the layer
 */
public record LayerSupport(Kind kind, String reason) {

    /** The possible answers. */
    public enum Kind {
        /** The rule computes this layer's per-example norms and clipped sum. */
        SUPPORTED,
        /** Not this rule's layer: ask the next rule (the exact per-example loop remains possible). */
        UNSUPPORTED,
        /** The layer cannot be trained privately at all (it mixes examples): training is refused. */
        REJECTED
    }

    private static final LayerSupport SUPPORTED = new LayerSupport(Kind.SUPPORTED, null);
    private static final LayerSupport NOT_HANDLED = new LayerSupport(Kind.UNSUPPORTED, null);

    /** Validates that a kind is given and that a rejection says why. */
    public LayerSupport {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (kind == Kind.REJECTED && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("a rejection needs a reason that says what to do instead");
        }
    }

    /** The rule handles the layer. */
    public static LayerSupport supported() {
        return SUPPORTED;
    }

    /** The rule does not handle the layer, for the given reason (shown to the user). */
    public static LayerSupport unsupported(String reason) {
        return new LayerSupport(Kind.UNSUPPORTED, reason);
    }

    /** The rule has nothing to say about the layer (another kind of layer). */
    public static LayerSupport notHandled() {
        return NOT_HANDLED;
    }

    /** The layer must not be trained privately; {@code reason} names the problem and the fix. */
    public static LayerSupport rejected(String reason) {
        return new LayerSupport(Kind.REJECTED, reason);
    }

    /** Whether the answer is {@link Kind#SUPPORTED}. */
    public boolean isSupported() {
        return kind == Kind.SUPPORTED;
    }
}
