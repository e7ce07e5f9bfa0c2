package io.github.dpsgd4j.examples.cli;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

}
