/**
 * Report folders written by the command line: JSON (one convention for non-finite numbers),
 * PNG line charts rendered headless with XChart, and the fields that describe a training run.
 */
package io.github.dpsgd4j.examples.report;
