package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The exact fallback: one batch-of-one forward and backward pass through DL4J per example
 * ({@code MultiLayerNetwork.computeGradientAndScore}), whose full gradient is clipped and added.
 * Works for every layer DL4J can train (LSTM included) at roughly the speed of batch size 1.
 */
final class PerExampleLoopBackprop extends PrivateBackprop {

    private final List<String> layersWithoutRule;

    PerExampleLoopBackprop(MultiLayerNetwork net, int firstTrainable, List<String> layersWithoutRule) {
        super(net, firstTrainable);
        this.layersWithoutRule = layersWithoutRule;
    }

    @Override
    public Strategy strategy() {
        return Strategy.PER_EXAMPLE_LOOP;
    }

    @Override
    public List<String> layersWithoutRule() {
        return layersWithoutRule;
    }

    @Override
    public MicroBatchResult addClippedSum(INDArray features, INDArray labels, INDArray featuresMask,
                                          INDArray labelsMask, ClipRule clip, INDArray sum) {
        int batch = (int) features.size(0);
        double loss = 0;
        double[] squaredNorm = new double[1];
        // DL4J calls listeners' onForwardPass/onBackwardPass inside computeGradientAndScore: they would
        // see one example's activations and its raw gradient. Listeners see only noised updates.
        // (A copy: setListeners clears the collection getListeners returns.)
        List<TrainingListener> listeners = net.getListeners() == null ? List.of() : new ArrayList<>(net.getListeners());
        net.setListeners(new ArrayList<TrainingListener>());
        try {
            for (int i = 0; i < batch; i++) {
                net.setInput(example(features, i));
                net.setLabels(example(labels, i));
                net.setLayerMaskArrays(example(featuresMask, i), example(labelsMask, i));
                net.computeGradientAndScore();
                loss += net.score() - net.calcRegularizationScore(true);
                INDArray gradient = net.getGradientsViewArray();
                zeroOutsideTrainable(gradient);
                // The norm in double (a float norm can come out low) and the factor rounded toward zero
                // in the gradient's type, as the book-keeping engine does.
                double norm = gradient.castTo(DataType.DOUBLE).norm2Number().doubleValue();
                squaredNorm[0] = norm * norm;
                double factor = clip.factors(squaredNorm)[0];
                if (factor != 0) {
                    sum.addi(gradient.mul(BookkeepingBackprop.roundedFactor(factor, gradient.dataType())));
                }
            }
        } finally {
            net.clearLayerMaskArrays();
            net.clear();
            net.setListeners(new ArrayList<>(listeners));
        }
        return new MicroBatchResult(batch, loss);
    }

    private static INDArray example(INDArray array, int i) {
        return BookkeepingBackprop.rows(array, new int[] {i});
    }
}
