package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.audit.AuditExecution;
import io.github.dpsgd4j.audit.AuditSettings;
import io.github.dpsgd4j.audit.ModelAudit;
import io.github.dpsgd4j.audit.QuickAudit;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.audit.report.AuditJson;
import io.github.dpsgd4j.audit.report.AuditReportWriter;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.data.TrainTestSplit;
import io.github.dpsgd4j.examples.report.Json;
import io.github.dpsgd4j.examples.report.ReportFolder;
import io.github.dpsgd4j.examples.report.RunReports;
import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.ModelKind;
import io.github.dpsgd4j.examples.training.PreparedData;
import io.github.dpsgd4j.examples.training.RunRecipe;
import io.github.dpsgd4j.examples.training.RunResult;
import io.github.dpsgd4j.examples.training.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code dpsgd4j demo}: a non-private and a private model on the bundled digits, side by side,
 * with a report folder. Needs no data but what ships with dpsgd4j.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Trains a 64-64-10 tanh MLP on the bundled 8x8 digits twice: without noise (epsilon = infinity) "
                        + "and with DP-SGD at epsilon = 3, delta = 1e-5 (noise calibrated with the PLD accountant).",
                "Prints a table (accuracy, epsilon, seconds) and writes a report folder: report.json, "
                        + "accuracy.png, epsilon.png, the privacy ledger, the private model (model.zip, ready for "
                        + "'dpsgd4j serve') and its privacy card (card.json, card.html)."})
final class DemoCommand implements Callable<Integer> {

    /** The private run's target epsilon. */
    static final double TARGET_EPSILON = 3.0;
    /** The private run's delta. */
    static final double DELTA = 1e-5;
    /** Expected Poisson batch size. */
    static final int BATCH_SIZE = 256;
    /** Per-example clipping norm. */
    static final double CLIP = 1.0;
    /** Nesterov learning rate (momentum 0.9). */
    static final double LEARNING_RATE = 0.1;
    /** Seed of the weight initialisation (not privacy noise). */
    static final long MODEL_SEED = 7;

