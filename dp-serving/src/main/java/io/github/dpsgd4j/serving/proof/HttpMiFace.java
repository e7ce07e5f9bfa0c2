package io.github.dpsgd4j.serving.proof;

import io.github.dpsgd4j.audit.inversion.MiFaceConfig;
import io.github.dpsgd4j.audit.inversion.Reconstruction;
import io.github.dpsgd4j.audit.inversion.StartPoint;
import io.github.dpsgd4j.audit.inversion.StopReason;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Black-box MI-Face (Fredrikson, Jha and Ristenpart 2015, Algorithm 1) run against a server: the
 * same search as dp-audit's {@code MiFace.blackBox} (cost 1 - confidence read from the released
 * response, gradient by central differences along random unit directions, projected steps in
 * [0, 1], stop at the target confidence, after {@code patience} steps without improvement, or
 * after {@code maxIterations}), one class after another, each iteration one batch request of
 * 1 + 2 x directions rows. The attacker stops at the first refused request (it does not wait out
 * {@code Retry-After}); the reconstructions are then the best images reached so far.
 *
 * <p>Not thread-safe.
 */
public final class HttpMiFace {

    private HttpMiFace() {
    }

    /**
     * The attack's outcome.
     *
     * @param reconstructions     one per class attacked (best image so far)
     * @param rowsAnswered        query rows the server answered
     * @param requestsAnswered    requests answered
     * @param refused             whether a request was refused (the attack then stopped)
     * @param refusalDecision     the guard's decision on the refused request, or null
     * @param refusalReasons      its reasons
     */
    public record Result(List<Reconstruction> reconstructions, long rowsAnswered, long requestsAnswered,
                         boolean refused, String refusalDecision, List<String> refusalReasons) {
    }

    /**
     * Runs the attack.
     *
     * @param client     the server
     * @param classes    labels to reconstruct
     * @param globalMean the attacker's prior mean image (for {@link StartPoint#GLOBAL_MEAN}); may be null otherwise
     * @param config     settings; {@code randomDirections} must be > 0
     */
    public static Result run(HttpModelClient client, int[] classes, double[] globalMean, MiFaceConfig config) {
        Checks.notNull("client", client);
        Checks.notNull("classes", classes);
        Checks.notNull("config", config);
        Checks.positive("randomDirections", config.randomDirections());
        int d = client.inputLength();
        OutputPolicy policy = client.policy();
        SplittableRandom random = new SplittableRandom(config.seed());
        List<Reconstruction> out = new ArrayList<>();
        long rows = 0;
        long requests = 0;
        for (int label : classes) {
            double[] x = start(config, d, globalMean, random);
            double[] best = x.clone();
            double bestCost = Double.POSITIVE_INFINITY;
            double bestConfidence = 0;
            List<Double> history = new ArrayList<>();
            StopReason reason = null;
            int iterations = 0;
            long classQueries = 0;
            while (reason == null) {
                double[][] dirs = directions(config.randomDirections(), d, random);
                double[][] batch = new double[1 + 2 * dirs.length][];
                batch[0] = x;
                double h = config.finiteDifferenceStep();
                for (int k = 0; k < dirs.length; k++) {
                    batch[1 + 2 * k] = shifted(x, dirs[k], h);
                    batch[2 + 2 * k] = shifted(x, dirs[k], -h);
                }
                HttpModelClient.Reply reply = client.predict(batch);
                if (!reply.answered()) {
                    out.add(new Reconstruction(label, best, bestConfidence, iterations, classQueries, null));
                    for (int c = out.size(); c < classes.length; c++) {
                        int other = classes[c];
                        double[] s = start(config, d, globalMean, random);
                        out.add(new Reconstruction(other, s, 0, 0, 0, null));
                    }
                    return new Result(out, rows, requests, true, reply.decision(), reply.reasons());
                }
                rows += batch.length;
                requests++;
                classQueries += batch.length;
                double confidence = policy.confidence(reply.released()[0], label);
                double cost = 1 - confidence;
                if (cost < bestCost) {
                    bestCost = cost;
                    best = x.clone();
                    bestConfidence = confidence;
                }
                if (cost <= 1 - config.targetConfidence()) {
                    reason = StopReason.TARGET_REACHED;
                } else if (history.size() >= config.patience() && cost >= maxOfLast(history, config.patience())) {
                    reason = StopReason.NO_IMPROVEMENT;
                } else if (iterations >= config.maxIterations()) {
                    reason = StopReason.MAX_ITERATIONS;
                }
                history.add(cost);
                if (reason != null) {
                    break;
                }
                double scale = (double) d / dirs.length;
                double[] next = x.clone();
                double[] gradient = new double[d];
                for (int k = 0; k < dirs.length; k++) {
                    double up = policy.confidence(reply.released()[1 + 2 * k], label);
                    double down = policy.confidence(reply.released()[2 + 2 * k], label);
                    double slope = -(up - down) / (2 * h);
                    for (int j = 0; j < d; j++) {
                        gradient[j] += scale * slope * dirs[k][j];
                    }
                }
                for (int j = 0; j < d; j++) {
                    next[j] = Math.min(1, Math.max(0, x[j] - config.stepSize() * gradient[j]));
                }
                x = next;
                iterations++;
            }
            out.add(new Reconstruction(label, best, bestConfidence, iterations, classQueries, reason));
        }
        return new Result(out, rows, requests, false, null, List.of());
    }

    private static double[] start(MiFaceConfig config, int d, double[] globalMean, SplittableRandom random) {
        return switch (config.start()) {
            case ZEROS -> new double[d];
            case GLOBAL_MEAN -> {
                Checks.notNull("globalMean", globalMean);
                Checks.equalTo("globalMean.length", globalMean.length, "input length", d);
                yield globalMean.clone();
            }
            case UNIFORM -> {
                double[] u = new double[d];
                for (int j = 0; j < d; j++) {
                    u[j] = random.nextDouble();
                }
                yield u;
            }
        };
    }

    private static double[][] directions(int count, int d, SplittableRandom random) {
        double[][] dirs = new double[count][d];
        for (double[] u : dirs) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                double u1 = 1 - random.nextDouble();
                double u2 = random.nextDouble();
                u[j] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
                norm += u[j] * u[j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                u[j] /= norm;
            }
        }
        return dirs;
    }

    private static double[] shifted(double[] x, double[] u, double h) {
        double[] out = x.clone();
        for (int j = 0; j < out.length; j++) {
            out[j] += h * u[j];
        }
        return out;
    }

    private static double maxOfLast(List<Double> history, int count) {
        double max = Double.NEGATIVE_INFINITY;
        for (int t = history.size() - count; t < history.size(); t++) {
            max = Math.max(max, history.get(t));
        }
        return max;
    }
}
