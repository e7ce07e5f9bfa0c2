package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.data.TrainTestSplit;
import io.github.dpsgd4j.examples.report.Json;
import io.github.dpsgd4j.examples.report.OutputDirectory;
import io.github.dpsgd4j.examples.report.ReportFolder;
import io.github.dpsgd4j.examples.report.RunReports;
import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.ModelKind;
import io.github.dpsgd4j.examples.training.PreparedData;
import io.github.dpsgd4j.examples.training.Preset;
import io.github.dpsgd4j.examples.training.RunRecipe;
import io.github.dpsgd4j.examples.training.RunResult;
import io.github.dpsgd4j.optimizers.DpSgdCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code dpsgd4j train}: one training run with a progress bar, per-epoch accuracy and epsilon,
 * optional checkpoints, and a report folder.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Trains a model with DP-SGD at a target epsilon (noise calibrated with the accountant, PLD by default, "
                        + "so that all epochs spend it) and reports test accuracy and epsilon after every epoch.",
                "Give --dataset (and optionally the other recipe options), or --preset NAME, or --resume DIR.",
                "Writes a report folder: report.json, accuracy.png, epsilon.png, ledger.json, model.zip."})
final class TrainCommand implements Callable<Integer> {

    /** Weight-initialisation seed when --seed is not given (not privacy noise). */
    static final long DEFAULT_MODEL_SEED = 7;

    @ParentCommand
    private Dpsgd4jCommand parent;

