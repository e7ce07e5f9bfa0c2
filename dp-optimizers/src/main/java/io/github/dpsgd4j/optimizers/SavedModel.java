package io.github.dpsgd4j.optimizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.common.AtomicFiles;
import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
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
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A trained model in one DL4J model zip that also carries its privacy ledger: the file is exactly what
 * {@link ModelSerializer#writeModel} writes (so {@link ModelSerializer#restoreMultiLayerNetwork(java.io.File)}
 * and {@link ModelSerializer#restoreComputationGraph(java.io.File)} read it as usual), plus the entries
 * {@value #LEDGER_ENTRY} and {@value #CONFIG_ENTRY}, which DL4J ignores.
 *
 * <p>A model saved with {@code ModelSerializer} alone carries no ledger: a trainer built on it starts a
 * new accounting at epsilon 0, which under-reports the privacy actually spent on its training data.
 * Save with {@link DpSgdTrainer#saveModel(Path)} and continue with
 * {@link DpSgdTrainer#builder(SavedModel)} to keep the accounting whole.
 */
public final class SavedModel {

    /** The zip entry holding the privacy ledger (JSON, {@link PrivacyLedger#toJson()}). */
    public static final String LEDGER_ENTRY = "dpsgd4j-privacy-ledger.json";
    /** The zip entry holding the trainer configuration that produced the model (JSON). */
    public static final String CONFIG_ENTRY = "dpsgd4j-config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Model model;
    private final PrivacyLedger ledger;
    private final DpSgdConfig config;

    private SavedModel(Model model, PrivacyLedger ledger, DpSgdConfig config) {
        this.model = model;
        this.ledger = ledger;
        this.config = config;
    }

    /** The restored model (MultiLayerNetwork or ComputationGraph), with its updater state. */
    public Model model() {
        return model;
    }

    /** The ledger of every step that trained this model. */
    public PrivacyLedger ledger() {
        return ledger;
    }

    /** The configuration of the run that saved the model. */
    public DpSgdConfig config() {
        return config;
    }

    /**
     * Writes {@code model} with its updater, {@code ledger} and {@code config} to {@code file}, atomically
     * (a temporary file beside it, forced to disk, then renamed over {@code file}). {@link DpSgdTrainer#saveModel}
     * calls it for the trainer's own model; call it directly for a model whose trainable part a trainer
     * trained as a model of its own (for example the head of a frozen feature extractor, trained on the
     * extractor's features and copied back): {@code ledger} must hold every step that trained {@code model}.
     *
     * @param file   the zip to write; its directory is created if missing
     * @param model  a MultiLayerNetwork or ComputationGraph
     * @param ledger the privacy ledger of every step that trained {@code model}
     * @param config the configuration of the run that trained it ({@link DpSgdTrainer#config()})
     * @throws IOException if the file cannot be written (nothing is left half-written)
     */
    public static void write(Path file, Model model, PrivacyLedger ledger, DpSgdConfig config) throws IOException {
        Checks.notNull("file", file);
        Checks.notNull("model", model);
        Checks.notNull("ledger", ledger);
        Checks.notNull("config", config);
        if (!(model instanceof MultiLayerNetwork || model instanceof ComputationGraph)) {
            throw new IllegalArgumentException("model must be a MultiLayerNetwork or a ComputationGraph, got "
                    + model.getClass().getName());
        }
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        ByteArrayOutputStream dl4j = new ByteArrayOutputStream();
        ModelSerializer.writeModel(model, dl4j, true);
        ObjectNode state = JSON.createObjectNode();
        state.put("model_kind", model instanceof ComputationGraph ? "ComputationGraph" : "MultiLayerNetwork");
        state.set("config", DpSgdCheckpoint.configToJson(config));
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(dl4j.toByteArray()))) {
                for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                    put(zip, entry.getName(), in.readAllBytes());
                }
            }
            put(zip, LEDGER_ENTRY, ledger.toJson().getBytes(StandardCharsets.UTF_8));
            put(zip, CONFIG_ENTRY, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            zip.finish();
        });
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    /**
     * The privacy ledger stored in a DL4J model zip, if it has one; empty for a zip saved with
     * {@code ModelSerializer} alone (whose spent privacy is then unknown, not zero).
     *
     * @throws IOException if the file cannot be read or is not a zip (the message names the file)
     */
    public static Optional<PrivacyLedger> ledgerOf(Path file) throws IOException {
        byte[] bytes = entry(file, LEDGER_ENTRY);
        return bytes == null ? Optional.empty()
                : Optional.of(PrivacyLedger.fromJson(new String(bytes, StandardCharsets.UTF_8)));
    }

    /**
     * Reads a model saved by {@link DpSgdTrainer#saveModel(Path)}.
     *
     * @throws IllegalArgumentException if the file has no privacy ledger (saved with {@code ModelSerializer}
     *                                  alone: its spent privacy is unknown)
     * @throws IOException              if the file cannot be read or is damaged (the message names the file)
     */
    public static SavedModel read(Path file) throws IOException {
        Optional<PrivacyLedger> ledger = ledgerOf(file);
        byte[] config = entry(file, CONFIG_ENTRY);
        if (ledger.isEmpty() || config == null) {
            throw new IllegalArgumentException("model file " + file + " carries no dpsgd4j privacy ledger ("
                    + LEDGER_ENTRY + "): it was not saved with DpSgdTrainer.saveModel, so the privacy already spent "
                    + "on its training data is unknown; continuing it with a new ledger would under-report epsilon");
        }
        JsonNode state = JSON.readTree(config);
        try {
            Model model = "ComputationGraph".equals(state.path("model_kind").asText())
                    ? ModelSerializer.restoreComputationGraph(file.toFile(), true)
                    : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
            return new SavedModel(model, ledger.get(), DpSgdCheckpoint.configFromJson(state.path("config")));
        } catch (RuntimeException e) {
            throw new IOException("model file " + file + " is damaged: DL4J cannot read its model (" + e.getMessage()
                    + ")", e);
        }
    }

    private static byte[] entry(Path file, String name) throws IOException {
        Checks.notNull("file", file);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no model file here");
        }
        byte[] found = null;
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                byte[] bytes = zip.readAllBytes();
                if (entry.getName().equals(name)) {
                    found = bytes;
                }
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new IOException("model file " + file + " is damaged or not a zip (" + e.getMessage() + ")", e);
        }
        return found;
    }

    /** The saved model as a MultiLayerNetwork. @throws IllegalStateException if it is a ComputationGraph */
    public MultiLayerNetwork network() {
        if (model instanceof MultiLayerNetwork net) {
            return net;
        }
        throw new IllegalStateException("this file holds a ComputationGraph: use model()");
    }
}
