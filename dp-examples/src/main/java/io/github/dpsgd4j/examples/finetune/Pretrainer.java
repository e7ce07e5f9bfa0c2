package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.List;

/**
 * Non-private pretraining of the {@link ResidualCnn} on public examples: Adam, shuffled minibatches
 * (DL4J's own shuffle, seeded: this is public data, so neither the shuffle nor the updates need
 * privacy), DL4J's {@code fit}, the learning rate decaying as the settings say. Stateless.
 */
final class Pretrainer {

    private Pretrainer() {
    }

    /**
     * @param settings   epochs, batch size, Adam learning rate
     * @param publicData the public pretraining examples; not modified (a copy is shuffled)
     * @param validation public validation examples, evaluated after each epoch
     * @param classes    number of classes
     * @param channels   filters of every convolution of the {@link ResidualCnn}
     * @param seed       weight initialisation and shuffle seed
     * @param monitor    progress receiver
     * @return the pretrained graph
     */
    static ComputationGraph pretrain(FineTuneRecipe.Pretraining settings, DataSet publicData, DataSet validation,
                                     int classes, int channels, long seed, TrainingMonitor monitor) {
        int n = (int) publicData.getFeatures().size(0);
        int batch = Math.min(settings.batchSize(), n);
        long stepsPerEpoch = (n + batch - 1) / batch;
        ComputationGraph graph = ResidualCnn.build(classes, channels,
                new Adam(learningRates(settings, stepsPerEpoch * settings.epochs())), seed);
        long start = System.nanoTime();
        monitor.runStarted("pretraining on public examples (no privacy)", stepsPerEpoch * settings.epochs(), 0);
        try {
            DataSet shuffled = publicData.copy();
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                shuffled.shuffle(seed + epoch);
                List<DataSet> batches = shuffled.batchBy(batch);
                for (DataSet b : batches) {
                    graph.fit(b);
                    monitor.stepDone();
                }
                monitor.epochDone(new EpochRecord(epoch, epoch * stepsPerEpoch,
                        FineTuneRun.accuracy(graph, validation), Double.POSITIVE_INFINITY,
                        (System.nanoTime() - start) / 1e9), settings.epochs());
            }
        } finally {
            monitor.runFinished();
        }
        return graph;
    }

    /**
     * The rate of step i (from 0) is {@code lr * gamma^i} with {@code gamma = (final / lr)^(1 / (steps - 1))}:
     * {@code lr} at the first step, {@code final} at the last.
     */
    static ISchedule learningRates(FineTuneRecipe.Pretraining settings, long steps) {
        double first = settings.learningRate();
        double gamma = steps <= 1 ? 1.0 : Math.pow(settings.finalLearningRate() / first, 1.0 / (steps - 1));
        return new ExponentialSchedule(ScheduleType.ITERATION, first, gamma);
    }
}