    @Spec
    private CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "A documented recipe: fashion-mnist-eps3 (ScatterNet + linear model on Fashion-MNIST, "
                    + "epsilon 3, delta 1e-5), or fashion-mnist-finetune-eps1 (residual CNN pretrained on public "
                    + "data, fine-tuned privately at epsilon 1, beside the same CNN trained privately from scratch; "
                    + "-public20k: the same with 20,000 public examples instead of 10,000). "
                    + "Excludes the recipe options.")
    private String preset;

    @Option(names = "--dataset", paramLabel = "NAME", description = "digits (bundled) or fashion-mnist (installed).")
    private String dataset;

    @Option(names = "--model", paramLabel = "NAME",
            description = "mlp (default), cnn, scatternet (linear model on ScatterNet features), or lstm (reads "
                    + "the image row by row; on fashion-mnist its defaults are 6 epochs and batch 1024).")
    private String model;

    @Option(names = "--target-epsilon", paramLabel = "E",
            description = "Epsilon to spend over all epochs, > 0, or 'inf' for a non-private baseline without noise "
                    + "(default: 3).")
    private String targetEpsilon;

    @Option(names = "--delta", paramLabel = "D", description = "Delta in (0, 1) (default: 1e-5).")
    private Double delta;

    @Option(names = "--accountant", paramLabel = "pld|rdp", converter = AccountantOptions.AccountantTypeConverter.class,
            description = "Accountant for calibration, the budget guard and the report, case-insensitive (default: pld, "
                    + "tight; rdp is looser but calibrates very large targets that PLD's grid cannot hold).")
    private AccountantType accountant;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs, >= 1; an epoch is ceil(N/B) steps "
            + "(default: 30; with --resume, the new total).")
    private Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B",
            description = "Expected Poisson batch size, in [1, training set size]; q = B/N (default: 256).")
    private Integer batchSize;

    @Option(names = "--clip", paramLabel = "C",
            description = "Per-example L2 clipping norm, > 0 (default: 1; 0.1 for scatternet).")
    private Double clip;

    @Option(names = "--lr", paramLabel = "X",
            description = "Nesterov learning rate (momentum 0.9), > 0 (default: 0.1; 16 for scatternet).")
    private Double learningRate;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Write a checkpoint (model, updater state, privacy ledger) after every epoch to DIR.")
    private Path checkpoint;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run checkpointed in DIR (same recipe; the privacy ledger continues).")
    private Path resume;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Report folder (default: reports/train-<dataset>-<model>-<yyyyMMdd-HHmmss>).")
    private Path out;

    @Mixin
    private DataOptions dataOptions;

    @Option(names = "--seed", paramLabel = "S",
            description = "Use seeded noise and sampling (NOT SECURE: for reproducible experiments only); also seeds "
                    + "the weights. Default: secure noise.")
    private Long seed;

    @Option(names = "--json", description = "Print the result as one JSON object on the last line of standard output.")
    private boolean json;

    @Option(names = "--engine", paramLabel = "local|spark",
            description = "Where the private steps run: local (default) or spark (dp-spark, an embedded Spark driver).")
    private String engine;

    @Option(names = "--spark-master", paramLabel = "URL",
            description = "Spark master for --engine spark: local[N] (default local[2]), spark://host:port, yarn.")
    private String sparkMaster;

    private boolean sparkEngine;

    @Override
    public Integer call() throws IOException {
        if (preset != null && resume == null && Preset.parse(preset).fineTuneRecipe().isPresent()) {
            return fineTune(Preset.parse(preset));
        }
        long start = System.nanoTime();
        sparkEngine = EngineOption.spark(engine, sparkMaster);
        TrainState state = resolveState();
        RunRecipe recipe = state.recipe();
        if (out != null) {
            OutputDirectory.requireUsable("--out", out);
        }
        if (checkpoint != null) {
            OutputDirectory.requireUsable("--checkpoint", checkpoint);
        }
        dataOptions.workers();
        if (checkpoint != null && (DpSgdCheckpoint.exists(checkpoint)
                || Files.exists(checkpoint.resolve(TrainState.FILE_NAME)))) {
            throw new IllegalArgumentException("--checkpoint " + checkpoint + " already holds a run: continue it with "
                    + "--resume " + checkpoint + ", or choose an empty directory");
        }
        TrainTestSplit split = dataOptions.load(recipe.dataset());
        int n = split.train().size();
        if (recipe.expectedBatchSize() > n) {
            throw new IllegalArgumentException("--batch-size must be <= the training set size " + n + " ("
                    + recipe.dataset().cliName() + "), got " + recipe.expectedBatchSize());
        }
        ReportFolder folder = ReportFolder.create(out, "train-" + recipe.dataset().cliName() + "-"
                + recipe.model().cliName());
        ProgressDisplay progress = new ProgressDisplay(spec.commandLine().getErr(), parent.interactive());
        PreparedData prepared = dataOptions.prepare(recipe.dataset(), split, recipe.model(), progress);

        NoiseSource noise = seed == null ? NoiseSource.secure() : NoiseSource.seeded(seed);
        Path checkpointDirectory = resume != null ? resume : checkpoint;
        TrainStateKeeper keeper = new TrainStateKeeper(progress, state, checkpointDirectory);
        EngineRun run = new EngineRun(sparkEngine ? EngineOption.master(sparkMaster) : null, recipe, prepared, noise,
                state, keeper);
        if (checkpointDirectory != null && resume == null) {
            state.write(checkpointDirectory);
        }
        RunResult result;
        try {
            result = run.train(checkpointDirectory, resume != null, spec.commandLine().getErr());
        } catch (IllegalArgumentException | IllegalStateException ex) {
            throw withAdviceTrainCanFollow(ex, recipe);
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        ObjectNode summary = summary(state, result, prepared, seconds, folder);
        writeReport(folder, summary, result);
        io.github.dpsgd4j.serving.card.PrivacyCard.writeBeside(folder.directory());
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            stdout.println(Json.oneLine(summary));
            stdout.flush();
        } else {
            printText(stdout, state, result, prepared, seconds, folder);
        }
        return 0;
    }

    /** A fine-tuning preset: its own comparison of two private runs and its own report. */
    private int fineTune(Preset p) throws IOException {
        rejectWith("--preset " + p.cliName(), "a fine-tuning preset fixes both runs and keeps no checkpoints",
                dataset != null ? "--dataset" : null, model != null ? "--model" : null,
                targetEpsilon != null ? "--target-epsilon" : null, delta != null ? "--delta" : null,
                epochs != null ? "--epochs" : null, batchSize != null ? "--batch-size" : null,
                clip != null ? "--clip" : null, learningRate != null ? "--lr" : null,
                checkpoint != null ? "--checkpoint" : null, accountant != null ? "--accountant" : null);
        if (out != null) {
            OutputDirectory.requireUsable("--out", out);
        }
        TrainTestSplit split = dataOptions.load(DatasetName.FASHION_MNIST);
        return FineTunePresetRun.run(p.cliName(), p.fineTuneRecipe().orElseThrow(), split, out, seed, json,
                new ProgressDisplay(spec.commandLine().getErr(), parent.interactive()), spec.commandLine().getOut());
    }

    /** The recipe, preset and history from the options, the preset, or the checkpoint to resume. */
    private TrainState resolveState() throws IOException {
        if (resume != null) {
            rejectWith("--resume", "a resumed run keeps its recipe", preset != null ? "--preset" : null,
                    dataset != null ? "--dataset" : null, model != null ? "--model" : null,
                    targetEpsilon != null ? "--target-epsilon" : null, delta != null ? "--delta" : null,
                    batchSize != null ? "--batch-size" : null, clip != null ? "--clip" : null,
                    learningRate != null ? "--lr" : null, checkpoint != null ? "--checkpoint" : null,
                    accountant != null ? "--accountant" : null);
            TrainState state = TrainState.read(resume);
            if (epochs != null) {
                Checks.positive("--epochs", epochs);
                return new TrainState(state.recipe().withEpochs(epochs), state.preset(), state.modelSeed(),
                        state.history());
            }
            return state;
        }
        long modelSeed = seed != null ? seed : DEFAULT_MODEL_SEED;
        if (preset != null) {
            Preset p = Preset.parse(preset);
            rejectWith("--preset", "a preset fixes the whole recipe", dataset != null ? "--dataset" : null,
                    model != null ? "--model" : null, targetEpsilon != null ? "--target-epsilon" : null,
                    delta != null ? "--delta" : null, epochs != null ? "--epochs" : null,
                    batchSize != null ? "--batch-size" : null, clip != null ? "--clip" : null,
                    learningRate != null ? "--lr" : null);
            RunRecipe recipe = accountant == null ? p.recipe() : p.recipe().withAccountant(accountant);
            return new TrainState(recipe, p.cliName(), modelSeed, List.of());
        }
        if (dataset == null) {
            throw new ParameterException(spec.commandLine(), "missing option --dataset (digits or fashion-mnist), "
                    + "or give --preset NAME or --resume DIR");
        }
        DatasetName d = DatasetName.parse(dataset);
        ModelKind m = model == null ? ModelKind.MLP : ModelKind.parse(model);
        double e = parseEpsilon(targetEpsilon == null ? "3" : targetEpsilon);
        double dl = delta == null ? 1e-5 : Checks.openUnitInterval("--delta", delta);
        int ep = epochs == null ? m.defaultEpochs(d) : Checks.positive("--epochs", epochs);
        int b = batchSize == null ? m.defaultBatchSize(d) : Checks.positive("--batch-size", batchSize);
        double c = clip == null ? (m == ModelKind.SCATTERNET ? 0.1 : 1.0) : Checks.finitePositive("--clip", clip);
        double lr = learningRate == null ? m.defaultLearningRate() : Checks.finitePositive("--lr", learningRate);
        AccountantType a = accountant == null ? AccountantType.PLD : accountant;
        return new TrainState(new RunRecipe(d, m, e, dl, ep, b, c, lr, a), null, modelSeed, List.of());
    }

    /**
     * The library's calibration errors advise "the RDP accountant"; on this command line that is
     * {@code --accountant rdp}, so say so (with the other ways out) instead of advice train cannot take.
     */
    static RuntimeException withAdviceTrainCanFollow(RuntimeException ex, RunRecipe recipe) {
        String message = ex.getMessage() == null ? "" : ex.getMessage();
        if (recipe.accountant() == AccountantType.PLD && message.contains("RDP accountant")) {
            return new IllegalArgumentException("the PLD accountant cannot calibrate --target-epsilon "
                    + recipe.targetEpsilon() + " (" + message + "): use --accountant rdp, a smaller --target-epsilon, "
                    + "or --target-epsilon inf for a non-private baseline", ex);
        }
        return ex;
    }

    /** Parses --target-epsilon: a number > 0, or inf / infinity for the non-private baseline. */
    static double parseEpsilon(String text) {
        double value;
        try {
            value = DoubleConverter.parse(text);
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("--target-epsilon must be a number > 0 or 'inf', got '" + text + "'");
        }
        if (!(value > 0)) {
            throw new IllegalArgumentException("--target-epsilon must be > 0 (or 'inf' for a non-private baseline), got "
                    + text);
        }
        return value;
    }

    private void rejectWith(String option, String reason, String... given) {
        List<String> conflicts = new ArrayList<>();
        for (String g : given) {
            if (g != null) {
                conflicts.add(g);
            }
        }
        if (!conflicts.isEmpty()) {
            throw new ParameterException(spec.commandLine(), option + " cannot be combined with "
                    + String.join(", ", conflicts) + ": " + reason);
        }
    }

    private ObjectNode summary(TrainState state, RunResult result, PreparedData prepared, double seconds,
                               ReportFolder folder) {
        RunRecipe recipe = result.recipe();
        ObjectNode summary = Json.object();
        summary.put("dataset", recipe.dataset().cliName());
        summary.put("model", recipe.model().cliName());
        if (state.preset() != null) {
            summary.put("preset", state.preset());
        }
        summary.put("train_size", prepared.trainingSize());
        summary.put("test_size", prepared.testSize());
        summary.setAll(RunReports.summary(result));
        summary.put("training_seconds", result.seconds());
        summary.put("feature_seconds", prepared.featureSeconds());
        summary.put("seconds", seconds);
        summary.put("resumed", resume != null);
        if (sparkEngine) {
            summary.put("engine", "spark");
        }
        Path checkpointDirectory = resume != null ? resume : checkpoint;
        if (checkpointDirectory != null) {
            summary.put("checkpoint_dir", checkpointDirectory.toString());
        }
        summary.put("report_dir", folder.directory().toString());
        return summary;
    }

    private static void writeReport(ReportFolder folder, ObjectNode summary, RunResult result) throws IOException {
        RunRecipe recipe = result.recipe();
        ObjectNode report = summary.deepCopy();
        report.put("command", "train");
        report.put("processors", Runtime.getRuntime().availableProcessors());
        report.put("java", System.getProperty("java.version"));
        report.set("history", RunReports.history(result.history()));
        folder.writeJson("report.json", report);
        String name = recipe.dataset().cliName() + ", " + recipe.model().cliName();
        Map<String, List<EpochRecord>> curves = new LinkedHashMap<>();
        curves.put(recipe.isPrivate() ? "DP-SGD (target epsilon = " + recipe.targetEpsilon() + ")" : "no noise",
                result.history());
        RunReports.accuracyChart(name + ": test accuracy per epoch", curves).savePng(folder.file("accuracy.png"));
        RunReports.epsilonChart(name + ": privacy spent per epoch", result.history(), recipe.targetEpsilon(),
                recipe.delta(), recipe.accountant()).savePng(folder.file("epsilon.png"));
        folder.writeText("ledger.json", result.ledger().orElseThrow().toJson());
        folder.writeModel("model.zip", result.network(), result.ledger().orElseThrow(), result.config());
    }

    private void printText(PrintWriter stdout, TrainState state, RunResult result, PreparedData prepared,
                           double seconds, ReportFolder folder) {
        RunRecipe r = result.recipe();
        stdout.printf("dpsgd4j train%s: %s on %s (%d training / %d test examples%s), %d epochs, expected batch %d "
                        + "(q = %.4f), clip %s, Nesterov lr %s%n%n",
                state.preset() == null ? "" : " --preset " + state.preset(), r.model().cliName(), r.dataset().cliName(),
                prepared.trainingSize(), prepared.testSize(),
                prepared.scattering() ? ", " + prepared.inputLength() + " ScatterNet features" : "", r.epochs(),
                r.expectedBatchSize(), result.sampleRate(), r.l2NormClip(), r.learningRate());
        TextTable epochsTable = new TextTable("epoch", "steps", "test accuracy", "epsilon", "seconds");
        for (EpochRecord e : result.history()) {
            epochsTable.row(Integer.toString(e.epoch()), Long.toString(e.steps()), RunReports.percent(e.testAccuracy()),
                    RunReports.epsilon(e.epsilon()), RunReports.seconds(e.seconds()));
        }
        epochsTable.print(stdout, "  ");
        stdout.println();
        TextTable summary = new TextTable("result", "");
        summary.row("test accuracy", RunReports.percent(result.testAccuracy()))
                .row("epsilon", RunReports.epsilon(result.epsilon()) + " (delta = " + result.delta()
                        + ", " + r.accountant() + " accountant" + (r.isPrivate() ? ", target " + r.targetEpsilon() : "") + ")")
                .row("noise multiplier", String.format(Locale.ROOT, "%.4f", result.noiseMultiplier()))
                .row("steps", Long.toString(result.steps()))
                .row("seconds", String.format(Locale.ROOT, "%s (features %s, training %s)", RunReports.seconds(seconds),
                        RunReports.seconds(prepared.featureSeconds()), RunReports.seconds(result.seconds())))
                .row("noise", RunReports.noise(result.secureNoise()))
                .row("report", folder.directory().toString());
        result.budgetStop().ifPresent(stop -> summary.row("budget stop", stop));
        summary.print(stdout, "");
    }
}
