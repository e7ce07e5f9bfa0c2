package io.github.dpsgd4j.accounting.rdp;

/**
 * A delta certified by RDP conversion together with the Renyi order that gave it.
 *
 * @param delta in {@code [0, 1]}; never NaN
 * @param order the optimal order (the first one reaching the minimum), or NaN when no order
 *              gives a bound (only in {@link RdpConvention#OPACUS} mode, where delta is then 1)
 */
public record RdpDelta(double delta, double order) {
}
