package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.data.FashionMnist;
import io.github.dpsgd4j.examples.data.TrainTestSplit;
import io.github.dpsgd4j.examples.features.FeatureCache;
import io.github.dpsgd4j.examples.report.OutputDirectory;
import io.github.dpsgd4j.examples.training.ModelKind;
import io.github.dpsgd4j.examples.training.PreparedData;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The options of the training commands ({@code train}, {@code sweep}) that say where data comes from and
 * how features are computed, and the loading and feature preparation they drive.
 */
final class DataOptions {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = FashionMnist.DEFAULT_DIRECTORY_NAME,
            description = "Directory of the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where ScatterNet features of large data sets are cached (default: $DPSGD4J_CACHE, "
                    + "else $XDG_CACHE_HOME/dpsgd4j, else ~/.cache/dpsgd4j).")
    Path cacheDir;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads computing ScatterNet features (default: the number of processors).")
    Integer threads;

    /** Checks {@code --threads} before any work starts. */
    int workers() {
        return threads == null ? Runtime.getRuntime().availableProcessors() : Checks.positive("--threads", threads);
    }

    /** Loads {@code dataset} from {@code --data} (digits are bundled). */
    TrainTestSplit load(DatasetName dataset) throws IOException {
        return dataset.load(data);
    }

    /**
     * The model's inputs for {@code split}: pixels, or ScatterNet features (cached under {@code --cache-dir},
     * computed on {@code --threads} threads with a progress bar on {@code progress}).
     */
    PreparedData prepare(DatasetName dataset, TrainTestSplit split, ModelKind model, ProgressDisplay progress) {
        int workers = workers();
        if (cacheDir != null) {
            OutputDirectory.requireUsable("--cache-dir", cacheDir);
        }
        IntConsumer featureProgress = model.usesScatteringFeatures()
                ? progress.features("ScatterNet features", (long) split.train().size() + split.test().size()) : null;
        try {
            return PreparedData.prepare(dataset, split, model,
                    Optional.of(new FeatureCache(cacheDir != null ? cacheDir : FeatureCache.defaultDirectory())),
                    workers, featureProgress);
        } finally {
            progress.close();
        }
    }
}
