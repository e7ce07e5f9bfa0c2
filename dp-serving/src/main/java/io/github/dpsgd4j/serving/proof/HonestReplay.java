package io.github.dpsgd4j.serving.proof;

import io.github.dpsgd4j.common.Checks;

import java.util.concurrent.locks.LockSupport;

/**
 * An honest client: replays ordinary queries (for example a test set), one row per request, at a
 * steady pace, and counts how many were refused. A guard that refuses any of them throttles honest
 * traffic. Not thread-safe.
 */
public final class HonestReplay {

    private HonestReplay() {
    }

    /**
     * @param requests requests sent
     * @param refused  requests refused (any status but 200)
     * @param correct  answered requests whose label equalled the true class
     */
    public record Result(int requests, int refused, int correct) {
        /** Accuracy among answered requests. */
        public double accuracy() {
            int answered = requests - refused;
            return answered == 0 ? Double.NaN : (double) correct / answered;
        }
    }

    /**
     * Replays {@code rows}.
     *
     * @param perSecond requests per second, finite and > 0 (the client waits between requests)
     */
    public static Result run(HttpModelClient client, double[][] rows, int[] labels, double perSecond) {
        Checks.notNull("client", client);
        Checks.equalTo("labels.length", labels.length, "rows.length", rows.length);
        Checks.finitePositive("perSecond", perSecond);
        long interval = (long) (1e9 / perSecond);
        long next = System.nanoTime();
        int refused = 0;
        int correct = 0;
        for (int i = 0; i < rows.length; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            next += interval;
            HttpModelClient.Reply reply = client.predict(new double[][] {rows[i]});
            if (!reply.answered()) {
                refused++;
            } else if (reply.labels()[0] == labels[i]) {
                correct++;
            }
        }
        return new Result(rows.length, refused, correct);
    }
}
