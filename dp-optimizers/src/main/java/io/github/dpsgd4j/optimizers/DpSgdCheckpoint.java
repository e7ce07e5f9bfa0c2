package io.github.dpsgd4j.optimizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.AtomicFiles;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A saved DP-SGD run: {@code <directory>/checkpoint.zip} holding the DL4J model with its updater
 * state and iteration/epoch counters ({@code model.zip}), the privacy ledger
 * ({@code privacy-ledger.json}) and the trainer's settings and counters
 * ({@code dpsgd4j-checkpoint.json}).
 *
 * <p>Writes are atomic: the file is written beside its final name, forced to disk, renamed over
 * the old checkpoint, and the directory is forced; a crash leaves either the old or the new
 * checkpoint, never a torn one. A checkpoint without a ledger is refused on reading. Seeds are
 * never saved; the noise source is recorded only as "secure" or "seeded (not secure)".
 */
public final class DpSgdCheckpoint {

    /** The checkpoint file inside a checkpoint directory. */
    public static final String FILE_NAME = "checkpoint.zip";
    /** The checkpoint before the current one, kept so that one damaged file is recoverable. */
    public static final String PREVIOUS_FILE_NAME = "checkpoint.previous.zip";
    static final String MODEL_ENTRY = "model.zip";
    static final String LEDGER_ENTRY = "privacy-ledger.json";
    static final String STATE_ENTRY = "dpsgd4j-checkpoint.json";
    private static final String FORMAT = "dpsgd4j-checkpoint";
    private static final int VERSION = 1;
    /** {@code model_kind} of a checkpointed ComputationGraph (absent: a MultiLayerNetwork). */
    private static final String GRAPH_KIND = "ComputationGraph";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final org.deeplearning4j.nn.api.Model network;
    private final DpSgdConfig config;
    private final PrivacyLedger ledger;
    private final long stepsTaken;
    private final long checkpointEverySteps;
    private final long journalReservation;

    private DpSgdCheckpoint(org.deeplearning4j.nn.api.Model network, DpSgdConfig config, PrivacyLedger ledger, long stepsTaken,
                            long checkpointEverySteps, long journalReservation) {
        this.journalReservation = journalReservation;
        this.network = network;
        this.config = config;
        this.ledger = ledger;
        this.stepsTaken = stepsTaken;
        this.checkpointEverySteps = checkpointEverySteps;
    }

    /**
     * The restored network, with its updater state.
     *
     * @throws IllegalStateException if the checkpoint holds a ComputationGraph (use {@link #model()})
     */
    public MultiLayerNetwork network() {
        if (network instanceof MultiLayerNetwork net) {
            return net;
        }
        throw new IllegalStateException("this checkpoint holds a ComputationGraph: use model()");
    }

    /** The restored model (MultiLayerNetwork or ComputationGraph), with its updater state. */
    public org.deeplearning4j.nn.api.Model model() {
        return network;
    }

    /** The run's privacy settings. */
    public DpSgdConfig config() {
        return config;
    }

    /** The privacy ledger at the time of the checkpoint. */
    public PrivacyLedger ledger() {
        return ledger;
    }

    /** Steps whose update is in the saved model. */
    public long stepsTaken() {
        return stepsTaken;
    }

    /** Steps between checkpoints of the run (0: epochs only). */
    public long checkpointEverySteps() {
        return checkpointEverySteps;
    }

    /** Steps the run reserves in its journal at a time (64 for checkpoints written before this was saved). */
    public long journalReservation() {
        return journalReservation;
    }

    /** Whether {@code directory} holds a checkpoint file. */
    public static boolean exists(Path directory) {
        return Files.isRegularFile(directory.resolve(FILE_NAME));
    }

    /**
     * The privacy ledger in {@code directory}'s write-ahead journal when the directory holds a journal but no
     * checkpoint: its run stopped before its first checkpoint, and the journal counts every step that run may
     * have taken. A trainer built with {@code checkpoints(directory, ...)} starts on fresh weights and keeps
     * counting them. Empty when the directory has a checkpoint, no journal, or does not exist.
     *
     * @param directory a directory, not null
     * @throws java.io.UncheckedIOException if the journal cannot be read
     */
    public static Optional<PrivacyLedger> journalWithoutCheckpoint(Path directory) {
        Checks.notNull("directory", directory);
        return RunPersistence.journalWithoutCheckpoint(directory);
    }

    static void write(Path directory, org.deeplearning4j.nn.api.Model net, DpSgdConfig config, PrivacyLedger ledger,
                      long stepsTaken, boolean secureNoise) throws IOException {
        write(directory, net, config, ledger, stepsTaken, 0, PrivacyGuard.DEFAULT_JOURNAL_RESERVATION, false,
                secureNoise);
    }

    /**
     * Writes a checkpoint to {@code directory/checkpoint.zip} atomically (public for other backends that
     * drive the same step, e.g. dp-spark's driver; the trainer's own is {@code DpSgdTrainer.saveCheckpoint}).
     *
     * @param journalKept whether the run keeps its privacy journal in {@code directory}
     */
    public static void write(Path directory, org.deeplearning4j.nn.api.Model net, DpSgdConfig config, PrivacyLedger ledger,
                      long stepsTaken, long checkpointEverySteps, long journalReservation, boolean journalKept,
                      boolean secureNoise) throws IOException {
        Files.createDirectories(directory);
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, model, true);
        ObjectNode state = JSON.createObjectNode();
        state.put("format", FORMAT);
        state.put("version", VERSION);
        state.put("steps_taken", stepsTaken);
        state.put("checkpoint_every_steps", checkpointEverySteps);
        state.put("journal_reservation", journalReservation);
        state.put("journal_kept", journalKept);
        if (net instanceof org.deeplearning4j.nn.graph.ComputationGraph) {
            state.put("model_kind", GRAPH_KIND);
        }
        state.put("noise", secureNoise ? "secure" : "seeded (not secure)");
        state.set("config", configToJson(config));

