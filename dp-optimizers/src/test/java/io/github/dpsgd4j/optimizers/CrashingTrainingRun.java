package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A training run meant to be killed: started in a child JVM by {@link CrashSafetyTest}, it trains
 * with checkpoints and announces every completed step on standard output.
 */
public final class CrashingTrainingRun {

    private CrashingTrainingRun() {
    }

    public static void main(String[] args) {
        Path directory = Path.of(args[0]);
        int checkpointEvery = Integer.parseInt(args[1]);
        PrintStream out = System.out;
        MultiLayerNetwork net = TestNetworks.mlp(5, 20, 16, 3, new Adam(0.01), DataType.FLOAT);
        DataSet data = TestNetworks.gaussianData(5, 400, 20, 3, DataType.FLOAT);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1.0).sampleRate(0.05)
                .noiseSource(NoiseSource.seeded(5)).checkpoints(directory, checkpointEvery)
                .listener(new PrivacyListener() {
                    @Override
                    public void onStep(StepReport report) {
                        out.println("step " + report.step());
                        out.flush();
                        try {
                            Thread.sleep(15); // slow enough that the kill lands between checkpoints
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }).build();
        trainer.fit(data, 100_000);
    }
}
