package io.github.dpsgd4j.examples.training;

/**
 * The state of a run after one epoch.
 *
 * @param epoch        the epoch just completed, counted from 1 over the whole run (resumes included)
 * @param steps        training steps taken so far over the whole run
 * @param testAccuracy accuracy on the test set, in [0, 1]
 * @param epsilon      epsilon spent so far at the run's delta (PLD accountant); +infinity for a
 *                     non-private run
 * @param seconds      training seconds so far in this process (after a resume: since the resume),
 *                     evaluation included
 */
public record EpochRecord(int epoch, long steps, double testAccuracy, double epsilon, double seconds) {
}
