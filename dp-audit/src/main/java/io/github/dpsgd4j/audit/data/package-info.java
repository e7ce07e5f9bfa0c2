/**
 * Bundled tabular data for attribute-inference audits: the Statlog German Credit data
 * ({@code credit-g.arff}, UCI, CC BY 4.0; attribution beside the file).
 */
package io.github.dpsgd4j.audit.data;