    @ParentCommand
    private Dpsgd4jCommand parent;

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print the result as one JSON object on the last line of standard output.")
    private boolean json;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Report folder (default: reports/demo-<yyyyMMdd-HHmmss>).")
    private Path out;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "30",
            description = "Epochs of each run, >= 1 (default: ${DEFAULT-VALUE}).")
    private int epochs;

    @Option(names = "--seed", paramLabel = "S",
            description = "Use seeded noise and sampling (NOT SECURE: for reproducible experiments only). "
                    + "Default: secure noise.")
    private Long seed;

    @Option(names = "--no-audit", description = "Skip the quick privacy audit after training.")
    private boolean noAudit;

    @Option(names = "--shadow-models", paramLabel = "K", defaultValue = "8",
            description = "Shadow (reference) models per audited model for LiRA and RMIA, even, >= 2 (default: "
                    + "${DEFAULT-VALUE}; on the digits 8 give the same verdicts as 16 at half the time; fewer is "
                    + "faster and weaker).")
    private int shadowModels;

    /**
     * The two trained models and the data they saw: the members (training set) and non-members
     * (test set) that an audit of the models needs.
     *
     * @param split      the digits split
     * @param data       the inputs the models were trained and tested on
     * @param nonPrivate the run without noise (epsilon = infinity)
     * @param dpSgd      the private run
     */
    record DemoRuns(TrainTestSplit split, PreparedData data, RunResult nonPrivate, RunResult dpSgd) {
    }

    @Override
    public Integer call() throws IOException {
        Checks.positive("--epochs", epochs);
        long start = System.nanoTime();
        PrintWriter stdout = spec.commandLine().getOut();
        ProgressDisplay progress = new ProgressDisplay(spec.commandLine().getErr(), parent.interactive());
        ReportFolder folder = ReportFolder.create(out, "demo");

        DemoRuns runs = train(progress);
        List<ModelAudit> audits = noAudit ? List.of() : audit(progress, folder);
        double seconds = (System.nanoTime() - start) / 1e9;

        ObjectNode summary = summary(runs, seconds, folder);
        if (!audits.isEmpty()) {
            summary.set("audit", AuditJson.summaries(audits));
        }
        writeReport(folder, runs, summary);
        folder.writeModel("model.zip", runs.dpSgd().network(), runs.dpSgd().ledger().orElseThrow(),
                runs.dpSgd().config());
        io.github.dpsgd4j.serving.card.PrivacyCard.writeBeside(folder.directory());
        if (json) {
            stdout.println(Json.oneLine(summary));
            stdout.flush();
        } else {
            printTable(stdout, runs, folder);
            if (!audits.isEmpty()) {
                printAudit(stdout, audits, folder);
            }
            // After everything it covers: training, the audit and the reports.
            stdout.printf("total: %s s (training and %s)%n", RunReports.seconds((System.nanoTime() - start) / 1e9),
                    audits.isEmpty() ? "reports" : "audit");
            stdout.flush();
        }
        return 0;
    }

    /**
     * The quick audit of dp-audit's reference experiment on the same digits: a non-private and a
     * private (epsilon 3) model of the demo's kind, each trained on a fair-coin half of the images,
     * attacked with LiRA and the loss threshold (membership) and MI-Face (inversion). Its models are
     * its own, because a membership audit needs members drawn at random from the whole pool.
     */
    private List<ModelAudit> audit(ProgressDisplay progress, ReportFolder folder) throws IOException {
        Checks.positive("--shadow-models", shadowModels);
        AuditSettings settings = AuditSettings.quick().withShadowModels(shadowModels);
        if (seed != null) {
            settings = settings.withSeed(seed);
        }
        progress.message("auditing: " + shadowModels + " shadow models per model (LiRA, RMIA, loss threshold), "
                + "MI-Face, half-image completion, on " + AuditProgress.threads() + " threads");
        List<ModelAudit> audits = QuickAudit.digits(QuickAudit.Training.BOTH, TARGET_EPSILON,
                seed == null ? NoiseMode.SECURE : NoiseMode.SEEDED, settings,
                new AuditExecution(AuditProgress.threads(), new AuditProgress(progress)));
        progress.close();
        AuditReportWriter.write(audits, QuickAudit.digitsData(settings.seed()),
                "dpsgd4j demo quick audit: digits, members = a fair-coin half, " + shadowModels + " shadow models",
                folder.file("audit"));
        return audits;
    }

    private static void printAudit(PrintWriter stdout, List<ModelAudit> audits, ReportFolder folder) {
        stdout.printf("%nquick audit (attacks on models trained on a random half of the digits):%n");
        TextTable table = new TextTable("model", "LiRA AUC (null 0.5 +/-)", "RMIA AUC", "loss AUC",
                "eps lower bound CP/GDP", "inversion ident.", "AUC cap");
        for (ModelAudit a : audits) {
            table.row(a.name(), String.format("%.3f (+/- %.3f)", a.liraAuc(),
                            a.fullConfidences().liraOnline().aucNullHalfWidth()), String.format("%.3f", a.rmiaAuc()),
                    String.format("%.3f", a.lossAuc()), String.format("%.2f / %.2f", a.epsilonLowerBound(),
                            a.epsilonLowerBoundGdp()),
                    String.format("%.1f", a.inversionIdentificationRate()),
                    Double.isFinite(a.epsilon()) ? String.format("%.3f", a.caps().maxAuc()) : "1");
        }
        table.print(stdout, "");
        stdout.printf("audit report: %s (index.html)%n", folder.file("audit"));
        stdout.flush();
    }

    /** The recipe of both runs (the non-private one has target epsilon +infinity). */
    RunRecipe recipe() {
        return new RunRecipe(DatasetName.DIGITS, ModelKind.MLP, TARGET_EPSILON, DELTA, epochs, BATCH_SIZE, CLIP,
                LEARNING_RATE);
    }

    private DemoRuns train(ProgressDisplay progress) throws IOException {
        TrainTestSplit split = DatasetName.DIGITS.load(null);
        PreparedData data = PreparedData.prepare(DatasetName.DIGITS, split, ModelKind.MLP, Optional.empty(), 1, null);
        NoiseSource nonPrivateNoise = seed == null ? NoiseSource.secure() : NoiseSource.seeded(seed);
        RunResult nonPrivate = new TrainingRun(recipe().withTargetEpsilon(Double.POSITIVE_INFINITY), data,
                nonPrivateNoise, MODEL_SEED, progress).train(null);
        NoiseSource noise = seed == null ? NoiseSource.secure() : NoiseSource.seeded(seed + 1);
        RunResult dpSgd = new TrainingRun(recipe(), data, noise, MODEL_SEED, progress).train(null);
        return new DemoRuns(split, data, nonPrivate, dpSgd);
    }

    private ObjectNode summary(DemoRuns runs, double seconds, ReportFolder folder) {
        ObjectNode summary = Json.object();
        summary.put("dataset", DatasetName.DIGITS.cliName());
        summary.put("model", "mlp 64-64-10 tanh");
        summary.put("train_size", runs.data().trainingSize());
        summary.put("test_size", runs.data().testSize());
        summary.set("private", RunReports.summary(runs.dpSgd()));
        summary.set("non_private", RunReports.summary(runs.nonPrivate()));
        summary.put("noise", RunReports.noise(seed == null));
        summary.put("secure_noise", seed == null);
        summary.put("seconds", seconds);
        summary.put("report_dir", folder.directory().toString());
        summary.put("model_file", folder.file("model.zip").toString());
        return summary;
    }

    private static void writeReport(ReportFolder folder, DemoRuns runs, ObjectNode summary) throws IOException {
        ObjectNode report = summary.deepCopy();
        report.put("command", "demo");
        ((ObjectNode) report.get("private")).set("history", RunReports.history(runs.dpSgd().history()));
        ((ObjectNode) report.get("non_private")).set("history", RunReports.history(runs.nonPrivate().history()));
        folder.writeJson("report.json", report);
        Map<String, List<EpochRecord>> curves = new LinkedHashMap<>();
        curves.put("non-private (epsilon = infinity)", runs.nonPrivate().history());
        curves.put("DP-SGD (target epsilon = " + TARGET_EPSILON + ")", runs.dpSgd().history());
        RunReports.accuracyChart("Digits, 64-64-10 tanh MLP: test accuracy per epoch", curves)
                .yRange(0, 100).savePng(folder.file("accuracy.png"));
        RunReports.epsilonChart("Digits, DP-SGD: privacy spent per epoch", runs.dpSgd().history(), TARGET_EPSILON,
                DELTA).savePng(folder.file("epsilon.png"));
        folder.writeText("ledger.json", runs.dpSgd().ledger().orElseThrow().toJson());
    }

    private void printTable(PrintWriter stdout, DemoRuns runs, ReportFolder folder) {
        RunResult dp = runs.dpSgd();
        stdout.printf("dpsgd4j demo: 64-64-10 tanh MLP on the bundled 8x8 digits (%d training / %d test images), "
                        + "%d epochs, expected batch %d, clip %s, Nesterov lr %s%n%n", runs.data().trainingSize(),
                runs.data().testSize(), epochs, BATCH_SIZE, CLIP, LEARNING_RATE);
        new TextTable("model", "test accuracy", "epsilon (delta = " + DELTA + ")", "seconds")
                .row("non-private", RunReports.percent(runs.nonPrivate().testAccuracy()),
                        RunReports.epsilon(runs.nonPrivate().epsilon()), RunReports.seconds(runs.nonPrivate().seconds()))
                .row("private", RunReports.percent(dp.testAccuracy()), RunReports.epsilon(dp.epsilon()),
                        RunReports.seconds(dp.seconds()))
                .print(stdout, "");
        stdout.printf("%nprivate run: noise multiplier %.4f, sample rate %.4f, %d steps, PLD accountant, %s noise%n",
                dp.noiseMultiplier(), dp.sampleRate(), dp.steps(), RunReports.noise(dp.secureNoise()));
        stdout.printf("report: %s (report.json, accuracy.png, epsilon.png, ledger.json, card.html)%n", folder.directory());
        stdout.printf("private model: %s (serve it: ./dpsgd4j serve --model %s --port 8080 --api-keys KEYS)%n",
                folder.file("model.zip"), folder.file("model.zip"));
        stdout.flush();
    }
}
