/** Small data sets bundled with dpsgd4j (with attribution) for tests, demos and audits. */
package io.github.dpsgd4j.optimizers.data;
