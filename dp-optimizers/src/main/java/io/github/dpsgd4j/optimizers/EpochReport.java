package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.PrivacyGuarantee;

/**
 * The end of a training epoch.
 *
 * @param epoch     the epoch just completed, counted from 0
 * @param steps     the steps taken so far over the whole run
 * @param spent     the privacy spent so far, at the configured reporting delta
 * @param meanLoss  the data loss averaged over the epoch's examples (not private; display only)
 * @param clippedFraction the fraction of the epoch's examples whose gradient was clipped
 */
public record EpochReport(int epoch, long steps, PrivacyGuarantee spent, double meanLoss, double clippedFraction) {
}
