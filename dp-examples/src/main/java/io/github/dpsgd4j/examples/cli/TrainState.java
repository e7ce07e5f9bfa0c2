package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.AtomicFiles;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.report.Json;
import io.github.dpsgd4j.examples.report.RunReports;
import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.ModelKind;
import io.github.dpsgd4j.examples.training.RunRecipe;
import io.github.dpsgd4j.optimizers.DpSgdCheckpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code dpsgd4j train --checkpoint DIR} keeps beside the trainer's checkpoint so that
 * {@code --resume DIR} can continue: the recipe, the preset name, the model seed and the per-epoch
 * history. Stored as {@value #FILE_NAME}, replaced atomically after every epoch. The privacy ledger
 * and the model live in the trainer's own checkpoint; this file holds nothing private (seeds of the
 * noise are never saved).
 *
 * @param recipe    the run's recipe
 * @param preset    the preset name, or null
 * @param modelSeed the weight-initialisation seed
 * @param history   the epochs done so far
 */
record TrainState(RunRecipe recipe, String preset, long modelSeed, List<EpochRecord> history) {

    static final String FILE_NAME = "dpsgd4j-train.json";
    private static final String FORMAT = "dpsgd4j-train";
    private static final int VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    TrainState {
        history = List.copyOf(history);
    }

    TrainState withHistory(List<EpochRecord> newHistory) {
        return new TrainState(recipe, preset, modelSeed, newHistory);
    }

    /** Writes the state into {@code directory} atomically. */
    void write(Path directory) throws IOException {
        ObjectNode json = Json.object();
        json.put("format", FORMAT);
        json.put("version", VERSION);
        if (preset != null) {
            json.put("preset", preset);
        }
        ObjectNode r = json.putObject("recipe");
        r.put("dataset", recipe.dataset().cliName());
        r.put("model", recipe.model().cliName());
        Json.number(r, "target_epsilon", recipe.targetEpsilon());
        r.put("delta", recipe.delta());
        r.put("epochs", recipe.epochs());
        r.put("batch_size", recipe.expectedBatchSize());
        r.put("clip", recipe.l2NormClip());
        r.put("learning_rate", recipe.learningRate());
        r.put("accountant", recipe.accountant().name().toLowerCase(Locale.ROOT));
        json.put("model_seed", modelSeed);
        json.set("history", RunReports.history(history));
        AtomicFiles.write(directory.resolve(FILE_NAME), Json.pretty(json).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the state of a checkpoint directory written by {@code dpsgd4j train --checkpoint}: one with a
     * checkpoint, or one whose run stopped before its first checkpoint (its privacy journal and this file only;
     * the run then restarts from fresh weights and the journal's steps stay counted).
     *
     * @throws IllegalArgumentException with a one-line reason if {@code directory} is not such a
     *                                  checkpoint directory
     */
    static TrainState read(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("--resume " + directory + ": no such directory");
        }
        Path file = directory.resolve(FILE_NAME);
        Optional<PrivacyLedger> journal = DpSgdCheckpoint.journalWithoutCheckpoint(directory);
        if (journal.isPresent() && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--resume " + directory + ": holds the privacy journal of a run that "
                    + "stopped before its first checkpoint (" + journal.get().totalSteps() + " steps counted as spent) "
                    + "but no " + FILE_NAME + ": start the run again with --checkpoint " + directory
                    + ", which keeps counting those steps");
        }
        if (journal.isEmpty() && !DpSgdCheckpoint.exists(directory)) {
            throw new IllegalArgumentException("--resume " + directory + ": not a dpsgd4j checkpoint directory (no "
                    + DpSgdCheckpoint.FILE_NAME + "); give the --checkpoint DIR of an earlier 'dpsgd4j train' run");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--resume " + directory + ": the checkpoint was not written by "
                    + "'dpsgd4j train' (no " + FILE_NAME + "); resume it with DpSgdTrainer.resume in Java");
        }
        try {
            JsonNode json = MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (!FORMAT.equals(json.path("format").asText()) || json.path("version").asInt() != VERSION) {
                throw new IllegalArgumentException("not a version " + VERSION + " " + FORMAT + " file");
            }
            JsonNode r = json.path("recipe");
            double targetEpsilon = r.path("target_epsilon").isNumber() ? r.path("target_epsilon").asDouble()
                    : Double.parseDouble(r.path("target_epsilon_non_finite").asText("NaN"));
            RunRecipe recipe = new RunRecipe(DatasetName.parse(r.path("dataset").asText()),
                    ModelKind.parse(r.path("model").asText()), targetEpsilon, number(r, "delta"),
                    r.path("epochs").asInt(), r.path("batch_size").asInt(), number(r, "clip"),
                    number(r, "learning_rate"), accountant(r.path("accountant")));
            List<EpochRecord> history = new ArrayList<>();
            for (JsonNode e : json.path("history")) {
                double epsilon = e.path("epsilon").isNumber() ? e.path("epsilon").asDouble()
                        : Double.parseDouble(e.path("epsilon_non_finite").asText("NaN"));
                history.add(new EpochRecord(e.path("epoch").asInt(), e.path("steps").asLong(),
                        number(e, "test_accuracy"), epsilon, number(e, "seconds")));
            }
            String preset = json.hasNonNull("preset") ? json.get("preset").asText() : null;
            return new TrainState(recipe, preset, json.path("model_seed").asLong(), history);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--resume " + directory + ": " + FILE_NAME + " is unreadable ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The recipe's accountant; files written before the field existed were always PLD. */
    static AccountantType accountant(JsonNode value) {
        return value.isMissingNode() ? AccountantType.PLD
                : new AccountantOptions.AccountantTypeConverter().convert(value.asText());
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("missing number '" + field + "'");
        }
        return value.asDouble();
    }
}
