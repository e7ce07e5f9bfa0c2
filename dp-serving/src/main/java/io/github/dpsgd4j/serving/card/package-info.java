/**
 * Privacy cards: a JSON and HTML page per trained model that records its guarantee (recomputed
 * from the privacy ledger), its data, what the guarantee does not cover, the audit results with
 * their null bands and caps, and the output policy it is served with.
 */
package io.github.dpsgd4j.serving.card;
