/**
 * Attacks as real HTTP clients, to measure what the serving guards stop: a black-box MI-Face
 * reconstruction and a black-box loss-threshold membership attack that query a running server the
 * way an outsider would, an honest client that replays ordinary queries, and a bounded load test.
 * The attack mathematics follow dp-audit ({@code MiFace.blackBox}, {@code LossThresholdAttack});
 * they are re-implemented here because dp-audit's versions query a model object, not a server.
 */
package io.github.dpsgd4j.serving.proof;
