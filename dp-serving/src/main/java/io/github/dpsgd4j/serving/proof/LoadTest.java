package io.github.dpsgd4j.serving.proof;

import io.github.dpsgd4j.common.Checks;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded load test: {@code threads} clients send single-row requests until {@code requests}
 * have been sent or {@code maxSeconds} have passed, and the latencies are summarised. Each thread
 * uses its own client (its own API key if given several). Figures depend on the machine and on
 * what else runs on it.
 */
public final class LoadTest {

    private LoadTest() {
    }

    /**
     * @param requests   requests completed
     * @param answered   of which answered (200)
     * @param seconds    wall time
     * @param throughput requests per second
     * @param p50Millis  median latency
     * @param p90Millis  90th percentile
     * @param p99Millis  99th percentile
     */
    public record Result(int requests, int answered, double seconds, double throughput, double p50Millis,
                         double p90Millis, double p99Millis) {
    }

    /**
     * Runs the load.
     *
     * @param clients    one client per thread, at least one
     * @param rows       rows to cycle through
     * @param requests   most requests in total, {@code >= 1}
     * @param maxSeconds time bound, finite and > 0
     */
    public static Result run(HttpModelClient[] clients, double[][] rows, int requests, double maxSeconds)
            throws InterruptedException {
        Checks.notNull("clients", clients);
        Checks.positive("clients.length", clients.length);
        Checks.positive("requests", requests);
        Checks.finitePositive("maxSeconds", maxSeconds);
        long[] latencies = new long[requests];
        boolean[] ok = new boolean[requests];
        AtomicInteger nextIndex = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + (long) (maxSeconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(clients.length);
        try {
            Future<?>[] futures = new Future<?>[clients.length];
            for (int t = 0; t < clients.length; t++) {
                HttpModelClient client = clients[t];
                futures[t] = pool.submit(() -> {
                    for (int i; (i = nextIndex.getAndIncrement()) < requests && System.nanoTime() < deadline; ) {
                        long s = System.nanoTime();
                        ok[i] = client.predict(new double[][] {rows[i % rows.length]}).answered();
                        latencies[i] = System.nanoTime() - s;
                    }
                });
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException ex) {
            throw new IllegalStateException("a load-test client failed: " + ex.getCause().getMessage(), ex.getCause());
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int done = Math.min(requests, nextIndex.get());
        long[] measured = new long[done];
        int answered = 0;
        int m = 0;
        for (int i = 0; i < done; i++) {
            if (latencies[i] > 0) {
                measured[m++] = latencies[i];
                answered += ok[i] ? 1 : 0;
            }
        }
        measured = Arrays.copyOf(measured, m);
        Arrays.sort(measured);
        return new Result(m, answered, seconds, m / seconds, percentile(measured, 0.5), percentile(measured, 0.9),
                percentile(measured, 0.99));
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }
}
