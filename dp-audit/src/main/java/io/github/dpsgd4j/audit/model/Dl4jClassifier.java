package io.github.dpsgd4j.audit.model;

import io.github.dpsgd4j.common.Checks;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;

import java.util.List;

/**
 * A DL4J {@link MultiLayerNetwork} classifier with a softmax output layer seen by an auditor:
 * exact logits (pre-softmax activations, recomputed from the output layer's weights in double),
 * class probabilities, and the gradient of a class confidence with respect to the input (white
 * box, through DL4J's own backpropagation to the input).
 *
 * <p>Requirements: the last layer is a dense {@code OutputLayer} (parameters W [nIn, K] and
 * optionally b) with softmax activation and MCXENT or negative log-likelihood loss. Other output
 * layers are refused with an {@link IllegalArgumentException} that names the layer.
 *
 * <p>Not thread-safe (DL4J networks are not); inputs are not modified.
 */
public final class Dl4jClassifier {

    private final MultiLayerNetwork net;
    private final int numClasses;
    private final int lastLayer;

    private Dl4jClassifier(MultiLayerNetwork net) {
        this.net = net;
        this.lastLayer = net.getnLayers() - 1;
        Layer output = net.getLayer(lastLayer);
        if (!(output instanceof BaseOutputLayer<?> outputLayer)) {
            throw new IllegalArgumentException("the last layer must be an OutputLayer with softmax activation, got "
                    + output.getClass().getSimpleName() + "; the audit reads logits from it");
        }
        org.deeplearning4j.nn.conf.layers.BaseOutputLayer conf =
                (org.deeplearning4j.nn.conf.layers.BaseOutputLayer) outputLayer.layerConf();
        if (!(conf.getActivationFn() instanceof ActivationSoftmax)) {
            throw new IllegalArgumentException("the output layer's activation must be softmax, got "
                    + conf.getActivationFn() + "; the audit needs class probabilities");
        }
        ILossFunction loss = conf.getLossFn();
        if (!(loss instanceof LossMCXENT || loss instanceof LossNegativeLogLikelihood)) {
            throw new IllegalArgumentException("the output layer's loss must be MCXENT or NEGATIVELOGLIKELIHOOD, got "
                    + loss + "; white-box inversion differentiates the cross-entropy");
        }
        if (output.getParam("W") == null) {
            throw new IllegalArgumentException("the output layer has no weight parameter W");
        }
        this.numClasses = (int) conf.getNOut();
    }

    /**
     * Wraps {@code net} (initialised). The network is used, not copied: later changes to its
     * parameters are seen.
     */
    public static Dl4jClassifier of(MultiLayerNetwork net) {
        return new Dl4jClassifier(Checks.notNull("net", net));
    }

    /** The wrapped network. */
    public MultiLayerNetwork network() {
        return net;
    }

    /** K, the number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /**
     * Logits z [n][K] of each row of {@code features}: the output layer's input times W plus b,
     * computed in double. Softmax of a row gives the class probabilities.
     *
     * @param features [n, ...] as the network expects; not modified
     */
    public double[][] logits(INDArray features) {
        Checks.notNull("features", features);
        INDArray input;
        if (lastLayer == 0) {
            input = features;
        } else {
            List<INDArray> activations = net.feedForwardToLayer(lastLayer - 1, features, false);
            input = activations.get(activations.size() - 1);
        }
        InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(lastLayer);
        if (pre != null) {
            input = pre.preProcess(input, (int) input.size(0), LayerWorkspaceMgr.noWorkspaces());
        }
        INDArray w = net.getLayer(lastLayer).getParam("W").castTo(DataType.DOUBLE);
        INDArray z = input.castTo(DataType.DOUBLE).mmul(w);
        INDArray b = net.getLayer(lastLayer).getParam("b");
        if (b != null) {
            z.addiRowVector(b.castTo(DataType.DOUBLE).reshape(1, numClasses));
        }
        return rows(z);
    }

