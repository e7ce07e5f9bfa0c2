package io.github.dpsgd4j.optimizers.model;

import io.github.dpsgd4j.optimizers.UnsupportedLayerException;
import io.github.dpsgd4j.optimizers.pergradient.StepWorkspace;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What the adapters of DL4J's two model kinds do alike: the exact per-example gradient with listeners
 * muted, the update exactly as {@code fit()} applies it (listeners' {@code onGradientCalculation}, DL4J's
 * updater with batch size 1 on the already normalised view, {@code params -= update}, score,
 * {@code iterationDone}, iteration count, constraints), and the iteration and epoch counters. A subclass
 * supplies the few calls whose DL4J signatures differ between {@code MultiLayerNetwork} and
 * {@code ComputationGraph}.
 *
 * <p>Not thread-safe: an adapter drives its model's state.
 */
abstract sealed class Dl4jModelAdapter implements ModelAdapter
        permits MultiLayerNetworkAdapter, ComputationGraphAdapter {

    private final StepWorkspace updateWorkspace = new StepWorkspace("DPSGD_UPDATE");

    /** The model's listeners (DL4J's own collection). */
    abstract Collection<TrainingListener> listeners();

    /** Puts one example (features, labels, masks) into the model for {@code computeGradientAndScore}. */
    abstract void setExample(Batch example);

    /** DL4J's own forward and backward pass on the data set by {@link #setExample}. */
    abstract void computeGradientAndScore();

    /** The regularisation part of the score (DL4J's {@code calcRegularizationScore(true)}). */
    abstract double regularizationScore();

    /** Sets the score that listeners and {@code score()} report. */
    abstract void setScore(double score);

    /** Runs the model's DL4J updater on {@code view} in place (batch size 1: the view is already normalised). */
    abstract void runUpdater(INDArray view, int iteration, int epoch, LayerWorkspaceMgr workspaces);

    /** Increments the model's epoch counter. */
    abstract void incrementEpochCount();

    /** The trainable ranges themselves (not a copy), sorted and disjoint. */
    abstract List<long[]> rangesView();

    /**
     * Refuses truncated backpropagation through time: it splits an example's gradient over several
     * updates, so one example's clipped contribution would no longer be bounded.
     *
     * @throws UnsupportedLayerException for {@link BackpropType#TruncatedBPTT}
     */
    static void refuseTruncatedBackprop(BackpropType type) {
        if (type == BackpropType.TruncatedBPTT) {
            throw new UnsupportedLayerException("truncated backpropagation through time splits an example's "
                    + "gradient over several updates, so one example's clipped contribution is no longer bounded; "
                    + "use .backpropType(BackpropType.Standard)");
        }
    }

    @Override
    public final INDArray gradientView() {
        return model().getGradientsViewArray();
    }

    @Override
    public final List<long[]> trainableRanges() {
        return Ranges.copy(rangesView());
    }

    @Override
    public final double exampleGradient(Batch example) {
        // DL4J calls listeners' onForwardPass/onBackwardPass inside computeGradientAndScore: they would
        // see one example's activations and its raw gradient. Listeners see only noised updates.
        // (A copy: setListeners clears the collection getListeners returns.)
        Collection<TrainingListener> current = listeners();
        List<TrainingListener> saved = current == null ? List.of() : new ArrayList<>(current);
        model().setListeners(new ArrayList<TrainingListener>());
        try {
            // A [1, 1] mask (an example weight) needs a batch of two for DL4J (see LoopExample).
            LoopExample loop = LoopExample.of(example);
            setExample(loop.batch());
            computeGradientAndScore();
            Ranges.zeroOutside(model().getGradientsViewArray(), rangesView());
            return (model().score() - regularizationScore()) * loop.scoreScale();
        } finally {
            model().setListeners(new ArrayList<>(saved));
        }
    }

    @Override
    public final void applyUpdate(double meanLoss) {
        INDArray view = model().getGradientsViewArray();
        int iteration = iterationCount();
        int epoch = epochCount();
        for (TrainingListener l : listeners()) {
            l.onGradientCalculation(model()); // the gradient is now clipped and noised: safe to observe
        }
        // The updater opens its own working-memory scope in the update workspace.
        runUpdater(view, iteration, epoch, updateWorkspace.layerWorkspaces());
        INDArray params = model().params();
        params.subi(view.reshape(params.shape()));
        if (!Double.isNaN(meanLoss)) {
            setScore(meanLoss + regularizationScore());
        }
        for (TrainingListener l : listeners()) {
            l.iterationDone(model(), iteration, epoch);
        }
        BaseOptimizer.incrementIterationCount(model(), 1);
        model().applyConstraints(iterationCount(), epochCount());
    }

    @Override
    public final int iterationCount() {
        return BaseOptimizer.getIterationCount(model());
    }

    @Override
    public final int epochCount() {
        return BaseOptimizer.getEpochCount(model());
    }

    @Override
    public final void epochStarted() {
        for (TrainingListener l : listeners()) {
            l.onEpochStart(model());
        }
    }

    @Override
    public final void epochEnded() {
        incrementEpochCount();
        for (TrainingListener l : listeners()) {
            l.onEpochEnd(model());
        }
    }
}
