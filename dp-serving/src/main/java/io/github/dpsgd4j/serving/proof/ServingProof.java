package io.github.dpsgd4j.serving.proof;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.audit.AuditData;
import io.github.dpsgd4j.audit.QuickAudit;
import io.github.dpsgd4j.audit.inversion.InversionMetrics;
import io.github.dpsgd4j.audit.inversion.MiFaceConfig;
import io.github.dpsgd4j.audit.inversion.StartPoint;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.serving.Dl4jServedModel;
import io.github.dpsgd4j.serving.GuardSettings;
import io.github.dpsgd4j.serving.ServingGuard;
import io.github.dpsgd4j.serving.http.ApiKeys;
import io.github.dpsgd4j.serving.http.GuardedHttpServer;
import io.github.dpsgd4j.serving.http.HttpSettings;
import io.github.dpsgd4j.serving.limits.QueryLimits;
import io.github.dpsgd4j.serving.log.QueryLog;
import io.github.dpsgd4j.serving.probing.ProbingSettings;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness behind the figures of docs/serving.md: trains dp-audit's digits models (non-private,
 * and DP-SGD at epsilon 3), serves each on 127.0.0.1 behind one guard configuration at a time, and
 * runs the HTTP attacks, the honest replay and the load test against it. Prints Markdown tables.
 *
 * <p>Usage: {@code java ... io.github.dpsgd4j.serving.proof.ServingProof [seed]}. Takes a few
 * minutes on two cores; timings depend on the machine and its load.
 */
public final class ServingProof {

    private static final String ATTACKER = "mallory-0123456789abcdef";
    private static final String HONEST = "alice-0123456789abcdef";
    private static final ApiKeys KEYS = ApiKeys.of(Map.of(ATTACKER, "mallory", HONEST, "alice"));
    /** The attack settings: 40 steps per class, 16 random directions, from the attacker's mean image. */
    static final MiFaceConfig MI_FACE = MiFaceConfig.paper().withStart(StartPoint.GLOBAL_MEAN).withMaxIterations(40)
            .withRandomDirections(16).withStepSize(0.1);

    private ServingProof() {
    }

    /** Runs the harness; prints to standard output. */
    public static void main(String[] args) throws Exception {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 5;
        PrintStream out = System.out;
        AuditData data = QuickAudit.digitsData(seed);
        TrainedModel open = QuickAudit.digitsRecipe(null, NoiseMode.SEEDED).train(data.members(), seed);
        TrainedModel dp = QuickAudit.digitsRecipe(new PrivacyBudget(3, 1e-5), NoiseMode.SECURE)
                .train(data.members(), seed);
        out.printf("digits: %d images, %d members; non-private model and DP-SGD model (epsilon %.2f)%n%n",
                data.images().length, count(data.member()), dp.epsilon());

        Map<String, GuardSettings> guards = new LinkedHashMap<>();
        GuardSettings none = GuardSettings.policyOnly(OutputPolicy.fullConfidences()).withMaxBatch(64);
        guards.put("no guard (full confidences)", none);
        guards.put("policy: label", none.withPolicy(OutputPolicy.labelOnly()));
        guards.put("policy: top-k:1", none.withPolicy(OutputPolicy.topK(1)));
        guards.put("policy: rounded:1", none.withPolicy(OutputPolicy.rounded(1)));
        guards.put("rate limit 600/min, burst 64", none.withLimits(new QueryLimits(
                new QueryLimits.RateLimit(64, 600), null)));
        guards.put("budget 500/day", none.withLimits(new QueryLimits(null,
                new QueryLimits.QueryBudget(500, Duration.ofDays(1)))));
        guards.put("probing detector", none.withProbing(ProbingSettings.defaults()));
        guards.put("all (top-k:1, 600/min, 500/day, probing)", new GuardSettings(OutputPolicy.topK(1),
                new QueryLimits(new QueryLimits.RateLimit(64, 600), new QueryLimits.QueryBudget(500, Duration.ofDays(1))),
                ProbingSettings.defaults(), 64));

        double[] prior = nonMemberMean(data);
        Map<String, TrainedModel> targets = new LinkedHashMap<>();
        targets.put("non-private", open);
        targets.put("DP-SGD epsilon 3", dp);
        for (Map.Entry<String, TrainedModel> target : targets.entrySet()) {
            out.printf("## %s model%n%n", target.getKey());
            out.println("| guard | MI-Face rows answered | stopped by | ident. | corr. | confidence "
                    + "| adaptive MI-Face rows | stopped by | membership answered | stopped by | loss AUC |");
            out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            for (Map.Entry<String, GuardSettings> g : guards.entrySet()) {
                out.println(row(g.getKey(), target.getValue(), g.getValue(), data, prior, seed));
            }
            out.println();
        }
        honestAndLoad(out, open, data);
    }

