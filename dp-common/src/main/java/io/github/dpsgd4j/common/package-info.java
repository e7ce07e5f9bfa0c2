/**
 * What every dpsgd4j module shares: {@link io.github.dpsgd4j.common.Checks}, the one place that
 * validates arguments with messages naming the parameter and the value. This module has no
 * dependencies, so the pure-Java accounting and the ND4J modules can both use it without depending
 * on each other.
 */
package io.github.dpsgd4j.common;
