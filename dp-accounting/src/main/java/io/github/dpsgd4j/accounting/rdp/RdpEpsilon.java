package io.github.dpsgd4j.accounting.rdp;

/**
 * An epsilon certified by RDP conversion together with the Renyi order that gave it.
 *
 * @param epsilon {@code >= 0}, possibly +infinity; never NaN
 * @param order   the optimal order (the first one reaching the minimum), or NaN when no order
 *                gives a bound (only in {@link RdpConvention#OPACUS} mode, where epsilon is then
 *                +infinity)
 */
public record RdpEpsilon(double epsilon, double order) {
}
