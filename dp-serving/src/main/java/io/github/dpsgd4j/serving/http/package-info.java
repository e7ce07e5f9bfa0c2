/**
 * An embedded HTTP front end for a {@link io.github.dpsgd4j.serving.ServingGuard}, on the JDK's own
 * {@code com.sun.net.httpserver} (module {@code jdk.httpserver}: a supported, exported JDK API that
 * adds no dependency), with API keys as client identities and the JSON protocol of
 * {@code dpsgd4j serve}.
 */
package io.github.dpsgd4j.serving.http;