    private static String row(String name, TrainedModel model, GuardSettings settings, AuditData data, double[] prior,
                              long seed) throws IOException {
        int[] classes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        HttpMiFace.Result mi;
        HttpMiFace.Result adaptive;
        HttpMembershipAttack.Result mem;
        try (GuardedHttpServer s = serve(model, settings, null)) {
            mi = HttpMiFace.run(new HttpModelClient(s.baseUri(), ATTACKER), classes, prior, MI_FACE);
        }
        try (GuardedHttpServer s = serve(model, settings, null)) {
            // Steps of h = 0.25 along unit directions: RMS distance 0.031 between queries, above the
            // detector's near-duplicate radius of 0.01.
            MiFaceConfig wide = new MiFaceConfig(MI_FACE.maxIterations(), MI_FACE.patience(), MI_FACE.targetConfidence(),
                    MI_FACE.stepSize(), MI_FACE.start(), 0.25, MI_FACE.randomDirections(), MI_FACE.seed());
            adaptive = HttpMiFace.run(new HttpModelClient(s.baseUri(), ATTACKER), classes, prior, wide);
        }
        try (GuardedHttpServer s = serve(model, settings, null)) {
            mem = HttpMembershipAttack.run(new HttpModelClient(s.baseUri(), ATTACKER), data.images(), data.labels(),
                    data.member(), 64, seed);
        }
        InversionMetrics m = InversionMetrics.evaluate(mi.reconstructions(), data.images(), data.labels(),
                data.member(), 10, 8, 8, 3, seed);
        return String.format(Locale.ROOT, "| %s | %d | %s | %.1f | %.2f | %.2f | %d | %s | %d | %s | %s |", name,
                mi.rowsAnswered(), stop(mi.refused(), mi.refusalDecision(), mi.refusalReasons()),
                m.identificationRate(), m.meanCorrelation(), m.meanConfidence(), adaptive.rowsAnswered(),
                stop(adaptive.refused(), adaptive.refusalDecision(), adaptive.refusalReasons()), mem.answered(),
                stop(mem.refused(), mem.refusalDecision(), List.of()),
                mem.metrics() == null ? "n/a" : String.format(Locale.ROOT, "%.3f (null +/- %.3f)", mem.metrics().auc(),
                        mem.metrics().aucNullHalfWidth()));
    }

    private static void honestAndLoad(PrintStream out, TrainedModel model, AuditData data) throws Exception {
        GuardSettings all = new GuardSettings(OutputPolicy.topK(1), new QueryLimits(new QueryLimits.RateLimit(64, 600),
                new QueryLimits.QueryBudget(500, Duration.ofDays(1))), ProbingSettings.defaults(), 64);
        double[][] rows = new double[300][];
        int[] labels = new int[300];
        boolean[] member = data.member();
        for (int i = 0, k = 0; k < rows.length; i++) {
            if (!member[i]) {
                rows[k] = data.images()[i];
                labels[k++] = data.labels()[i];
            }
        }
        try (GuardedHttpServer s = serve(model, all, null)) {
            HonestReplay.Result r = HonestReplay.run(new HttpModelClient(s.baseUri(), HONEST), rows, labels, 9);
            out.printf("## Honest client%n%nReplay of %d test images (non-members) at 9 requests/s under all guards: "
                    + "%d refused, accuracy %.3f.%n%n", r.requests(), r.refused(), r.accuracy());
        }
        out.printf("## Load (4 clients, 2000 single-row requests, OMP_NUM_THREADS=%s)%n%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        out.println("| configuration | requests/s | p50 ms | p90 ms | p99 ms |");
        out.println("|---|---|---|---|---|");
        GuardSettings unlimited = new GuardSettings(OutputPolicy.topK(1), new QueryLimits(
                new QueryLimits.RateLimit(100_000, 6_000_000), new QueryLimits.QueryBudget(1_000_000, Duration.ofDays(1))),
                ProbingSettings.defaults(), 64);
        for (int round = 0; round < 2; round++) {
            out.println(load("guard off (policy only)", model, GuardSettings.policyOnly(OutputPolicy.topK(1)), null,
                    rows));
            Path logFile = Files.createTempFile("dpsgd4j-proof", ".log");
            try (QueryLog log = QueryLog.open(logFile, 1L << 30, 1)) {
                out.println(load("guard on (limits, probing, query log)", model, unlimited, log, rows));
            } finally {
                Files.deleteIfExists(logFile);
            }
        }
    }

    private static String load(String name, TrainedModel model, GuardSettings settings, QueryLog log, double[][] rows)
            throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int t = 0; t < 4; t++) {
            keys.put("load-" + t + "-0123456789abcdef", "load-" + t);
        }
        ServingGuard guard = new ServingGuard(Dl4jServedModel.of(model.network()), settings, log);
        try (GuardedHttpServer s = GuardedHttpServer.start(guard, ApiKeys.of(keys), HttpSettings.loopback(0))) {
            HttpModelClient[] clients = keys.keySet().stream().map(k -> new HttpModelClient(s.baseUri(), k))
                    .toArray(HttpModelClient[]::new);
            LoadTest.Result r = LoadTest.run(clients, rows, 2000, 60);
            return String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.2f | %.2f |", name, r.throughput(), r.p50Millis(),
                    r.p90Millis(), r.p99Millis());
        }
    }

    private static GuardedHttpServer serve(TrainedModel model, GuardSettings settings, QueryLog log)
            throws IOException {
        return GuardedHttpServer.start(new ServingGuard(Dl4jServedModel.of(model.network()), settings, log), KEYS,
                HttpSettings.loopback(0));
    }

    private static String stop(boolean refused, String decision, List<String> reasons) {
        if (!refused) {
            return "not stopped";
        }
        return reasons.isEmpty() ? decision : decision + " (" + String.join(", ", reasons) + ")";
    }

    private static double[] nonMemberMean(AuditData data) {
        double[][] images = data.images();
        boolean[] member = data.member();
        double[] mean = new double[images[0].length];
        int n = 0;
        for (int i = 0; i < images.length; i++) {
            if (!member[i]) {
                n++;
                for (int j = 0; j < mean.length; j++) {
                    mean[j] += images[i][j];
                }
            }
        }
        for (int j = 0; j < mean.length; j++) {
            mean[j] /= n;
        }
        return mean;
    }

    private static int count(boolean[] values) {
        int c = 0;
        for (boolean v : values) {
            c += v ? 1 : 0;
        }
        return c;
    }
}
