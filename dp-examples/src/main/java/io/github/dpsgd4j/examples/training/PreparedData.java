package io.github.dpsgd4j.examples.training;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.data.TrainTestSplit;
import io.github.dpsgd4j.examples.features.FeatureCache;
import io.github.dpsgd4j.examples.features.ScatteringFeatures;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * Training and test sets ready for a model: pixels for {@link ModelKind#MLP} and
 * {@link ModelKind#CNN}, ScatterNet features for {@link ModelKind#SCATTERNET}, pixels as
 * sequences of rows ([N, rows, columns]) for {@link ModelKind#LSTM}.
 *
 * @param dataset        the data set
 * @param scattering     whether the inputs are ScatterNet features
 * @param train          training inputs [N, inputLength] ([N, imageHeight, imageWidth] for row
 *                       sequences) and one-hot labels (the private data)
 * @param test           test inputs and one-hot labels
 * @param imageHeight    image height in pixels
 * @param imageWidth     image width in pixels
 * @param inputLength    inputs per example
 * @param classes        number of classes
 * @param featureSeconds seconds spent computing (or reading cached) features; 0 for pixels
 */
public record PreparedData(DatasetName dataset, boolean scattering, DataSet train, DataSet test, int imageHeight,
                           int imageWidth, int inputLength, int classes, double featureSeconds) {

    public PreparedData {
        Checks.notNull("dataset", dataset);
        Checks.notNull("train", train);
        Checks.notNull("test", test);
    }

    /** Number of training examples. */
    public int trainingSize() {
        return (int) train.getFeatures().size(0);
    }

    /** Number of test examples. */
    public int testSize() {
        return (int) test.getFeatures().size(0);
    }

    /**
     * Prepares {@code split} for {@code model}.
     *
     * @param cache    where large feature sets are cached, or empty
     * @param threads  threads for the scattering transform, {@code >= 1}
     * @param progress receives the number of images whose features are done (thread-safe), or null
     */
    public static PreparedData prepare(DatasetName dataset, TrainTestSplit split, ModelKind model,
                                       Optional<FeatureCache> cache, int threads, IntConsumer progress) {
        Checks.notNull("split", split);
        Checks.notNull("model", model);
        int height = split.train().height();
        int width = split.train().width();
        int classes = split.train().classes();
        if (model.usesRowSequences()) {
            return new PreparedData(dataset, false, rowSequences(split.train().toDataSet(), height, width),
                    rowSequences(split.test().toDataSet(), height, width), height, width, height * width, classes, 0);
        }
        if (!model.usesScatteringFeatures()) {
            return new PreparedData(dataset, false, split.train().toDataSet(), split.test().toDataSet(), height, width,
                    height * width, classes, 0);
        }
        long start = System.nanoTime();
        ScatteringFeatures features = new ScatteringFeatures(height, width);
        float[] train = features.compute(split.train(), cache, threads, progress);
        float[] test = features.compute(split.test(), cache, threads, progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new PreparedData(dataset, true, split.train().dataSet(train, features.length()),
                split.test().dataSet(test, features.length()), height, width, features.length(), classes, seconds);
    }

    /**
     * The images of {@code pixels} ([N, height x width], row after row) as sequences of rows,
     * [N, height, width] in NWC order: time step t holds row t. A reshape of the same values (no
     * statistics of other examples are used).
     */
    static DataSet rowSequences(DataSet pixels, int height, int width) {
        INDArray x = pixels.getFeatures();
        return new DataSet(x.reshape('c', x.size(0), height, width).dup('c'), pixels.getLabels());
    }
}
