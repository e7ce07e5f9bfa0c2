package io.github.dpsgd4j.optimizers;

/**
 * Thrown when a network contains a layer or setting that private training cannot handle safely,
 * for example a layer that mixes examples (batch normalisation). The message names the layer and
 * what to use instead.
 */
public final class UnsupportedLayerException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** @param message which layer or setting, why it is refused, and what to do instead */
    public UnsupportedLayerException(String message) {
        super(message);
    }
}
