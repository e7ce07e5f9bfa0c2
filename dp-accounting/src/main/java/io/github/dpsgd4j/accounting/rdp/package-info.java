/**
 * The Renyi differential privacy (RDP) accountant for DP-SGD.
 *
 * <p>{@link io.github.dpsgd4j.accounting.rdp.RdpAccountant} computes the RDP of the
 * Poisson-subsampled Gaussian mechanism at a list of orders (Mironov, Talwar, Zhang 2019,
 * arXiv:1908.10530), composes it by adding order by order (Mironov 2017, arXiv:1702.07476), and
 * converts to (epsilon, delta) with the bound of Canonne, Kamath, Steinke (2020,
 * arXiv:2004.00010, Prop. 12), equal to Balle et al. (2020, arXiv:1905.09982, Thm. 21).
 * {@link io.github.dpsgd4j.accounting.rdp.RdpConvention} selects whose numbers are reproduced:
 * Google's dp_accounting 0.6.0 (the default) or Opacus (for cross-checks); its methods also
 * convert a raw (orders, RDP) pair and give the per-step RDP at one order.
 *
 * <p>Assumptions: Poisson sampling with a known rate, add/remove adjacency, Gaussian noise of L2
 * sensitivity 1 (noise multiplier = noise standard deviation / clipping norm), one training
 * example as the unit of privacy. RDP is an upper bound that is looser than the PLD accountant
 * (its epsilon is 8% to 74% above PLD's over the grid of docs/evidence/rdp-vs-pld.csv) but costs microseconds per query.
 */
package io.github.dpsgd4j.accounting.rdp;