        Path target = directory.resolve(FILE_NAME);
        if (Files.isRegularFile(target)) {
            // the current checkpoint stays as the previous one, so one damaged file leaves an intact one
            AtomicFiles.copy(target, directory.resolve(PREVIOUS_FILE_NAME));
        }
        AtomicFiles.write(target, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            putEntry(zip, STATE_ENTRY, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            putEntry(zip, LEDGER_ENTRY, ledger.toJson().getBytes(StandardCharsets.UTF_8));
            putEntry(zip, MODEL_ENTRY, model.toByteArray());
            zip.finish();
        });
    }

    private static void putEntry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    /**
     * Reads {@code directory/checkpoint.zip}.
     *
     * @throws IllegalArgumentException if the file is not a dpsgd4j checkpoint or has no ledger
     */
    public static DpSgdCheckpoint read(Path directory) throws IOException {
        Checks.notNull("directory", directory);
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no dpsgd4j checkpoint here");
        }
        Map<String, byte[]> entries = new HashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw damaged(directory, file, e);
        }
        if (entries.isEmpty()) {
            throw damaged(directory, file, new java.util.zip.ZipException("no zip entries"));
        }
        if (!entries.containsKey(LEDGER_ENTRY)) {
            throw new IllegalArgumentException("checkpoint " + file + " has no privacy ledger (" + LEDGER_ENTRY
                    + "); refusing to resume a run without knowing what privacy it already spent");
        }
        if (!entries.containsKey(STATE_ENTRY) || !entries.containsKey(MODEL_ENTRY)) {
            throw new IllegalArgumentException("checkpoint " + file + " is incomplete: it needs " + STATE_ENTRY
                    + ", " + LEDGER_ENTRY + " and " + MODEL_ENTRY);
        }
        PrivacyLedger ledger = PrivacyLedger.fromJson(new String(entries.get(LEDGER_ENTRY), StandardCharsets.UTF_8));
        JsonNode state = JSON.readTree(entries.get(STATE_ENTRY));
        if (!FORMAT.equals(state.path("format").asText()) || state.path("version").asInt() != VERSION) {
            throw new IllegalArgumentException("checkpoint " + file + " is not a version " + VERSION + " " + FORMAT);
        }
        if (state.path("journal_kept").asBoolean(false)
                && !Files.isRegularFile(directory.resolve(CheckpointJournal.FILE_NAME))) {
            throw new IllegalStateException("checkpoint directory " + directory + " has lost its privacy journal ("
                    + CheckpointJournal.FILE_NAME + "): the run kept one, and without it the steps taken after the "
                    + "checkpoint are unknown and would not be counted; restore the journal file to resume (refusing "
                    + "to under-report the privacy spent)");
        }
        DpSgdConfig config = configFromJson(state.path("config"));
        org.deeplearning4j.nn.api.Model net = GRAPH_KIND.equals(state.path("model_kind").asText())
                ? ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(entries.get(MODEL_ENTRY)), true)
                : ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(entries.get(MODEL_ENTRY)), true);
        return new DpSgdCheckpoint(net, config, ledger, state.path("steps_taken").asLong(),
                state.path("checkpoint_every_steps").asLong(),
                Math.max(1, state.path("journal_reservation").asLong(PrivacyGuard.DEFAULT_JOURNAL_RESERVATION)));
    }

    private static IOException damaged(Path directory, Path file, IOException cause) {
        Path previous = directory.resolve(PREVIOUS_FILE_NAME);
        String recovery = Files.isRegularFile(previous)
                ? " The previous checkpoint " + previous + " is kept: move it over " + file + " to resume from it"
                + " (the directory's privacy journal still counts every step spent since)."
                : " No previous checkpoint is kept in " + directory + ".";
        return new IOException("checkpoint " + file + " is damaged (" + cause.getMessage() + ")." + recovery, cause);
    }

    static ObjectNode configToJson(DpSgdConfig config) {
        ObjectNode node = JSON.createObjectNode();
        node.put("l2_norm_clip", config.l2NormClip());
        node.put("noise_multiplier", config.noiseMultiplier());
        node.put("sample_rate", config.sampleRate());
        node.put("sampling_method", config.samplingMethod().name());
        node.put("physical_batch_size", config.physicalBatchSize());
        node.put("non_finite_norm_policy", config.nonFiniteNormPolicy().name());
        if (config.budget() != null) {
            node.putObject("budget").put("epsilon", config.budget().epsilon()).put("delta", config.budget().delta());
        }
        node.put("accountant", config.accountant().name());
        node.put("reporting_delta", config.reportingDelta());
        return node;
    }

    static DpSgdConfig configFromJson(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("checkpoint has no trainer configuration");
        }
        JsonNode budget = node.get("budget");
        return new DpSgdConfig(
                number(node, "l2_norm_clip"),
                number(node, "noise_multiplier"),
                number(node, "sample_rate"),
                SamplingMethod.valueOf(node.path("sampling_method").asText()),
                node.path("physical_batch_size").asInt(),
                NonFiniteNormPolicy.valueOf(node.path("non_finite_norm_policy").asText()),
                budget == null ? null : new PrivacyBudget(number(budget, "epsilon"), number(budget, "delta")),
                AccountantType.valueOf(node.path("accountant").asText()),
                number(node, "reporting_delta"));
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("checkpoint configuration field " + field + " must be a number");
        }
        return value.doubleValue();
    }
}
