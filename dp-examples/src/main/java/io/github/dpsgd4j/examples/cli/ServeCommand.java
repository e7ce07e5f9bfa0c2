package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.serving.Dl4jServedModel;
import io.github.dpsgd4j.serving.GuardSettings;
import io.github.dpsgd4j.serving.Policies;
import io.github.dpsgd4j.serving.ServingGuard;
import io.github.dpsgd4j.serving.http.ApiKeys;
import io.github.dpsgd4j.serving.http.GuardedHttpServer;
import io.github.dpsgd4j.serving.http.HttpSettings;
import io.github.dpsgd4j.serving.limits.QueryLimits;
import io.github.dpsgd4j.serving.log.QueryLog;
import io.github.dpsgd4j.serving.probing.ProbingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code dpsgd4j serve}: a trained model behind the serving guard on an embedded HTTP server.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Serves a trained model (model.zip) over HTTP behind a guard: an output policy, a rate limit and a "
                        + "query budget per API key, a probing detector and an append-only query log.",
                "POST /predict with header X-Api-Key and {\"features\": [...]} or {\"batch\": [[...], ...]}; "
                        + "GET /health. Stops on Ctrl-C (or after --duration)."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", required = true,
            description = "model.zip, or the report folder that holds it (as 'dpsgd4j train' or 'demo' writes).")
    private Path model;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8080",
            description = "TCP port, 0 for any free port (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; plain HTTP: put TLS "
                    + "in front before exposing it).")
    private String bind;

    @Option(names = "--api-keys", paramLabel = "FILE", required = true,
            description = "One 'key,client-name' per line; keys of at least 16 characters.")
    private Path apiKeys;

    @Option(names = "--output-policy", paramLabel = "POLICY", defaultValue = "label",
            description = "label, top-k:K, rounded:D or full (default: ${DEFAULT-VALUE}).")
    private String outputPolicy;

    @Option(names = "--rate-limit", paramLabel = "N|off", defaultValue = "600",
            description = "Queries (rows) per minute per client, refilled smoothly, or off (default: ${DEFAULT-VALUE}).")
    private String rateLimit;

    @Option(names = "--burst", paramLabel = "B", defaultValue = "64",
            description = "Most queries a client may make at once (default: ${DEFAULT-VALUE}).")
    private long burst;

    @Option(names = "--query-budget", paramLabel = "N|off", defaultValue = "10000",
            description = "Queries per client per budget period, or off (default: ${DEFAULT-VALUE}).")
    private String queryBudget;

    @Option(names = "--budget-period", paramLabel = "DURATION", defaultValue = "24h",
            description = "Budget period: 30m, 24h, 7d or ISO-8601 such as PT12H (default: ${DEFAULT-VALUE}).")
    private String budgetPeriod;

    @Option(names = "--probing", paramLabel = "MODE", defaultValue = "block",
            description = "Probing detector: block (refuse flagged clients for a cooldown), report (flag only) or "
                    + "off (default: ${DEFAULT-VALUE}).")
    private String probing;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "64",
            description = "Most rows per request, <= --burst (default: ${DEFAULT-VALUE}).")
    private int maxBatch;

    @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "1048576",
            description = "Largest request body (default: ${DEFAULT-VALUE}).")
    private int maxBodyBytes;

    @Option(names = "--query-log", paramLabel = "FILE", defaultValue = "queries.log",
            description = "Append-only query log, JSON lines (default: ${DEFAULT-VALUE}).")
    private Path queryLog;

    @Option(names = "--log-max-bytes", paramLabel = "N", defaultValue = "104857600",
            description = "Rotate the log at this size (default: ${DEFAULT-VALUE}).")
    private long logMaxBytes;

    @Option(names = "--log-keep", paramLabel = "N", defaultValue = "10",
            description = "Rotated log files kept (default: ${DEFAULT-VALUE}).")
    private int logKeep;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "4",
            description = "Request threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "Stop after this many seconds (default: run until interrupted).")
    private Double duration;

    @Override
    public Integer call() throws IOException, InterruptedException {
        GuardSettings settings = guardSettings();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        }
        Checks.positive("--threads", threads);
        if (duration != null) {
            Checks.finitePositive("--duration", duration);
        }
        ApiKeys keys = ApiKeys.read(apiKeys);
        Path file = Files.isDirectory(model) ? model.resolve("model.zip") : model;
        Dl4jServedModel served = Dl4jServedModel.load(file);
        InetSocketAddress address = new InetSocketAddress(address(bind), port);
        HttpSettings http = new HttpSettings(address, maxBodyBytes, threads);
        QueryLog log = QueryLog.open(queryLog, Checks.positive("--log-max-bytes", logMaxBytes),
                Checks.positive("--log-keep", logKeep));
        GuardedHttpServer server;
        try {
            server = GuardedHttpServer.start(new ServingGuard(served, settings, log), keys, http);
        } catch (IOException ex) {
            log.close();
            throw new IllegalArgumentException("cannot listen on " + bind + ":" + port + " (" + ex.getMessage()
                    + "); choose another --port", ex);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> stop(server, log, stopped), "dpsgd4j-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("dpsgd4j serve: %s (%d inputs, %d classes) on %s%n", file, served.inputLength(),
                served.numClasses(), server.baseUri());
        out.printf("  output policy %s; rate limit %s; query budget %s; probing %s; %d API keys; log %s%n",
                Policies.cliName(settings.policy()), describeRate(settings.limits()), describeBudget(settings.limits()),
                probing.toLowerCase(Locale.ROOT), keys.size(), queryLog);
        out.printf("  POST %s/predict  (header X-Api-Key)   GET %s/health%n", server.baseUri(), server.baseUri());
        out.flush();
        try {
            if (duration != null) {
                stopped.await((long) (duration * 1000), TimeUnit.MILLISECONDS);
            } else {
                stopped.await();
            }
        } finally {
            stop(server, log, stopped);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
        return 0;
    }

    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    /** Stops once, whether the duration ended or the JVM is shutting down (Ctrl-C). */
    private void stop(GuardedHttpServer server, QueryLog log, CountDownLatch stopped) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        server.close();
        try {
            log.close();
        } catch (IOException ignored) {
            // every entry was flushed when it was written
        }
        stopped.countDown();
    }

    GuardSettings guardSettings() {
        OutputPolicy policy = Policies.parse(outputPolicy);
        QueryLimits.RateLimit rate = null;
        if (!isOff(rateLimit)) {
            rate = new QueryLimits.RateLimit(Checks.positive("--burst", burst),
                    Checks.positive("--rate-limit", parseCount("--rate-limit", rateLimit)));
        }
        QueryLimits.QueryBudget budget = null;
        if (!isOff(queryBudget)) {
            budget = new QueryLimits.QueryBudget(Checks.positive("--query-budget", parseCount("--query-budget",
                    queryBudget)), parseDuration(budgetPeriod));
        }
        ProbingSettings probingSettings = switch (probing.toLowerCase(Locale.ROOT)) {
            case "block" -> ProbingSettings.defaults();
            case "report" -> ProbingSettings.defaults().withAction(ProbingSettings.Action.REPORT_ONLY);
            case "off" -> null;
            default -> throw new IllegalArgumentException("--probing must be block, report or off, got '" + probing
                    + "'");
        };
        Checks.positive("--max-batch", maxBatch);
        if (rate != null && maxBatch > rate.burst()) {
            throw new IllegalArgumentException("--max-batch must be <= --burst " + rate.burst() + ", got " + maxBatch);
        }
        return new GuardSettings(policy, new QueryLimits(rate, budget), probingSettings, maxBatch);
    }

    private static boolean isOff(String value) {
        return value.trim().equalsIgnoreCase("off");
    }

    private static long parseCount(String option, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(option + " must be a whole number >= 1 or off, got '" + value + "'");
        }
    }

    /** "30m", "24h", "7d", "90s" or ISO-8601 ("PT12H", "P1D"). */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (t.startsWith("p")) {
                d = Duration.parse(t.toUpperCase(Locale.ROOT));
            } else {
                long amount = Long.parseLong(t.substring(0, t.length() - 1));
                d = switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    case 'h' -> Duration.ofHours(amount);
                    case 'd' -> Duration.ofDays(amount);
                    default -> throw new NumberFormatException();
                };
            }
            if (d.isNegative() || d.isZero()) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException ex) {
            throw new IllegalArgumentException("--budget-period must be a positive duration such as 30m, 24h, 7d or "
                    + "PT12H, got '" + text + "'");
        }
    }

    private static InetAddress address(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException ex) {
            throw new IllegalArgumentException("--bind must be an address of this machine, got '" + host + "'", ex);
        }
    }

    private static String describeRate(QueryLimits limits) {
        return limits.rateLimit().map(r -> r.perMinute() + "/min (burst " + r.burst() + ")").orElse("off");
    }

    private static String describeBudget(QueryLimits limits) {
        return limits.queryBudget().map(b -> b.queries() + " per " + b.period()).orElse("off");
    }
}
