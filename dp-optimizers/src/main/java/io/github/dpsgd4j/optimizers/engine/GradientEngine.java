package io.github.dpsgd4j.optimizers.engine;

import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.clip.ClipAndSum;
import io.github.dpsgd4j.core.clip.ClipFactors;
import io.github.dpsgd4j.core.clip.ClipStats;
import io.github.dpsgd4j.core.clip.NonFiniteNormPolicy;
import io.github.dpsgd4j.optimizers.model.BackwardPass;
import io.github.dpsgd4j.optimizers.model.Batch;
import io.github.dpsgd4j.optimizers.model.ModelAdapter;
import io.github.dpsgd4j.optimizers.pergradient.LayerBackward;
import io.github.dpsgd4j.optimizers.pergradient.StepWorkspace;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * The per-example gradient engine: for a micro-batch, every example's gradient is clipped to L2
 * norm C and the clipped gradients are summed, without holding all per-example gradients of the
 * model at once. The result is a {@link ClippedSum}; noise is not this class's job.
 *
 * <p>Two strategies, chosen from the model adapter:
 * <ul>
 *   <li>{@link Strategy#BOOKKEEPING} when every trainable layer has a supported rule: one forward
 *       and one backward pass, per-example norms from the layer rules, clip factors from
 *       {@link ClipFactors}, and the clipped sums from the kept activations and output gradients
 *       (Bu, Wang, Zha, Karypis 2023, arXiv:2210.00038), so dropout masks are drawn once;</li>
 *   <li>{@link Strategy#PER_EXAMPLE_LOOP} otherwise: an exact batch-of-one backward pass per example
 *       through DL4J itself, its norm by {@link ClipAndSum#squaredRowNorms(INDArray)} (an upper
 *       bound), about as slow as training with batch size 1.</li>
 * </ul>
 * An example whose norm is not finite never enters the sum (0 times NaN is NaN): under
 * {@link NonFiniteNormPolicy#SKIP} it is counted and the micro-batch is recomputed without it.
 *
 * <p>Not thread-safe: it drives the model's layer state.
 */
public final class GradientEngine {

    /** How per-example clipping is computed. */
    public enum Strategy {
        /** Per-example norms by layer rules, clipped sums by book-keeping: one backward pass. */
        BOOKKEEPING,
        /** Exact batch-of-one backward passes through DL4J, one per example. */
        PER_EXAMPLE_LOOP
    }

    private final ModelAdapter model;
    private final double l2NormClip;
    private final NonFiniteNormPolicy policy;
    private final Strategy strategy;
    private final StepWorkspace workspace = new StepWorkspace("DPSGD_MICROBATCH");

    /**
     * An engine with the cheapest exact strategy the model allows.
     *
     * @param model      the model adapter
     * @param l2NormClip C {@code > 0}; {@code +infinity} means no clipping
     * @param policy     what happens to examples with non-finite norms
     */
    public GradientEngine(ModelAdapter model, double l2NormClip, NonFiniteNormPolicy policy) {
        this(model, l2NormClip, policy, model.layersWithoutRule().isEmpty()
                ? Strategy.BOOKKEEPING : Strategy.PER_EXAMPLE_LOOP);
    }

    /**
     * An engine with a given strategy ({@link Strategy#BOOKKEEPING} only when the model has rules
     * for every trainable layer).
     */
    public GradientEngine(ModelAdapter model, double l2NormClip, NonFiniteNormPolicy policy, Strategy strategy) {
        this.model = Checks.notNull("model", model);
        this.l2NormClip = Checks.positive("l2NormClip", l2NormClip);
        this.policy = Checks.notNull("policy", policy);
        this.strategy = Checks.notNull("strategy", strategy);
        if (strategy == Strategy.BOOKKEEPING && !model.layersWithoutRule().isEmpty()) {
            throw new IllegalArgumentException("book-keeping needs a rule for every trainable layer; missing: "
                    + model.layersWithoutRule());
        }
    }

    /** Which strategy this engine uses. */
    public Strategy strategy() {
        return strategy;
    }

    /** Why the per-example loop is needed (layers without a rule); empty for book-keeping. */
    public List<String> layersWithoutRule() {
        return model.layersWithoutRule();
    }

    /**
     * The clipped sum of one micro-batch. The model's gradient view is used as scratch.
     *
     * @param batch B >= 0 examples (B = 0 gives {@link ClippedSum#zero})
     */
    public ClippedSum clippedSum(Batch batch) {
        Checks.notNull("batch", batch);
        INDArray view = model.gradientView();
        ClippedSum result = ClippedSum.zero(view.dataType(), view.length());
        if (batch.size() == 0) {
            return result;
        }
        return strategy == Strategy.BOOKKEEPING ? bookkeeping(batch, result.sum(), true) : loop(batch, result.sum());
    }

    /**
     * One book-kept pass; adds the clipped sum into {@code out}. When some example's norm is not
     * finite, the pass is repeated on the other examples alone (no supported layer mixes examples),
     * with their statistics counted once.
     */
    private ClippedSum bookkeeping(Batch batch, INDArray out, boolean countStats) {
        int size = batch.size();
        ClipFactors factors;
        double summedLoss;
        try (MemoryWorkspace scope = workspace.open()) {
            BackwardPass pass = model.backward(batch, workspace.layerWorkspaces());
            double[] squaredNorms = new double[size];
            for (LayerBackward layer : pass.layers()) {
                layer.addSquaredNorms(squaredNorms);
            }
            factors = ClipFactors.fromSquaredNorms(squaredNorms, l2NormClip, policy);
            summedLoss = pass.summedLoss();
            if (factors.nonFiniteCount() == 0) {
                INDArray view = model.gradientView();
                view.assign(0);
                INDArray column = factorColumn(factors.factors(), view.dataType());
                for (LayerBackward layer : pass.layers()) {
                    layer.accumulateClippedSum(column);
                }
                out.addi(view);
            }
        } finally {
            model.clear();
        }
        ClipStats stats = factors.stats();
        if (factors.nonFiniteCount() > 0) {
            int[] finite = new int[size - factors.nonFiniteCount()];
            for (int i = 0, n = 0; i < size; i++) {
                if (!factors.isSkipped(i)) {
                    finite[n++] = i;
                }
            }
            summedLoss = finite.length == 0 ? Double.NaN
                    : bookkeeping(batch.rows(finite), out, false).summedLoss();
        }
        return new ClippedSum(out, countStats ? stats : ClipStats.empty(), summedLoss);
    }

    private ClippedSum loop(Batch batch, INDArray out) {
        ClipStats stats = ClipStats.empty();
        double loss = 0;
        try {
            for (int i = 0; i < batch.size(); i++) {
                loss += model.exampleGradient(batch.rows(new int[] {i}));
                INDArray gradient = model.gradientView();
                double[] squaredNorm = ClipAndSum.squaredRowNorms(gradient.reshape(1, gradient.length()));
                ClipFactors factors = ClipFactors.fromSquaredNorms(squaredNorm, l2NormClip, policy);
                stats = stats.merge(factors.stats());
                double factor = factors.factors()[0];
                if (factor != 0) {
                    out.addi(gradient.mul(ClipFactors.roundedFactor(factor, gradient.dataType())));
                }
            }
        } finally {
            model.clear();
        }
        return new ClippedSum(out, stats, loss);
    }

    /** The factors as a [B, 1] column of {@code dataType}, each rounded by {@link ClipFactors#roundedFactor}. */
    static INDArray factorColumn(double[] factors, DataType dataType) {
        if (dataType == DataType.DOUBLE) {
            return Nd4j.createFromArray(factors).reshape(factors.length, 1);
        }
        float[] rounded = new float[factors.length];
        for (int i = 0; i < factors.length; i++) {
            rounded[i] = (float) ClipFactors.roundedFactor(factors[i], DataType.FLOAT);
        }
        return Nd4j.createFromArray(rounded).castTo(dataType).reshape(factors.length, 1);
    }

    @Override
    public String toString() {
        return "GradientEngine[" + strategy + ", C = " + l2NormClip + ", " + policy + "]"
                + (strategy == Strategy.PER_EXAMPLE_LOOP ? " " + Arrays.toString(model.layersWithoutRule().toArray()) : "");
    }
}
