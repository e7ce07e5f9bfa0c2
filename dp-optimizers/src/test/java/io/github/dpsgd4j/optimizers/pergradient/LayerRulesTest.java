package io.github.dpsgd4j.optimizers.pergradient;

import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.optimizers.UnsupportedLayerException;
import io.github.dpsgd4j.optimizers.engine.ClippedSum;
import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.model.Batch;
import io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerRulesTest {

    private static MultiLayerNetwork mlp(boolean layerNorm) {
        MultiLayerNetwork net = new MultiLayerNetwork(PerExampleGradientEquivalenceProperties.base(4).list()
                .layer(new DenseLayer.Builder().nOut(6).hasLayerNorm(layerNorm).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build());
        net.init();
        return net;
    }

    /** A user rule for dense layers (delegating to the built-in one), counting its calls. */
    private static final class CountingRule implements LayerRule {
        final AtomicInteger backwards = new AtomicInteger();

        @Override
        public LayerSupport supports(Layer layer) {
            return layer.getClass() == org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class
                    ? LayerSupport.supported() : LayerSupport.notHandled();
        }

        @Override
        public LayerBackward backward(Layer layer, INDArray outputGradient, boolean needInputGradient) {
            backwards.incrementAndGet();
            // The built-in formulas do not depend on layer normalisation being off in this test's use.
            return new DenseLayerRule().backward(layer, outputGradient, needInputGradient);
        }
    }

    @Test
    void registeredRule_isAskedFirst_andUsedByTheEngine() {
        MultiLayerNetwork net = mlp(false);
        CountingRule rule = new CountingRule();
        LayerRules rules = LayerRules.defaults().withFirst(rule);
        assertEquals(rule, rules.rules().get(0));
        assertEquals(rule, rules.resolve(net.getLayer(0)).rule());
        assertTrue(rules.resolve(net.getLayer(1)).rule() instanceof DenseLayerRule);
        GradientEngine engine = new GradientEngine(new MultiLayerNetworkAdapter(net, rules), 1.0,
                NonFiniteNormPolicy.SKIP);
        Random random = new Random(1);
        ClippedSum sum = engine.clippedSum(Batch.single(PerExampleGradientEquivalenceProperties.gaussian(random, 5, 4),
                PerExampleGradientEquivalenceProperties.oneHot(random, 5, 3), null, null));
        assertEquals(1, rule.backwards.get());
        assertEquals(5, sum.examples());
    }

    @Test
    void layerWithoutRule_fallsBackToTheLoopAndSaysWhy() {
        MultiLayerNetwork net = mlp(true);
        // A registry without the layer-normalisation rule (the defaults have one).
        LayerRules rules = LayerRules.of(List.of(new RejectedLayerRule(), new DenseLayerRule()));
        LayerRules.Resolution resolution = rules.resolve(net.getLayer(0));
        assertEquals(LayerSupport.Kind.UNSUPPORTED, resolution.support().kind());
        assertTrue(resolution.support().reason().contains("layer normalisation"), resolution.support().reason());
        MultiLayerNetworkAdapter adapter = new MultiLayerNetworkAdapter(net, rules);
        assertEquals(1, adapter.layersWithoutRule().size());
        assertEquals(GradientEngine.Strategy.PER_EXAMPLE_LOOP,
                new GradientEngine(adapter, 1.0, NonFiniteNormPolicy.SKIP).strategy());
        // Without any rule at all, every layer says "no rule".
        MultiLayerNetworkAdapter bare = new MultiLayerNetworkAdapter(mlp(false), LayerRules.of(List.of()));
        assertEquals(2, bare.layersWithoutRule().size());
        assertTrue(bare.layersWithoutRule().get(0).contains("no rule for"), bare.layersWithoutRule().toString());
    }

    @Test
    void rejectedLayer_isRefusedByTheRegistryWithTheLayerAndTheFix() {
        MultiLayerNetwork net = new MultiLayerNetwork(PerExampleGradientEquivalenceProperties.base(4).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().name("bn").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build());
        net.init();
        assertEquals(LayerSupport.Kind.REJECTED, LayerRules.defaults().resolve(net.getLayer(1)).support().kind());
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                () -> new MultiLayerNetworkAdapter(net, LayerRules.defaults()));
        assertTrue(e.getMessage().contains("index 1 (BatchNormalization \"bn\")"), e.getMessage());
        assertTrue(e.getMessage().contains("hasLayerNorm"), e.getMessage());
        // A registry without the rejecting rule would not refuse it: validation is the registry's answer.
        assertEquals(LayerSupport.Kind.UNSUPPORTED,
                LayerRules.of(List.of(new DenseLayerRule())).resolve(net.getLayer(1)).support().kind());
    }

    @Test
    void rejection_needsAReason() {
        assertThrows(IllegalArgumentException.class, () -> LayerSupport.rejected(" "));
    }
}
