package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Reference per-example gradients: one batch-of-one DL4J backward pass per example. */
final class BruteForce {

    final INDArray[] gradients;

    private BruteForce(INDArray[] gradients) {
        this.gradients = gradients;
    }

    static BruteForce of(MultiLayerNetwork net, INDArray features, INDArray labels) {
        int batch = (int) features.size(0);
        INDArray[] gradients = new INDArray[batch];
        for (int i = 0; i < batch; i++) {
            net.setInput(row(features, i));
            net.setLabels(row(labels, i));
            net.computeGradientAndScore();
            gradients[i] = net.getGradientsViewArray().dup();
        }
        net.clear();
        return new BruteForce(gradients);
    }

    double[] squaredNorms() {
        double[] out = new double[gradients.length];
        for (int i = 0; i < out.length; i++) {
            double n = gradients[i].norm2Number().doubleValue();
            out[i] = n * n;
        }
        return out;
    }

    INDArray weightedSum(double[] factors) {
        INDArray sum = gradients[0].mul(0);
        for (int i = 0; i < gradients.length; i++) {
            sum.addi(gradients[i].mul(factors[i]));
        }
        return sum;
    }

    static INDArray row(INDArray array, int i) {
        INDArrayIndex[] index = new INDArrayIndex[array.rank()];
        index[0] = NDArrayIndex.interval(i, i + 1);
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        return array.get(index).dup();
    }
}
