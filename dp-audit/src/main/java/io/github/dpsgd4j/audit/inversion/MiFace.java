package io.github.dpsgd4j.audit.inversion;

import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MI-Face class reconstruction (Fredrikson, Jha and Ristenpart 2015, CCS, Algorithm 1; settings
 * in {@link MiFaceConfig}). All requested classes are searched together, one batch row per class,
 * each with its own stopping rule. {@code Process} is the identity (no denoising).
 *
 * <ul>
 *   <li>{@link #whiteBox}: the gradient of c(x) = 1 - p<sub>label</sub>(x) comes from DL4J's
 *       backpropagation to the input ({@link Dl4jClassifier#confidenceGradient}).</li>
 *   <li>{@link #blackBox}: only responses through an {@link OutputPolicy} are used: the cost is 1
 *       minus the confidence the attacker reads from the response, and its gradient is estimated
 *       by central differences (coordinate-wise or along random directions). Rounded or label-only
 *       responses flatten the cost, so the search stalls: that is the countermeasure at work.</li>
 * </ul>
 * Not thread-safe (uses the model).
 */
public final class MiFace {

    private MiFace() {
    }

    /**
     * White-box reconstructions of {@code classes}.
     *
     * @param model      the target
     * @param classes    labels to reconstruct, each in [0, K)
     * @param dimension  number of input features (pixels)
     * @param globalMean the attacker's global mean image (used by {@link StartPoint#GLOBAL_MEAN}; may be null otherwise)
     * @param config     settings
     */
    public static List<Reconstruction> whiteBox(Dl4jClassifier model, int[] classes, int dimension, double[] globalMean,
                                                MiFaceConfig config) {
        Checks.notNull("model", model);
        return search(classes, dimension, globalMean, config, (x, labels) -> {
            Dl4jClassifier.ConfidenceGradient g = model.confidenceGradient(toArray(x), labels);
            double[][] costGradient = g.gradients();
            for (double[] row : costGradient) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = -row[j];
                }
            }
            return new Evaluation(g.confidences(), costGradient, x.length);
        });
    }

    /**
     * Black-box reconstructions of {@code classes} from responses through {@code policy}.
     *
     * @param model      the target (queried only through {@code policy})
     * @param policy     what each query returns
     * @param classes    labels to reconstruct
     * @param dimension  number of input features
     * @param globalMean the attacker's global mean image (for {@link StartPoint#GLOBAL_MEAN})
     * @param config     settings (finite-difference step, random directions)
     */
    public static List<Reconstruction> blackBox(Dl4jClassifier model, OutputPolicy policy, int[] classes, int dimension,
                                                double[] globalMean, MiFaceConfig config) {
        Checks.notNull("model", model);
        Checks.notNull("policy", policy);
        SplittableRandom random = new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
        double h = config.finiteDifferenceStep();
        int directions = config.randomDirections();
        return search(classes, dimension, globalMean, config, (x, labels) -> {
            int rows = x.length;
            int perRow = directions == 0 ? 2 * dimension : 2 * directions;
            double[][] queries = new double[rows * (perRow + 1)][];
            double[][][] dirs = new double[rows][][];
            int q = 0;
            for (int r = 0; r < rows; r++) {
                queries[q++] = x[r];
                int count = directions == 0 ? dimension : directions;
                dirs[r] = new double[count][];
                for (int k = 0; k < count; k++) {
                    double[] u = new double[dimension];
                    if (directions == 0) {
                        u[k] = 1;
                    } else {
                        double norm = 0;
                        for (int j = 0; j < dimension; j++) {
                            u[j] = gaussian(random);
                            norm += u[j] * u[j];
                        }
                        norm = Math.sqrt(norm);
                        for (int j = 0; j < dimension; j++) {
                            u[j] /= norm;
                        }
                    }
                    dirs[r][k] = u;
                    double[] plus = x[r].clone();
                    double[] minus = x[r].clone();
                    for (int j = 0; j < dimension; j++) {
                        plus[j] += h * u[j];
                        minus[j] -= h * u[j];
                    }
                    queries[q++] = plus;
                    queries[q++] = minus;
                }
            }
            double[][] logits = model.logits(toArray(queries));
            double[] confidence = new double[rows];
            double[][] gradient = new double[rows][dimension];
            q = 0;
            for (int r = 0; r < rows; r++) {
                confidence[r] = policy.confidence(policy.release(logits[q++]), labels[r]);
                int count = dirs[r].length;
                // Coordinate-wise: the exact central-difference gradient. Random directions:
                // d/count * sum_k (derivative along u_k) u_k estimates the gradient (E[u u^T] = I/d).
                double scale = directions == 0 ? 1 : (double) dimension / count;
                for (int k = 0; k < count; k++) {
                    double up = policy.confidence(policy.release(logits[q++]), labels[r]);
                    double down = policy.confidence(policy.release(logits[q++]), labels[r]);
                    double slope = -(up - down) / (2 * h); // derivative of the cost 1 - p
                    double[] u = dirs[r][k];
                    for (int j = 0; j < dimension; j++) {
                        gradient[r][j] += scale * slope * u[j];
                    }
                }
            }
            return new Evaluation(confidence, gradient, queries.length);
        });
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private record Evaluation(double[] confidences, double[][] costGradients, long queries) {
    }

    @FunctionalInterface
    private interface Oracle {
        Evaluation evaluate(double[][] x, int[] labels);
    }

    private static List<Reconstruction> search(int[] classes, int dimension, double[] globalMean, MiFaceConfig config,
                                               Oracle oracle) {
        Checks.notNull("classes", classes);
        Checks.positive("dimension", dimension);
        Checks.notNull("config", config);
        if (config.start() == StartPoint.GLOBAL_MEAN) {
            Checks.notNull("globalMean", globalMean);
            Checks.equalTo("globalMean.length", globalMean.length, "dimension", dimension);
        }
        int k = classes.length;
        SplittableRandom random = new SplittableRandom(config.seed());
        double[][] x = new double[k][];
        for (int c = 0; c < k; c++) {
            x[c] = switch (config.start()) {
                case ZEROS -> new double[dimension];
                case GLOBAL_MEAN -> globalMean.clone();
                case UNIFORM -> {
                    double[] u = new double[dimension];
                    for (int j = 0; j < dimension; j++) {
                        u[j] = random.nextDouble();
                    }
                    yield u;
                }
            };
        }
        double[][] best = new double[k][];
        double[] bestCost = new double[k];
        double[] bestConfidence = new double[k];
        int[] iterations = new int[k];
        long[] queries = new long[k];
        StopReason[] reason = new StopReason[k];
        List<List<Double>> history = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            history.add(new ArrayList<>());
            bestCost[c] = Double.POSITIVE_INFINITY;
        }
        double gamma = 1 - config.targetConfidence();
        int[] active = range(k);
        double[][] gradients = new double[k][];
        for (int i = 0; active.length > 0; i++) {
            double[][] xs = new double[active.length][];
            int[] labels = new int[active.length];
            for (int a = 0; a < active.length; a++) {
                xs[a] = x[active[a]];
                labels[a] = classes[active[a]];
            }
            Evaluation e = oracle.evaluate(xs, labels);
            long perRow = e.queries() / active.length;
            List<Integer> stillActive = new ArrayList<>();
            for (int a = 0; a < active.length; a++) {
                int c = active[a];
                double cost = 1 - e.confidences()[a];
                queries[c] += perRow;
                List<Double> h = history.get(c);
                if (cost < bestCost[c]) {
                    bestCost[c] = cost;
                    best[c] = x[c].clone();
                    bestConfidence[c] = e.confidences()[a];
                }
                if (cost <= gamma) {
                    reason[c] = StopReason.TARGET_REACHED;
                } else if (h.size() >= config.patience()
                        && cost >= maxOfLast(h, config.patience())) {
                    reason[c] = StopReason.NO_IMPROVEMENT;
                } else if (i >= config.maxIterations()) {
                    reason[c] = StopReason.MAX_ITERATIONS;
                }
                h.add(cost);
                if (reason[c] != null) {
                    continue;
                }
                gradients[c] = e.costGradients()[a];
                double[] next = x[c].clone();
                for (int j = 0; j < dimension; j++) {
                    next[j] = Math.min(1, Math.max(0, next[j] - config.stepSize() * gradients[c][j]));
                }
                x[c] = next;
                iterations[c]++;
                stillActive.add(c);
            }
            active = stillActive.stream().mapToInt(Integer::intValue).toArray();
        }
        List<Reconstruction> out = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            out.add(new Reconstruction(classes[c], best[c], bestConfidence[c], iterations[c], queries[c], reason[c]));
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

    private static int[] range(int k) {
        int[] r = new int[k];
        for (int i = 0; i < k; i++) {
            r[i] = i;
        }
        return r;
    }

    static INDArray toArray(double[][] rows) {
        int n = rows.length;
        int d = rows[0].length;
        double[] flat = new double[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return Nd4j.createFromArray(flat).reshape(n, d).castTo(DataType.FLOAT);
    }
}
