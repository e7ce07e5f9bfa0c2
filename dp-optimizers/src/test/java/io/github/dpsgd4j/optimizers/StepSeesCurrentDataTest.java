package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.core.noise.NoiseSource;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue 13 item 7: step(DataSet) sees 'f'-order features refilled in place as they are when it is called. */
class StepSeesCurrentDataTest {

    @Test
    void fOrderFeaturesRefilledInPlace_areSeenByTheNextStep() {
        DataSet a = images(1);
        DataSet b = images(2);
        INDArray features = Nd4j.create(DataType.DOUBLE, new long[] {30, 1, 4, 4}, 'f');
        INDArray labels = Nd4j.create(DataType.DOUBLE, new long[] {30, 2}, 'c');
        DataSet reused = new DataSet(features, labels);

        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.1))
                .dataType(DataType.DOUBLE).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nIn(1).nOut(2).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(4, 4, 1)).build());
        net.init();
        MultiLayerNetwork reference = net.clone();
        DpSgdTrainer trainer = build(net);
        DpSgdTrainer fresh = build(reference);

        features.assign(a.getFeatures());
        labels.assign(a.getLabels());
        trainer.step(reused);
        fresh.step(a.copy());
        features.assign(b.getFeatures()); // refilled in place: same arrays, new content
        labels.assign(b.getLabels());
        trainer.step(reused);
        fresh.step(b.copy());
        assertEquals(reference.params(), net.params());
    }

    private static DataSet images(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 30, 1, 4, 4);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 30, 2);
        for (int i = 0; i < 30; i++) {
            y.putScalar(i, (i + seed) % 2, 1.0);
        }
        return new DataSet(x, y);
    }

    private static DpSgdTrainer build(MultiLayerNetwork net) {
        return DpSgdTrainer.builder(net).l2NormClip(1.0).noiseMultiplier(0.5).sampleRate(0.5)
                .noiseSource(NoiseSource.seeded(7)).build();
    }
}
