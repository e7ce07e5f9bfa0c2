package io.github.dpsgd4j.examples.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.RunRecipe;
import io.github.dpsgd4j.examples.training.RunResult;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON fields and charts that describe a training run, shared by the demo, train and sweep
 * commands. Field names are part of the command-line contract.
 *
 * <p>Stateless and thread-safe.
 */
public final class RunReports {

    /** What the JSON and text say about seeded noise. */
    public static final String SEEDED_NOISE = "seeded (not secure: for reproducible experiments only)";

    private RunReports() {
    }

    /**
     * The run's summary: {@code test_accuracy}, {@code epsilon}, {@code delta},
     * {@code target_epsilon}, {@code noise_multiplier}, {@code steps}, {@code epochs},
     * {@code sample_rate}, {@code expected_batch_size}, {@code clip}, {@code learning_rate},
     * {@code momentum}, {@code accountant}, {@code sampling_method} and {@code certified} (from the
     * ledger, when the run has one: false when any step used shuffled fixed-size batches, whose
     * epsilon is then not a certified bound), {@code noise}, {@code secure_noise}, {@code seconds}
     * (training, evaluation included), and {@code budget_stop} when the budget ended training early.
     */
    public static ObjectNode summary(RunResult result) {
        Checks.notNull("result", result);
        RunRecipe recipe = result.recipe();
        ObjectNode json = Json.object();
        json.put("private", recipe.isPrivate());
        json.put("test_accuracy", result.testAccuracy());
        Json.number(json, "epsilon", result.epsilon());
        json.put("delta", result.delta());
        Json.number(json, "target_epsilon", recipe.targetEpsilon());
        json.put("noise_multiplier", result.noiseMultiplier());
        json.put("steps", result.steps());
        json.put("epochs", result.epochs());
        json.put("sample_rate", result.sampleRate());
        json.put("expected_batch_size", recipe.expectedBatchSize());
        json.put("clip", recipe.l2NormClip());
        json.put("learning_rate", recipe.learningRate());
        json.put("momentum", RunRecipe.MOMENTUM);
        json.put("accountant", recipe.accountant().name().toLowerCase(Locale.ROOT));
        result.ledger().ifPresent(ledger -> {
            json.put("sampling_method", ledger.samplingMethod().name());
            json.put("certified", ledger.samplingMethod().isCertified());
        });
        json.put("noise", noise(result.secureNoise()));
        json.put("secure_noise", result.secureNoise());
        json.put("seconds", result.seconds());
        result.budgetStop().ifPresent(stop -> json.put("budget_stop", stop));
        return json;
    }

    /** "secure" or {@link #SEEDED_NOISE}. */
    public static String noise(boolean secure) {
        return secure ? "secure" : SEEDED_NOISE;
    }

    /** One object per epoch: {@code epoch}, {@code steps}, {@code test_accuracy}, {@code epsilon}, {@code seconds}. */
    public static ArrayNode history(List<EpochRecord> history) {
        Checks.notNull("history", history);
        ArrayNode array = Json.object().arrayNode();
        for (EpochRecord r : history) {
            ObjectNode e = array.addObject();
            e.put("epoch", r.epoch());
            e.put("steps", r.steps());
            e.put("test_accuracy", r.testAccuracy());
            Json.number(e, "epsilon", r.epsilon());
            e.put("seconds", r.seconds());
        }
        return array;
    }

    /** Test accuracy (percent) per epoch, one line per named run. */
    public static LineChart accuracyChart(String title, Map<String, List<EpochRecord>> runs) {
        LineChart chart = new LineChart(title, "epoch", "test accuracy (%)");
        for (Map.Entry<String, List<EpochRecord>> run : runs.entrySet()) {
            List<EpochRecord> h = run.getValue();
            double[] x = new double[h.size()];
            double[] y = new double[h.size()];
            for (int i = 0; i < h.size(); i++) {
                x[i] = h.get(i).epoch();
                y[i] = 100 * h.get(i).testAccuracy();
            }
            chart.add(new LineChart.Series(run.getKey(), x, y, false));
        }
        return chart;
    }

    /** Epsilon spent per epoch (PLD accountant), with the target as a dashed line. */
    public static LineChart epsilonChart(String title, List<EpochRecord> history, double targetEpsilon, double delta) {
        return epsilonChart(title, history, targetEpsilon, delta, AccountantType.PLD);
    }

    /** Epsilon spent per epoch by {@code accountant}, with the target as a dashed line. */
    public static LineChart epsilonChart(String title, List<EpochRecord> history, double targetEpsilon, double delta,
                                         AccountantType accountant) {
        LineChart chart = new LineChart(title, "epoch",
                String.format(Locale.ROOT, "epsilon spent (delta = %s, %s accountant)", delta, accountant));
        double[] x = new double[history.size()];
        double[] y = new double[history.size()];
        for (int i = 0; i < history.size(); i++) {
            x[i] = history.get(i).epoch();
            y[i] = history.get(i).epsilon();
        }
        chart.add(new LineChart.Series("epsilon spent", x, y, false));
        if (Double.isFinite(targetEpsilon) && history.size() > 0) {
            chart.add(new LineChart.Series("target epsilon", new double[] {x[0], x[x.length - 1]},
                    new double[] {targetEpsilon, targetEpsilon}, true));
        }
        return chart;
    }

    /** "92.5%". */
    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    /** "2.998" or "infinite". */
    public static String epsilon(double epsilon) {
        return Double.isFinite(epsilon) ? String.format(Locale.ROOT, "%.3f", epsilon) : "infinite";
    }

    /** "12.3". */
    public static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }
}
