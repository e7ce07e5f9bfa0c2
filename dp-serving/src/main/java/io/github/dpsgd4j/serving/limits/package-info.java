/**
 * Per-client query budgets and rate limits, as token buckets from Bucket4j: a burst capacity
 * refilled at a steady rate, and a budget of queries per period. One query row costs one token.
 */
package io.github.dpsgd4j.serving.limits;
