package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.model.Batch;
import io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import java.util.Random;

class ScratchDebugTest {
    @Test
    void debug() {
        MultiLayerConfiguration conf = PerExampleGradientEquivalenceProperties.base(0).convolutionMode(ConvolutionMode.Same).list()
                .layer(new Convolution1DLayer.Builder(1).stride(3).nOut(1).activation(Activation.TANH).rnnDataFormat(RNNFormat.NCW).build())
                .layer(new Convolution1DLayer.Builder(2).nOut(2).activation(Activation.RELU).rnnDataFormat(RNNFormat.NCW).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(1, 6, RNNFormat.NCW)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        for (int i = 0; i < net.getnLayers(); i++) System.err.println(i + " " + net.getLayer(i).paramTable());
        Random r = new Random(0);
        INDArray x = PerExampleGradientEquivalenceProperties.gaussian(r, 1, 1, 6);
        INDArray y = PerExampleGradientEquivalenceProperties.oneHot(r, 1, 3);
        BruteForce bf = BruteForce.of(net, x, y);
        System.err.println("dl4j " + bf.gradients[0]);
        MultiLayerNetworkAdapter adapter = new MultiLayerNetworkAdapter(net, LayerRules.defaults());
        GradientEngine engine = new GradientEngine(adapter, 1e9, NonFiniteNormPolicy.FAIL);
        System.err.println("rule " + engine.clippedSum(Batch.single(x, y, null, null)).sum());
    }
}
