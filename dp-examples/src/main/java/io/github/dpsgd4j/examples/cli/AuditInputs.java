package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.optimizers.SavedModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Checks of {@code audit}'s file inputs whose errors name the option, the file and what was expected. */
final class AuditInputs {

    private AuditInputs() {
    }

    /** Refuses an --out that is, or lies under, a regular file, naming the option (before any work). */
    static void checkOutDirectory(Path out) {
        for (Path p = out.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new IllegalArgumentException("--out " + out + ": " + (p.equals(out.toAbsolutePath().normalize())
                        ? "is a regular file" : p + " is a regular file, not a directory")
                        + "; give a directory for the report");
            }
        }
    }

    /** Loads a ModelSerializer zip, or says which file is not one and what was expected. */
    static MultiLayerNetwork restoreModel(Path file) throws IOException {
        boolean zipWithConfiguration;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            zipWithConfiguration = zip.getEntry("configuration.json") != null;
        } catch (java.util.zip.ZipException ex) {
            zipWithConfiguration = false;
        }
        if (!zipWithConfiguration) {
            throw new IllegalArgumentException("--model " + file + ": not a DL4J model file (expected a zip written by "
                    + "ModelSerializer.writeModel or DpSgdTrainer's save, holding configuration.json and coefficients.bin)");
        }
        try {
            return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        } catch (RuntimeException | IOException ex) {
            throw new IllegalArgumentException("--model " + file + ": a zip, but not a MultiLayerNetwork saved by "
                    + "ModelSerializer (" + ex.getMessage() + ")", ex);
        }
    }


    /**
     * The epsilon a model saved with {@code DpSgdTrainer.saveModel} has spent at {@code delta}, from the
     * privacy ledger inside its zip: PLD, or RDP's (looser) bound where PLD cannot discretise the
     * ledger. Empty for a zip without a ledger (saved with {@code ModelSerializer} alone); +infinity
     * for a ledger without noise.
     */
    static Optional<Double> spentEpsilon(Path file, double delta) throws IOException {
        Optional<PrivacyLedger> ledger = SavedModel.ledgerOf(file);
        if (ledger.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ledger.get().accountant(AccountantType.PLD).epsilon(delta));
        } catch (IllegalArgumentException | IllegalStateException pldCannot) {
            return Optional.of(ledger.get().accountant(AccountantType.RDP).epsilon(delta));
        }
    }
}
