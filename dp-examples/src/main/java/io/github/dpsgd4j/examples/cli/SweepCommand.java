package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.data.TrainTestSplit;
import io.github.dpsgd4j.examples.report.Json;
import io.github.dpsgd4j.examples.report.LineChart;
import io.github.dpsgd4j.examples.report.ReportFolder;
import io.github.dpsgd4j.examples.report.RunReports;
import io.github.dpsgd4j.examples.training.ModelKind;
import io.github.dpsgd4j.examples.training.PreparedData;
import io.github.dpsgd4j.examples.training.Preset;
import io.github.dpsgd4j.examples.training.RunRecipe;
import io.github.dpsgd4j.examples.training.RunResult;
import io.github.dpsgd4j.examples.training.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code dpsgd4j sweep}: the privacy-utility curve, one training run per target epsilon, as CSV and
 * PNG.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Trains one model per target epsilon (default 0.5, 1, 2, 3, 8 and inf, the last without noise) and "
                        + "writes test accuracy against epsilon as sweep.csv and accuracy-vs-epsilon.png.",
                "digits uses the demo's recipe (64-64-10 tanh MLP, 30 epochs); fashion-mnist the fashion-mnist-eps3 "
                        + "preset's recipe (ScatterNet + linear model)."})
final class SweepCommand implements Callable<Integer> {

    /** The default target epsilons. */
    static final String DEFAULT_EPSILONS = "0.5,1,2,3,8,inf";

    @ParentCommand
    private Dpsgd4jCommand parent;

    @Spec
    private CommandSpec spec;

    @Option(names = "--dataset", paramLabel = "NAME", required = true,
            description = "digits (bundled) or fashion-mnist (installed).")
    private String dataset;

