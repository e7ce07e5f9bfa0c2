package io.github.dpsgd4j.examples.audit;

import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.model.TrainingRecipe;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.common.Shuffles;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Shadow models for a user's saved model when its training run is unknown: the same DL4J
 * configuration (layers and updater), freshly initialised, trained without privacy on shuffled
 * mini-batches for a given number of epochs. LiRA is strongest when shadows are trained exactly
 * like the target; this is the attacker's best guess. Immutable.
 */
public final class SameArchitectureRecipe implements TrainingRecipe {

    private final String configurationJson;
    private final int epochs;
    private final int batchSize;

    /**
     * @param template  the user's network (its configuration is copied, not its weights)
     * @param epochs    > 0
     * @param batchSize > 0
     */
    public SameArchitectureRecipe(MultiLayerNetwork template, int epochs, int batchSize) {
        this.configurationJson = Checks.notNull("template", template).getLayerWiseConfigurations().toJson();
        this.epochs = Checks.positive("epochs", epochs);
        this.batchSize = Checks.positive("batchSize", batchSize);
    }

    @Override
    public TrainedModel train(DataSet data, long seed) {
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(configurationJson);
        for (int i = 0; i < conf.getConfs().size(); i++) {
            conf.getConf(i).setSeed(seed);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        int n = data.numExamples();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int e = 0; e < epochs; e++) {
            Shuffles.shuffle(order, random);
            for (int from = 0; from < n; from += batchSize) {
                int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + batchSize));
                net.fit(Nd4j.pullRows(data.getFeatures(), 1, rows), Nd4j.pullRows(data.getLabels(), 1, rows));
            }
        }
        return TrainedModel.nonPrivate(net);
    }

    /** True: each call parses its own configuration and builds its own network. */
    @Override
    public boolean threadSafe() {
        return true;
    }
}
