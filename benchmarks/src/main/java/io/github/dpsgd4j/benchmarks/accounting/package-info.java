/** JMH benchmarks of the privacy accountants. */
package io.github.dpsgd4j.benchmarks.accounting;
