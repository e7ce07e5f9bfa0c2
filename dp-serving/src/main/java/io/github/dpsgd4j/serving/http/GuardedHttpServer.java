package io.github.dpsgd4j.serving.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.serving.GuardedAnswer;
import io.github.dpsgd4j.serving.Policies;
import io.github.dpsgd4j.serving.ServingGuard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /predict} and {@code GET /health} in front of a {@link ServingGuard}. Clients identify
 * themselves with the {@code X-Api-Key} header. Answers: 200; 400 (malformed JSON, wrong input size,
 * saying what was expected); 401 (missing or unknown key); 404; 405; 413 (body above the limit);
 * 429 with {@code Retry-After} (rate limit, budget, probing block); 503 with {@code Retry-After}
 * (query log unavailable); 500 for anything unexpected. No response carries a stack trace or an
 * exception class; the server keeps serving after every error. Protocol: {@link PredictionJson}.
 *
 * <p>Sets the system property {@code sun.net.httpserver.nodelay=true} when this class loads,
 * unless it is already set. Thread-safe; {@link #close()} stops it.
 */
public final class GuardedHttpServer implements AutoCloseable {

    /** The API key header. */
    public static final String API_KEY_HEADER = "X-Api-Key";

    static {
        // The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
        // the client's delayed acknowledgement then adds about 40 ms to every request (measured:
        // 44 ms median on loopback). TCP_NODELAY is read once, when the JDK server's configuration
        // class loads, so it is set here unless the application chose a value itself.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final ServingGuard guard;
    private final ApiKeys keys;
    private final HttpSettings settings;

    private GuardedHttpServer(ServingGuard guard, ApiKeys keys, HttpSettings settings) throws IOException {
        this.guard = guard;
        this.keys = keys;
        this.settings = settings;
        this.server = HttpServer.create(settings.address(), 64);
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "dp-serving-http-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newFixedThreadPool(settings.threads(), threads);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /**
     * Binds and starts the server.
     *
     * @throws IOException if the address cannot be bound
     */
    public static GuardedHttpServer start(ServingGuard guard, ApiKeys keys, HttpSettings settings) throws IOException {
        Checks.notNull("guard", guard);
        Checks.notNull("keys", keys);
        Checks.notNull("settings", settings);
        GuardedHttpServer s = new GuardedHttpServer(guard, keys, settings);
        s.server.start();
        return s;
    }

    /** The bound port (the actual one when port 0 was asked for). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}. */
    public URI baseUri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            try {
                route(exchange);
            } catch (Throwable ex) {
                respond(exchange, 500, PredictionJson.error("internal error; the request was not answered"));
            }
        } catch (IOException | RuntimeException ignored) {
            // the client went away; nothing can be sent
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.equals("/health")) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                methodNotAllowed(exchange, "GET");
                return;
            }
            ObjectNode n = PredictionJson.JSON.createObjectNode();
            n.put("status", "ok");
            n.put("input_length", guard.model().inputLength());
            n.put("classes", guard.model().numClasses());
            n.put("policy", Policies.cliName(guard.settings().policy()));
            respond(exchange, 200, n);
            return;
        }
        if (!path.equals("/predict")) {
            respond(exchange, 404, PredictionJson.error("no such endpoint; use POST /predict or GET /health"));
            return;
        }
        if (!method.equals("POST")) {
            methodNotAllowed(exchange, "POST");
            return;
        }
        Optional<String> client = keys.client(exchange.getRequestHeaders().getFirst(API_KEY_HEADER));
        if (client.isEmpty()) {
            drain(exchange);
            respond(exchange, 401, PredictionJson.error("missing or unknown API key; send it in the "
                    + API_KEY_HEADER + " header"));
            return;
        }
        byte[] body = readBody(exchange);
        if (body == null) {
            respond(exchange, 413, PredictionJson.error("the body is larger than " + settings.maxBodyBytes()
                    + " bytes; send fewer rows per request"));
            return;
        }
        GuardedAnswer answer;
        PredictionJson.Request request;
        try {
            request = PredictionJson.parse(body);
            answer = guard.answer(client.get(), request.rows());
        } catch (IllegalArgumentException ex) {
            respond(exchange, 400, PredictionJson.error(ex.getMessage()));
            return;
        }
        if (answer.decision().answered()) {
            respond(exchange, 200, PredictionJson.answered(answer, guard.settings().policy(), request.batch()));
        } else {
            exchange.getResponseHeaders().set("Retry-After", Long.toString(answer.decision().retryAfterSeconds()));
            respond(exchange, answer.decision().outcome().httpStatus(), PredictionJson.refused(answer.decision()));
        }
    }

    /** The body, or null if it exceeds the limit. */
    private byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > settings.maxBodyBytes()) {
                    return null;
                }
            } catch (NumberFormatException ex) {
                return null;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = exchange.getRequestBody()) {
            for (int r; (r = in.read(buffer)) >= 0; ) {
                if (out.size() + r > settings.maxBodyBytes()) {
                    return null;
                }
                out.write(buffer, 0, r);
            }
        }
        return out.toByteArray();
    }

    private void drain(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int r; total <= settings.maxBodyBytes() && (r = in.read(buffer)) >= 0; ) {
                total += r;
            }
        }
    }

    private static void methodNotAllowed(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        respond(exchange, 405, PredictionJson.error("use " + allowed));
    }

    private static void respond(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = PredictionJson.bytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