    /**
     * Class probabilities [n][K] (softmax of {@link #logits}, in double).
     *
     * @param features [n, ...]; not modified
     */
    public double[][] probabilities(INDArray features) {
        double[][] z = logits(features);
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            p[i] = LogitMath.softmax(z[i]);
        }
        return p;
    }

    /**
     * White-box gradient of the confidence p<sub>label</sub>(x) with respect to x, for each row:
     * d p / d x = -p d(-log p) / d x, with d(-log p)/dx from DL4J's backpropagation of the
     * cross-entropy loss to the input ({@link MultiLayerNetwork#calculateGradients}).
     *
     * @param features [n, d]; not modified
     * @param labels   class of each row, in [0, K)
     * @return {gradients [n][d], confidences [n]}
     */
    public ConfidenceGradient confidenceGradient(INDArray features, int[] labels) {
        double[][] lossGradient = lossInputGradient(features, labels);
        int n = lossGradient.length;
        double[][] p = probabilities(features);
        double[] confidence = new double[n];
        for (int i = 0; i < n; i++) {
            confidence[i] = p[i][labels[i]];
            for (int j = 0; j < lossGradient[i].length; j++) {
                lossGradient[i][j] *= -confidence[i];
            }
        }
        return new ConfidenceGradient(lossGradient, confidence);
    }

    /**
     * White-box gradient of the log-confidence log p<sub>label</sub>(x) with respect to x, for each
     * row: minus the gradient of the cross-entropy loss, from DL4J's backpropagation to the input
     * (one backward pass; unlike {@link #confidenceGradient} no second forward pass for the
     * confidences, and no underflow where p is tiny).
     *
     * @param features [n, d]; not modified
     * @param labels   class of each row, in [0, K)
     * @return [n][d]
     */
    public double[][] logConfidenceGradient(INDArray features, int[] labels) {
        double[][] g = lossInputGradient(features, labels);
        for (double[] row : g) {
            for (int j = 0; j < row.length; j++) {
                row[j] = -row[j];
            }
        }
        return g;
    }

    /** d(-log p_label)/dx per row, from DL4J's backpropagation of the cross-entropy loss to the input. */
    private double[][] lossInputGradient(INDArray features, int[] labels) {
        Checks.notNull("features", features);
        Checks.notNull("labels", labels);
        int n = (int) features.size(0);
        Checks.equalTo("labels.length", labels.length, "features rows", n);
        INDArray oneHot = Nd4j.zeros(features.dataType(), n, numClasses);
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("labels[" + i + "] must be in [0, " + numClasses + "), got "
                        + labels[i]);
            }
            oneHot.putScalar(i, labels[i], 1);
        }
        INDArray inputGradient = net.calculateGradients(features, oneHot, null, null).getSecond();
        return rows(inputGradient.reshape(n, inputGradient.length() / n));
    }

    /**
     * The rows of a matrix as doubles: the same values as {@link INDArray#toDoubleMatrix()}, copied in
     * one bulk transfer instead of one native call per element (which made reading logits and
     * gradients the slowest part of an audit's inversion).
     *
     * @param matrix [n, d], any data type and order; not modified
     * @return [n][d]
     */
    public static double[][] rows(INDArray matrix) {
        Checks.notNull("matrix", matrix);
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("matrix must have rank 2, got shape "
                    + java.util.Arrays.toString(matrix.shape()));
        }
        int n = (int) matrix.size(0);
        int d = (int) matrix.size(1);
        // A fresh C-order double copy: its buffer holds exactly the n * d values, row after row.
        double[] flat = matrix.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /**
     * Gradients of p<sub>label</sub> with respect to the input, and the confidences themselves.
     *
     * @param gradients   [n][d]
     * @param confidences [n]
     */
    public record ConfidenceGradient(double[][] gradients, double[] confidences) {
    }
}
