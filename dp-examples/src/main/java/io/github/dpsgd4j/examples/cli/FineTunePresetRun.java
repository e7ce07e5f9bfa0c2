package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.TrainTestSplit;
import io.github.dpsgd4j.examples.finetune.FineTuneRecipe;
import io.github.dpsgd4j.examples.finetune.FineTuneResult;
import io.github.dpsgd4j.examples.finetune.FineTuneRun;
import io.github.dpsgd4j.examples.finetune.PrivatePhaseResult;
import io.github.dpsgd4j.examples.report.Json;
import io.github.dpsgd4j.examples.report.ReportFolder;
import io.github.dpsgd4j.examples.report.RunReports;
import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.TrainingMonitor;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code dpsgd4j train --preset fashion-mnist-finetune-eps1}: runs a {@link FineTuneRecipe}
 * ({@link FineTuneRun}) and writes its report folder: {@code report.json} (the JSON summary plus
 * the per-epoch validation histories), {@code accuracy.png} (validation accuracy per epoch of both
 * private runs), {@code ledger.json} (the fine-tuned model's ledger),
 * {@code ledger-from-scratch.json}, and {@code model.zip} (the fine-tuned graph).
 */
final class FineTunePresetRun {

    private FineTunePresetRun() {
    }

    /**
     * @param presetName the preset's name, for the report
     * @param recipe     the comparison to run
     * @param data       the Fashion-MNIST training file and test set
     * @param out        the report folder asked for, or null for a time-stamped one
     * @param seed       seed for noise and sampling (not secure) and the weights, or null for secure noise
     * @param json       whether to print the JSON summary instead of the text
     * @param monitor    progress receiver (standard error)
     * @param stdout     standard output
     * @return the exit code
     */
    static int run(String presetName, FineTuneRecipe recipe, TrainTestSplit data, Path out, Long seed, boolean json,
                   TrainingMonitor monitor, PrintWriter stdout) throws IOException {
        Checks.notNull("recipe", recipe);
        long start = System.nanoTime();
        ReportFolder folder = ReportFolder.create(out, "train-" + presetName);
        NoiseSource noise = seed == null ? NoiseSource.secure() : NoiseSource.seeded(seed);
        long modelSeed = seed == null ? TrainCommand.DEFAULT_MODEL_SEED : seed;
        FineTuneResult result = new FineTuneRun(recipe, data, noise, modelSeed, monitor).run();
        double seconds = (System.nanoTime() - start) / 1e9;

        ObjectNode summary = result.toJson();
        summary.put("preset", presetName);
        summary.put("seconds", seconds);
        summary.put("report_dir", folder.directory().toString());
        writeReport(folder, summary, result);
        if (json) {
            stdout.println(Json.oneLine(summary));
        } else {
            printText(stdout, presetName, result, seconds, folder);
        }
        stdout.flush();
        return 0;
    }

    private static void writeReport(ReportFolder folder, ObjectNode summary, FineTuneResult result)
            throws IOException {
        ObjectNode report = summary.deepCopy();
        report.put("command", "train");
        report.put("processors", Runtime.getRuntime().availableProcessors());
        report.put("java", System.getProperty("java.version"));
        report.set("fine_tuned_validation_history", RunReports.history(result.fineTuned().history()));
        report.set("from_scratch_validation_history", RunReports.history(result.fromScratch().history()));
        folder.writeJson("report.json", report);
        Map<String, List<EpochRecord>> curves = new LinkedHashMap<>();
        curves.put("DP-SGD fine-tuning (above " + result.recipe().frozenUpTo() + ")",
                result.fineTuned().history());
        curves.put("DP-SGD from scratch", result.fromScratch().history());
        RunReports.accuracyChart("fashion-mnist, residual CNN at epsilon " + result.recipe().budget().epsilon()
                + ": public validation accuracy per epoch", curves).savePng(folder.file("accuracy.png"));
        folder.writeText("ledger.json", result.fineTuned().ledger().toJson());
        folder.writeText("ledger-from-scratch.json", result.fromScratch().ledger().toJson());
        folder.writeModel("model.zip", result.fineTuned().graph(), result.fineTuned().ledger(),
                result.fineTuned().config());
    }

    private static void printText(PrintWriter stdout, String presetName, FineTuneResult result, double seconds,
                                  ReportFolder folder) {
        FineTuneRecipe r = result.recipe();
        stdout.printf(Locale.ROOT, "dpsgd4j train --preset %s: residual CNN on fashion-mnist; %d public examples "
                        + "(%d pretraining, %d validation), %d private, %d test; epsilon %s, delta %s%n%n",
                presetName, result.split().publicCount(), result.split().pretraining().length,
                result.split().validation().length, result.split().privatePart().length, result.testSize(),
                r.budget().epsilon(), r.budget().delta());
        TextTable table = new TextTable("model", "test accuracy", "epsilon", "noise multiplier", "steps",
                "trainable parameters", "seconds");
        table.row("public data only (pretrained, no privacy cost)", RunReports.percent(result.publicOnlyTestAccuracy()),
                "0 (public data)", "-", "-", "-", RunReports.seconds(result.pretrainingSeconds()));
        row(table, "fine-tuned privately (above " + r.frozenUpTo() + ")", result.fineTuned());
        row(table, "trained privately from scratch", result.fromScratch());
        table.print(stdout, "");
        stdout.println();
        stdout.printf(Locale.ROOT, "fine-tuning minus from scratch: %+.1f points; noise %s; total %s s%n",
                100 * (result.fineTuned().testAccuracy() - result.fromScratch().testAccuracy()),
                RunReports.noise(result.secureNoise()), RunReports.seconds(seconds));
        stdout.println("report: " + folder.directory());
    }

    private static void row(TextTable table, String name, PrivatePhaseResult r) {
        table.row(name, RunReports.percent(r.testAccuracy()), RunReports.epsilon(r.epsilon()),
                String.format(Locale.ROOT, "%.4f", r.noiseMultiplier()), Long.toString(r.steps()),
                Long.toString(r.trainableParameters()), RunReports.seconds(r.seconds()));
    }
}
