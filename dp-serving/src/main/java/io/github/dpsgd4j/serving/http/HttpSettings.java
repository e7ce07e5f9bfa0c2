package io.github.dpsgd4j.serving.http;

import io.github.dpsgd4j.common.Checks;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Where and how the HTTP front end listens.
 *
 * @param address      bind address and port (port 0: any free port)
 * @param maxBodyBytes largest request body accepted, {@code >= 64}; larger bodies get 413
 * @param threads      request threads, {@code >= 1}
 */
public record HttpSettings(InetSocketAddress address, int maxBodyBytes, int threads) {

    /** Default body limit: 1 MiB (a batch of 256 Fashion-MNIST rows as JSON fits). */
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

    public HttpSettings {
        Checks.notNull("address", address);
        if (maxBodyBytes < 64) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 64, got " + maxBodyBytes);
        }
        Checks.positive("threads", threads);
    }

    /** Loopback only (127.0.0.1) on {@code port}, 1 MiB bodies, 4 threads. */
    public static HttpSettings loopback(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        }
        return new HttpSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), DEFAULT_MAX_BODY_BYTES,
                4);
    }

    /** A copy with another body limit. */
    public HttpSettings withMaxBodyBytes(int value) {
        return new HttpSettings(address, value, threads);
    }
}
