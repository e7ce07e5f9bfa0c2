package io.github.dpsgd4j.optimizers.pergradient;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's multi-head dot-product attention (the {@code multi_head_dot_product_attention} op behind
 * DL4J's attention layers; Vaswani et al. 2017, arXiv:1706.03762, section 3.2) forward and backward
 * with the example dimension kept, so that the rules can form per-example gradients. This is the one
 * owner of the attention formulas for the attention rules.
 *
 * <p>For one example with queries Xq [Tq, nInQ] and keys = values Xk [Tk, nIn] (rows are time
 * steps), head h (of H, each of size P) computes {@code Q_h = Xq Wq_h^T}, {@code K_h = Xk Wk_h^T},
 * {@code V_h = Xk Wv_h^T} with Wq_h [P, nInQ] (the projections are [H, P, nIn] arrays),
 * {@code A_h = softmax_keys(Q_h K_h^T / sqrt(P) + 1e9 (m - 1))} with m the [Tk] key mask (ND4J adds
 * -1e9 to the scores of masked keys; queries are not masked), {@code O_h = A_h V_h}; the heads are
 * concatenated per step, R = [O_1 .. O_H] [Tq, HP], and projected, Y = R Wo [Tq, nOut]. Without
 * projections (Wq null: DL4J's single-head {@code dot_product_attention}) Q = Xq, K = V = Xk, P = nIn
 * and Y = R.
 *
 * <p>The backward pass, from Y's gradient G: {@code dR = G Wo^T}, {@code dA = dO V^T},
 * {@code dV = A^T dO}, {@code dS = A * (dA - rowsum(A * dA))} (softmax), divided by sqrt(P),
 * {@code dQ = dS K}, {@code dK = dS^T Q}. Example i's gradients are then sums over time of outer
 * products: {@code dWo = R^T G}, {@code dWq = dQ^T Xq}, {@code dWk = dK^T Xk}, {@code dWv = dV^T Xk}.
 *
 * <p>Arrays are example-major rows, [B, T, F] in c order, in one data type. Not thread-safe; one
 * instance per layer and batch. The arrays passed in are kept, not modified.
 */
final class MultiHeadAttention {

    private final INDArray wq;
    private final INDArray wk;
    private final INDArray wv;
    private final INDArray wo;
    private final long batch;
    private final long heads;
    private final long headSize;
    private final long queries;
    private final long keys;
    private final boolean scaled;
    private final double scale;
    private final INDArray keyMask;
    /** Per head: [B*H, T, P]. */
    private final INDArray q;
    private final INDArray k;
    private final INDArray v;
    /** The attention weights, [B*H, Tq, Tk]. */
    private final INDArray weights;
    /** R, the heads' outputs concatenated per step: [B, Tq, H*P]. */
    private final INDArray attended;

    /**
     * Runs the forward pass.
     *
     * @param queryRows [B, Tq, nInQ] c order
     * @param keyRows   [B, Tk, nIn] c order (keys and values)
     * @param mask      [B, Tk] key mask (1 keep, 0 skip), or null
     * @param wq        [H, P, nInQ], or null for attention without projections (then wk, wv, wo null)
     * @param wk        [H, P, nIn]
     * @param wv        [H, P, nIn]
     * @param wo        [H*P, nOut]
     * @param scaled    whether the scores are divided by sqrt(P)
     */
    MultiHeadAttention(INDArray queryRows, INDArray keyRows, INDArray mask, INDArray wq, INDArray wk, INDArray wv,
                       INDArray wo, boolean scaled) {
        this(queryRows, wq == null ? 1 : wq.size(0), flat(wq), flat(wk), flat(wv), wo, keyRows, null, null, mask,
                scaled);
    }

    private MultiHeadAttention(INDArray queryRows, long heads, INDArray wq, INDArray wk, INDArray wv, INDArray wo,
                               INDArray keyRows, INDArray k, INDArray v, INDArray mask, boolean scaled) {
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.wo = wo;
        this.batch = queryRows.size(0);
        this.queries = queryRows.size(1);
        this.keys = keyRows != null ? keyRows.size(1) : k.size(1);
        this.heads = heads;
        this.headSize = wq == null ? queryRows.size(2) : wq.size(0) / heads;
        this.scaled = scaled;
        this.scale = scaled ? Math.sqrt(headSize) : 1;
        this.keyMask = mask;
        this.q = toHeads(project(queryRows, wq), queries);
        this.k = k != null ? k : toHeads(project(keyRows, wk), keys);
        this.v = v != null ? v : toHeads(project(keyRows, wv), keys);

        INDArray scores = Nd4j.matmul(q, this.k, false, true, false);
        if (scaled) {
            scores.divi(scale);
        }
        if (mask != null) {
            // As ND4J: + (m - 1) * 1e9, the same for every head and query of an example.
            INDArray perExample = scores.reshape('c', batch, heads * queries, keys);
            Nd4j.getExecutioner().exec(new BroadcastAddOp(perExample, mask.sub(1.0).muli(1e9), perExample, 0, 2));
        }
        // Softmax over the keys, as ND4J's op does it.
        this.weights = Nd4j.createUninitialized(scores.dataType(), scores.shape());
        Nd4j.exec(new SoftMax(scores, weights, 2));
        this.attended = fromHeads(Nd4j.matmul(weights, this.v), queries);
    }

    /**
     * The same attention (keys, values, mask, weights) for other queries [B, Tq', nInQ]: the keys and
     * values are projected once for all of them (a recurrent layer attends once per step).
     */
    MultiHeadAttention withQueries(INDArray queryRows) {
        return new MultiHeadAttention(queryRows, heads, wq, wk, wv, wo, null, k, v, keyMask, scaled);
    }

    /** R, the concatenated heads before the output projection: [B, Tq, H*P]; not to be modified. */
    INDArray attended() {
        return attended;
    }

    /** The layer output Y = R Wo (R without projections), [B, Tq, nOut]. */
    INDArray output() {
        if (wo == null) {
            return attended;
        }
        return attended.reshape('c', batch * queries, heads * headSize).mmul(wo).reshape('c', batch, queries, wo.size(1));
    }

    /**
     * The backward pass for the output gradient {@code g} [B, Tq, nOut] (c order; not modified).
     *
     * @return dL/d(projected queries, keys, values) in rows
     */
    Gradients backward(INDArray g) {
        INDArray dAttended = wo == null ? g : g.reshape('c', batch * queries, wo.size(1)).mmul(wo.transpose());
        INDArray dO = toHeads(dAttended, queries);
        INDArray dWeights = Nd4j.matmul(dO, v, false, true, false);
        INDArray dV = Nd4j.matmul(weights, dO, true, false, false);
        // Softmax backward row by row: dS = A * (dA - rowsum(A * dA)), on [B*H*Tq, Tk] views.
        INDArray rowsA = weights.reshape('c', batch * heads * queries, keys);
        INDArray rowsDa = dWeights.reshape('c', batch * heads * queries, keys);
        INDArray dot = rowsA.mul(rowsDa).sum(true, 1);
        INDArray dScores = rowsDa.subiColumnVector(dot).muli(rowsA).reshape('c', batch * heads, queries, keys);
        if (scaled) {
            dScores.divi(scale);
        }
        return new Gradients(fromHeads(Nd4j.matmul(dScores, k), queries),
                fromHeads(Nd4j.matmul(dScores, q, true, false, false), keys), fromHeads(dV, keys));
    }

    /** dL/dXq [B, Tq, nInQ] from dL/dQ rows. */
    INDArray queryInputGradient(INDArray dQ) {
        return unproject(dQ, wq);
    }

    /** dL/dXk [B, Tk, nIn] from dL/dK and dL/dV rows (the input is both keys and values). */
    INDArray keyInputGradient(INDArray dK, INDArray dV) {
        return unproject(dK, wk).addi(unproject(dV, wv));
    }

    /**
     * The backward pass's results, example-major rows.
     *
     * @param queries dL/dQ [B, Tq, H*P]
     * @param keys    dL/dK [B, Tk, H*P]
     * @param values  dL/dV [B, Tk, H*P]
     */
    record Gradients(INDArray queries, INDArray keys, INDArray values) {
    }

    /** A projection [H, P, F] as [H*P, F]; null stays null. */
    private static INDArray flat(INDArray w) {
        return w == null ? null : w.reshape('c', w.size(0) * w.size(1), w.size(2));
    }

    /** Rows [B, T, F] times W^T for W [H*P, F]: [B*T, H*P]; the rows themselves without a projection. */
    private static INDArray project(INDArray rows, INDArray w) {
        INDArray flat = rows.reshape('c', rows.size(0) * rows.size(1), rows.size(2));
        return w == null ? flat : flat.mmul(w.transpose());
    }

    /** Gradient rows [B, T, H*P] times W [H*P, F]: [B, T, F]; a copy of the rows without a projection. */
    private static INDArray unproject(INDArray rows, INDArray w) {
        if (w == null) {
            return rows.dup('c');
        }
        return rows.reshape('c', rows.size(0) * rows.size(1), rows.size(2)).mmul(w)
                .reshape('c', rows.size(0), rows.size(1), w.size(1));
    }

    /** [B*T, H*P] (or [B, T, H*P]) to per-head [B*H, T, P], c order. */
    private INDArray toHeads(INDArray rows, long steps) {
        return rows.reshape('c', batch, steps, heads, headSize).permute(0, 2, 1, 3).dup('c')
                .reshape('c', batch * heads, steps, headSize);
    }

    /** Per-head [B*H, T, P] to rows [B, T, H*P], c order. */
    private INDArray fromHeads(INDArray perHead, long steps) {
        return perHead.reshape('c', batch, heads, steps, headSize).permute(0, 2, 1, 3).dup('c')
                .reshape('c', batch, steps, heads * headSize);
    }
}
