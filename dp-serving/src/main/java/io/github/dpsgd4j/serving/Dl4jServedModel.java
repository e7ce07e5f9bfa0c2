package io.github.dpsgd4j.serving;

import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;

/**
 * A DL4J {@link MultiLayerNetwork} classifier (softmax output layer, dense first layer) served
 * through a guard. Logits come from dp-audit's {@link Dl4jClassifier} (exact, in double).
 *
 * <p>Thread-safe: calls to the network are serialised (DL4J networks are not thread-safe).
 */
public final class Dl4jServedModel implements ServedModel {

    private final Dl4jClassifier classifier;
    private final int inputLength;
    private final DataType dataType;

    private Dl4jServedModel(MultiLayerNetwork network) {
        this.classifier = Dl4jClassifier.of(network);
        if (!(network.getLayerWiseConfigurations().getConf(0).getLayer() instanceof FeedForwardLayer first)) {
            throw new IllegalArgumentException("the first layer must be a feed-forward layer with a fixed number of "
                    + "inputs, got " + network.getLayerWiseConfigurations().getConf(0).getLayer().getClass()
                    .getSimpleName() + "; serve models that take one flat feature vector per example");
        }
        long nIn = first.getNIn();
        if (nIn < 1 || nIn > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the first layer's number of inputs must be in [1, 2^31), got " + nIn);
        }
        this.inputLength = (int) nIn;
        this.dataType = network.params().dataType();
    }

    /** Serves {@code network} (initialised; used, not copied). */
    public static Dl4jServedModel of(MultiLayerNetwork network) {
        return new Dl4jServedModel(Checks.notNull("network", network));
    }

    /**
     * Loads a model zip written by DL4J's {@code ModelSerializer} (as {@code dpsgd4j train} writes
     * {@code model.zip}).
     *
     * @throws IllegalArgumentException if the file is missing, is not a zip, or is not a DL4J
     *                                  MultiLayerNetwork classifier; the message names the file
     */
    public static Dl4jServedModel load(Path file) {
        Checks.notNull("file", file);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model " + file + " is not a file; give the model.zip that "
                    + "'dpsgd4j train' or 'dpsgd4j demo' writes in its report folder");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.getEntry("configuration.json") == null || zip.getEntry("coefficients.bin") == null) {
                throw new IllegalArgumentException("--model " + file + " is a zip but not a DL4J model (no "
                        + "configuration.json and coefficients.bin); give a model written by ModelSerializer");
            }
        } catch (IOException ex) {
            throw new IllegalArgumentException("--model " + file + " is not a DL4J model zip (" + ex.getMessage()
                    + "); give the model.zip that 'dpsgd4j train' writes", ex);
        }
        MultiLayerNetwork network;
        try {
            network = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        } catch (IOException | RuntimeException ex) {
            throw new IllegalArgumentException("--model " + file + " cannot be read as a DL4J MultiLayerNetwork ("
                    + ex.getClass().getSimpleName() + "); only MultiLayerNetwork classifiers are served", ex);
        }
        return of(network);
    }

    @Override
    public int inputLength() {
        return inputLength;
    }

    @Override
    public int numClasses() {
        return classifier.numClasses();
    }

    @Override
    public double[][] logits(double[][] rows) {
        Checks.notNull("rows", rows);
        synchronized (classifier) {
            return classifier.logits(Nd4j.create(rows).castTo(dataType));
        }
    }
}
