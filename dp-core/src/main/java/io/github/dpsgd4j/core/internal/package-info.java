/**
 * Implementation details of dp-core shared between its packages (detection of the incubating
 * Vector API, INDArray argument checks). Not an API: names and behaviour may change in any release.
 */
package io.github.dpsgd4j.core.internal;
