package io.github.dpsgd4j.optimizers.model;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Everything private training needs from one kind of DL4J model ({@link MultiLayerNetworkAdapter}; a
 * {@code ComputationGraph} adapter follows the same contract), so that the rest of the step (gradient engine, noise, privacy
 * guard, trainer) is written once.
 *
 * <p>The contract:
 * <ul>
 *   <li>{@link #gradientView()} is the model's flat gradient [1, P]; parameters, gradient and
 *       {@link #trainableRanges()} use the same coordinates.</li>
 *   <li>{@link #backward} runs a training forward pass (dropout drawn once) and a backward pass in
 *       reverse topological order, leaving one {@code LayerBackward} per trainable layer with a
 *       rule; the engine then asks each for norms and the clipped sum, which the layers add into
 *       {@link #gradientView()}. Call {@link #clear()} afterwards.</li>
 *   <li>{@link #exampleGradient} is the exact fallback: DL4J's own backward pass on a batch of one,
 *       its full gradient left in {@link #gradientView()} with zeros outside the trainable ranges.</li>
 *   <li>{@link #applyUpdate} applies the (already noised and normalised) gradient in the view
 *       through DL4J's updater exactly as {@code fit()} does, then advances the iteration counter
 *       and notifies DL4J listeners.</li>
 *   <li>Frozen parts are outside the trainable ranges and receive exactly the treatment
 *       {@code fit()} gives them.</li>
 * </ul>
 * Validation (rejected layers, unsupported configurations) happens in the adapter's constructor,
 * before anything is spent.
 *
 * <p>Not thread-safe: an adapter drives its model's layer state.
 */
public interface ModelAdapter {

    /** The wrapped DL4J model (the object the user passed in). */
    Model model();

    /** The model's flat gradient array [1, P] (allocated outside workspaces, overwritten by each pass). */
    INDArray gradientView();

    /**
     * The [start, end) ranges of the flat parameter vector that training updates (noise goes exactly
     * there); frozen parameters lie outside. Each call returns fresh copies.
     */
    List<long[]> trainableRanges();

    /**
     * Human-readable reasons why some trainable layer has no supported rule (the engine then uses
     * the exact per-example loop); empty when book-keeping covers the whole model.
     */
    List<String> layersWithoutRule();

    /**
     * A training forward pass and a private backward pass over {@code batch}, with rules for every
     * trainable layer (call only when {@link #layersWithoutRule()} is empty).
     *
     * @param batch      B >= 1 examples
     * @param workspaces where layers allocate their arrays (the caller's open scope)
     */
    BackwardPass backward(Batch batch, LayerWorkspaceMgr workspaces);

    /**
     * The gradient of one example through DL4J's own backward pass, left in {@link #gradientView()}
     * (sum over the example's outputs; zeros outside the trainable ranges). DL4J listeners are not
     * called (they must see only noised gradients).
     *
     * @param example a batch of exactly one example
     * @return the example's data loss (not private: for display only)
     */
    double exampleGradient(Batch example);

    /** Releases the layer inputs, masks and labels kept by the last pass. */
    void clear();

    /**
     * Applies the update: DL4J listeners' {@code onGradientCalculation}, the model's updater on the
     * gradient in {@link #gradientView()} with batch size 1 (the gradient is already divided by the
     * expected batch size), parameters minus update, the score, listeners' {@code iterationDone},
     * the iteration counter and constraints, as {@code fit()} does them.
     *
     * @param meanLoss the data loss averaged over the logical batch, for the model's score; NaN
     *                 leaves the score unchanged (empty batch)
     */
    void applyUpdate(double meanLoss);

    /** The model's iteration counter (updates applied so far). */
    int iterationCount();

    /** The model's epoch counter. */
    int epochCount();

    /** Notifies DL4J listeners that an epoch starts. */
    void epochStarted();

    /** Increments the epoch counter and notifies DL4J listeners that the epoch ended. */
    void epochEnded();

    /** Number of model inputs. */
    int inputCount();

    /** Number of model outputs (labels arrays). */
    int outputCount();

    /**
     * Checks, before anything is spent, that {@code data} fits the model: one features array per
     * input and one labels array per output (and masks, if any, likewise).
     *
     * @throws IllegalArgumentException naming the array, the value and what to do
     */
    default void checkData(ExampleSet data) {
        if (data.inputs() != inputCount()) {
            throw new IllegalArgumentException("data has " + data.inputs() + " features arrays but the model has "
                    + inputCount() + " inputs: give one features array per input, in the model's input order");
        }
        if (data.outputs() != outputCount()) {
            throw new IllegalArgumentException("data has " + data.outputs() + " labels arrays but the model has "
                    + outputCount() + " outputs: give one labels array per output, in the model's output order");
        }
        if (data.featuresMaskCount() >= 0 && data.featuresMaskCount() != inputCount()) {
            throw new IllegalArgumentException("data has " + data.featuresMaskCount() + " features masks but the model has "
                    + inputCount() + " inputs: give one mask (or null) per input");
        }
        if (data.labelsMaskCount() >= 0 && data.labelsMaskCount() != outputCount()) {
            throw new IllegalArgumentException("data has " + data.labelsMaskCount() + " labels masks but the model has "
                    + outputCount() + " outputs: give one mask (or null) per output");
        }
    }
}
