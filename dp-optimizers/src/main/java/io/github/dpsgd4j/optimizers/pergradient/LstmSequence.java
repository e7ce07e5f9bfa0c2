package io.github.dpsgd4j.optimizers.pergradient;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The forward and backward pass of one LSTM direction, written from the equations of DL4J's
 * {@code LSTMHelpers} with the example dimension kept at every step (DL4J keeps the per-step gate
 * deltas in a local buffer that it overwrites). All arrays are time-major [T, B, .] in c order.
 *
 * <p>Gate blocks of width n in DL4J's order: i (block input, layer activation afn), f (forget),
 * o (output), g (input gate; DL4J calls it "input modulation"), gates through the gate activation
 * sigma. Per step: z = x_t W + h_{t-1} RW + b; a_i = afn(z_i); a_f = sigma(z_f [+ c_{t-1} wFF]);
 * a_g = sigma(z_g [+ c_{t-1} wGG]); c_t = a_f c_{t-1} + a_g a_i; a_o = sigma(z_o [+ c_t wOO]);
 * h_t = a_o afn(c_t); with a mask, h_t and c_t are multiplied by it. Bracketed peepholes: GravesLSTM.
 *
 * <p>Backward (Graves 2012, "Supervised sequence labelling with recurrent neural networks", ch. 4;
 * the same order of operations as DL4J, including its treatment of masked steps):
 * nablaOut = eps_t + delta_{t+1} RW^T; delta_o = sigma'(z_o) nablaOut afn(c_t);
 * nablaCell = afn'(c_t) a_o nablaOut [+ delta_o wOO + delta_f,t+1 wFF + delta_g,t+1 wGG]
 * + a_f,t+1 nablaCell_{t+1}; delta_f = sigma'(z_f) nablaCell c_{t-1} (0 at t = 0);
 * delta_g = sigma'(z_g) nablaCell a_i; delta_i = afn'(z_i) nablaCell a_g; the deltas of a masked
 * step are zeroed when {@code maskDeltas} (GravesLSTM; DL4J's LSTM passes no mask to its backward).
 *
 * <p>Not thread-safe; one instance per layer and batch.
 */
final class LstmSequence {

    private final long steps;
    private final long batch;
    private final long n;
    private final IActivation afn;
    private final IActivation gate;
    private final INDArray w;
    private final INDArray rwGates;
    private final INDArray peepF;
    private final INDArray peepO;
    private final INDArray peepG;
    private final INDArray mask;
    private final boolean maskDeltas;

    /** Pre-activations z (with peepholes) and activations a of the four blocks, [T, B, 4n]. */
    private final INDArray z;
    private final INDArray a;
    /** Cell states c_t (masked) and afn(c_t) before masking, [T, B, n]. */
    private final INDArray cells;
    private final INDArray cellActivations;
    /** Outputs h_t, [T, B, n]. */
    private final INDArray h;

    /**
     * Runs the forward pass.
     *
     * @param x          time-major input [T, B, nIn]; not modified
     * @param w          input weights [nIn, 4n]
     * @param rw         recurrent weights [n, 4n] (+3 peephole columns wFF, wOO, wGG when peepholes)
     * @param b          bias [1, 4n]
     * @param afn        the layer activation
     * @param gate       the gate activation
     * @param peepholes  whether rw carries peephole columns (GravesLSTM)
     * @param mask       time-major mask [T, B, 1], or null
     * @param maskDeltas whether the backward pass zeroes the deltas (and input gradient) of masked steps
     */
    LstmSequence(INDArray x, INDArray w, INDArray rw, INDArray b, IActivation afn, IActivation gate,
                 boolean peepholes, INDArray mask, boolean maskDeltas) {
        this.steps = x.size(0);
        this.batch = x.size(1);
        this.n = rw.rows();
        this.afn = afn;
        this.gate = gate;
        this.w = w;
        this.rwGates = rw.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4 * n));
        this.peepF = peepholes ? rw.getColumn(4 * n).reshape(1, n) : null;
        this.peepO = peepholes ? rw.getColumn(4 * n + 1).reshape(1, n) : null;
        this.peepG = peepholes ? rw.getColumn(4 * n + 2).reshape(1, n) : null;
        this.mask = mask;
        this.maskDeltas = maskDeltas;
        DataType type = x.dataType();
        this.z = x.reshape('c', steps * batch, x.size(2)).mmul(w).addiRowVector(b).reshape('c', steps, batch, 4 * n);
        this.a = Nd4j.createUninitialized(type, steps, batch, 4 * n);
        this.cells = Nd4j.createUninitialized(type, steps, batch, n);
        this.cellActivations = Nd4j.createUninitialized(type, steps, batch, n);
        this.h = Nd4j.createUninitialized(type, steps, batch, n);
        forward();
    }

    private INDArray block(INDArray timeMajor, long t, int index) {
        return RecurrentArrays.step(timeMajor, t).get(NDArrayIndex.all(), NDArrayIndex.interval(index * n, (index + 1) * n));
    }

    private void forward() {
        for (long t = 0; t < steps; t++) {
            INDArray zt = RecurrentArrays.step(z, t);
            INDArray previousCell = t > 0 ? RecurrentArrays.step(cells, t - 1) : null;
            if (t > 0) {
                Nd4j.gemm(RecurrentArrays.step(h, t - 1), rwGates, zt, false, false, 1.0, 1.0);
                if (peepF != null) {
                    block(z, t, 1).addi(previousCell.mulRowVector(peepF));
                    block(z, t, 3).addi(previousCell.mulRowVector(peepG));
                }
            }
            INDArray ai = block(a, t, 0).assign(afn.getActivation(block(z, t, 0).dup(), true));
            INDArray af = block(a, t, 1).assign(gate.getActivation(block(z, t, 1).dup(), true));
            INDArray ag = block(a, t, 3).assign(gate.getActivation(block(z, t, 3).dup(), true));
            INDArray ct = RecurrentArrays.step(cells, t).assign(ag.mul(ai));
            if (previousCell != null) {
                ct.addi(af.mul(previousCell));
            }
            if (peepO != null) {
                block(z, t, 2).addi(ct.mulRowVector(peepO));
            }
            INDArray ao = block(a, t, 2).assign(gate.getActivation(block(z, t, 2).dup(), true));
            INDArray cellActivation = RecurrentArrays.step(cellActivations, t).assign(afn.getActivation(ct.dup(), true));
            INDArray ht = RecurrentArrays.step(h, t).assign(cellActivation.mul(ao));
            if (mask != null) {
                INDArray m = RecurrentArrays.step(mask, t);
                ht.muliColumnVector(m);
                ct.muliColumnVector(m);
            }
        }
    }

    /** The outputs h_t (masked), time-major [T, B, n]. */
    INDArray outputs() {
        return h;
    }

    /** h_{t-1} per step (zero at t = 0), time-major [T, B, n]: the inputs of the recurrent weights. */
    INDArray previousOutputs() {
        INDArray previous = Nd4j.zeros(h.dataType(), steps, batch, n);
        if (steps > 1) {
            previous.get(NDArrayIndex.interval(1, steps)).assign(h.get(NDArrayIndex.interval(0, steps - 1)));
        }
        return previous;
    }

    /**
     * Runs the backward pass.
     *
     * @param eps        dL/dh, time-major [T, B, n]; not modified
     * @param peepholes  if not null, a [B, 3n] array that receives each example's peephole gradient
     *                   (wFF, wOO, wGG blocks)
     * @return the gate deltas dL/dz, time-major [T, B, 4n], with delta_f = 0 at t = 0
     */
    INDArray backward(INDArray eps, INDArray peepholes) {
        INDArray delta = Nd4j.zeros(eps.dataType(), steps, batch, 4 * n);
        INDArray nablaCellNext = null;
        for (long t = steps - 1; t >= 0; t--) {
            INDArray nablaOut = RecurrentArrays.step(eps, t).dup('c');
            INDArray nablaCell = Nd4j.zeros(eps.dataType(), batch, n);
            if (t < steps - 1) {
                Nd4j.gemm(RecurrentArrays.step(delta, t + 1), rwGates, nablaOut, false, true, 1.0, 1.0);
                if (peepF != null) {
                    nablaCell.addi(block(delta, t + 1, 1).mulRowVector(peepF));
                    nablaCell.addi(block(delta, t + 1, 3).mulRowVector(peepG));
                }
            }
            INDArray ct = RecurrentArrays.step(cells, t);
            INDArray ao = block(a, t, 2);
            INDArray deltaO = block(delta, t, 2).assign(
                    gate.backprop(block(z, t, 2).dup(), nablaOut.mul(RecurrentArrays.step(cellActivations, t))).getFirst());
            nablaCell.addi(afn.backprop(ct.dup(), ao.mul(nablaOut)).getFirst());
            if (peepO != null) {
                nablaCell.addi(deltaO.mulRowVector(peepO));
            }
            if (nablaCellNext != null) {
                nablaCell.addi(block(a, t + 1, 1).mul(nablaCellNext));
            }
            nablaCellNext = nablaCell;
            INDArray previousCell = t > 0 ? RecurrentArrays.step(cells, t - 1) : null;
            if (previousCell != null) {
                block(delta, t, 1).assign(gate.backprop(block(z, t, 1).dup(), nablaCell.mul(previousCell)).getFirst());
            }
            block(delta, t, 3).assign(gate.backprop(block(z, t, 3).dup(), nablaCell.mul(block(a, t, 0))).getFirst());
            block(delta, t, 0).assign(afn.backprop(block(z, t, 0).dup(), nablaCell.mul(block(a, t, 3))).getFirst());
            if (maskDeltas && mask != null) {
                RecurrentArrays.step(delta, t).muliColumnVector(RecurrentArrays.step(mask, t));
            }
            if (peepholes != null) {
                if (previousCell != null) {
                    peepholes.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n)).addi(block(delta, t, 1).mul(previousCell));
                    peepholes.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * n, 3 * n))
                            .addi(block(delta, t, 3).mul(previousCell));
                }
                peepholes.get(NDArrayIndex.all(), NDArrayIndex.interval(n, 2 * n)).addi(block(delta, t, 2).mul(ct));
            }
        }
        return delta;
    }

    /** dL/dx from the gate deltas, time-major [T, B, nIn] (masked steps zeroed when masking deltas). */
    INDArray inputGradient(INDArray delta) {
        INDArray gradient = delta.reshape('c', steps * batch, 4 * n).mmul(w.transpose())
                .reshape('c', steps, batch, w.rows());
        if (maskDeltas && mask != null) {
            gradient.muli(mask.broadcast(steps, batch, w.rows()));
        }
        return gradient;
    }
}