    @Option(names = "--epsilons", paramLabel = "LIST", defaultValue = DEFAULT_EPSILONS,
            description = "Comma-separated target epsilons, each > 0 or 'inf' (default: ${DEFAULT-VALUE}).")
    private String epsilons;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs of every run (default: the recipe's).")
    private Integer epochs;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Report folder (default: reports/sweep-<dataset>-<yyyyMMdd-HHmmss>).")
    private Path out;

    @Mixin
    private DataOptions dataOptions;

    @Option(names = "--seed", paramLabel = "S",
            description = "Use seeded noise and sampling (NOT SECURE: for reproducible experiments only).")
    private Long seed;

    @Option(names = "--json", description = "Print the result as one JSON object on the last line of standard output.")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        DatasetName d = DatasetName.parse(dataset);
        List<Double> targets = parseEpsilons(epsilons);
        RunRecipe base = recipe(d);
        if (epochs != null) {
            base = base.withEpochs(Checks.positive("--epochs", epochs));
        }
        dataOptions.workers();
        TrainTestSplit split = dataOptions.load(d);
        base.sampleRate(split.train().size());
        ReportFolder folder = ReportFolder.create(out, "sweep-" + d.cliName());
        ProgressDisplay progress = new ProgressDisplay(spec.commandLine().getErr(), parent.interactive());
        PreparedData prepared = dataOptions.prepare(d, split, base.model(), progress);

        List<RunResult> results = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            NoiseSource noise = seed == null ? NoiseSource.secure() : NoiseSource.seeded(seed + i);
            results.add(new TrainingRun(base.withTargetEpsilon(targets.get(i)), prepared, noise,
                    TrainCommand.DEFAULT_MODEL_SEED, progress).train(null));
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        ObjectNode summary = Json.object();
        summary.put("dataset", d.cliName());
        summary.put("model", base.model().cliName());
        summary.put("epochs", base.epochs());
        summary.put("expected_batch_size", base.expectedBatchSize());
        summary.put("clip", base.l2NormClip());
        summary.put("learning_rate", base.learningRate());
        summary.put("delta", base.delta());
        ArrayNode points = summary.putArray("points");
        for (RunResult r : results) {
            ObjectNode p = points.addObject();
            Json.number(p, "target_epsilon", r.recipe().targetEpsilon());
            Json.number(p, "epsilon", r.epsilon());
            p.put("test_accuracy", r.testAccuracy());
            p.put("noise_multiplier", r.noiseMultiplier());
            p.put("steps", r.steps());
            p.put("seconds", r.seconds());
        }
        summary.put("noise", RunReports.noise(seed == null));
        summary.put("secure_noise", seed == null);
        summary.put("seconds", seconds);
        summary.put("report_dir", folder.directory().toString());
        writeReport(folder, summary, results);

        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            stdout.println(Json.oneLine(summary));
            stdout.flush();
        } else {
            stdout.printf("dpsgd4j sweep: %s on %s, %d epochs, expected batch %d, clip %s, lr %s, delta %s%n%n",
                    base.model().cliName(), d.cliName(), base.epochs(), base.expectedBatchSize(), base.l2NormClip(),
                    base.learningRate(), base.delta());
            TextTable table = new TextTable("target epsilon", "epsilon", "test accuracy", "noise multiplier", "seconds");
            for (RunResult r : results) {
                table.row(RunReports.epsilon(r.recipe().targetEpsilon()), RunReports.epsilon(r.epsilon()),
                        RunReports.percent(r.testAccuracy()), String.format(Locale.ROOT, "%.4f", r.noiseMultiplier()),
                        RunReports.seconds(r.seconds()));
            }
            table.print(stdout, "");
            stdout.printf("%nreport: %s (sweep.csv, accuracy-vs-epsilon.png, report.json); total %s s, %s noise%n",
                    folder.directory(), RunReports.seconds(seconds), RunReports.noise(seed == null));
            stdout.flush();
        }
        return 0;
    }

    /** The sweep's recipe for a data set. */
    static RunRecipe recipe(DatasetName dataset) {
        return switch (dataset) {
            case DIGITS -> new RunRecipe(DatasetName.DIGITS, ModelKind.MLP,
                    DemoCommand.TARGET_EPSILON, DemoCommand.DELTA, 30, DemoCommand.BATCH_SIZE, DemoCommand.CLIP,
                    DemoCommand.LEARNING_RATE);
            case FASHION_MNIST -> Preset.FASHION_MNIST_EPS3.recipe();
        };
    }

    /** Parses "0.5,1,inf": at least one value, each > 0 or inf. */
    static List<Double> parseEpsilons(String list) {
        List<Double> values = new ArrayList<>();
        for (String part : list.split(",")) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("--epsilons must be a comma-separated list of numbers > 0 or 'inf', "
                        + "got '" + list + "'");
            }
            try {
                values.add(TrainCommand.parseEpsilon(part));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--epsilons: " + e.getMessage().replace("--target-epsilon ", "each "));
            }
        }
        if (values.stream().noneMatch(Double::isFinite)) {
            throw new IllegalArgumentException("--epsilons needs at least one finite epsilon, got '" + list + "'");
        }
        return values;
    }

    private static void writeReport(ReportFolder folder, ObjectNode summary, List<RunResult> results)
            throws IOException {
        StringBuilder csv = new StringBuilder("target_epsilon,epsilon,delta,test_accuracy,noise_multiplier,steps,seconds\n");
        for (RunResult r : results) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%.6f,%d,%.3f%n", csvNumber(r.recipe().targetEpsilon()),
                    csvNumber(r.epsilon()), r.delta(), r.testAccuracy(), r.noiseMultiplier(), r.steps(), r.seconds()));
        }
        folder.writeText("sweep.csv", csv.toString());
        ObjectNode report = summary.deepCopy();
        report.put("command", "sweep");
        folder.writeJson("report.json", report);

        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        double minX = Double.POSITIVE_INFINITY;
        double maxX = 0;
        for (RunResult r : results) {
            if (r.recipe().isPrivate()) {
                xs.add(r.epsilon());
                ys.add(100 * r.testAccuracy());
                minX = Math.min(minX, r.epsilon());
                maxX = Math.max(maxX, r.epsilon());
            }
        }
        RunRecipe recipe = results.get(0).recipe();
        LineChart chart = new LineChart(recipe.dataset().cliName() + ", " + recipe.model().cliName()
                + ": test accuracy against epsilon (delta = " + recipe.delta() + ")", "epsilon (log scale)",
                "test accuracy (%)").logarithmicX();
        chart.add(new LineChart.Series("DP-SGD", xs.stream().mapToDouble(Double::doubleValue).toArray(),
                ys.stream().mapToDouble(Double::doubleValue).toArray(), false));
        for (RunResult r : results) {
            if (!r.recipe().isPrivate() && !xs.isEmpty()) {
                chart.add(new LineChart.Series("no noise (epsilon = infinity)", new double[] {minX, maxX},
                        new double[] {100 * r.testAccuracy(), 100 * r.testAccuracy()}, true));
            }
        }
        chart.savePng(folder.file("accuracy-vs-epsilon.png"));
    }

    private static String csvNumber(double value) {
        return Double.isFinite(value) ? Double.toString(value) : "inf";
    }
}
