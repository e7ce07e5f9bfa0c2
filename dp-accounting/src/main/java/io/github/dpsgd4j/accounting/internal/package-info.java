/** Numerical helpers shared by the accountants (log-space sums, normal tails). Not public API. */
package io.github.dpsgd4j.accounting.internal;
