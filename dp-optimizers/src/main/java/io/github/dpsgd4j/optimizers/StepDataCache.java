package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.optimizers.model.ExampleSet;
import io.github.dpsgd4j.optimizers.model.ModelAdapter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code step(data)} is typically called with the same data set again and again: this keeps the
 * last {@link ExampleSet} (its flattened row views) while the data set holds the same arrays
 * (setFeatures and the like replace them, and are noticed by identity), and only when its rows are views
 * of those arrays, so data refilled in place is always seen as it is when the step is called. Not thread-safe.
 */
final class StepDataCache {

    private final ModelAdapter model;
    private INDArray[] arrays;
    private ExampleSet examples;

    StepDataCache(ModelAdapter model) {
        this.model = model;
    }

    /** The examples of {@code data}, checked against the model when they are new. */
    ExampleSet of(DataSet data) {
        return get(new INDArray[] {data.getFeatures(), data.getLabels(), data.getFeaturesMaskArray(),
                data.getLabelsMaskArray()}, () -> ExampleSet.of(data));
    }

    /** The examples of {@code data}, checked against the model when they are new. */
    ExampleSet of(MultiDataSet data) {
        List<INDArray> all = new ArrayList<>();
        for (INDArray[] group : new INDArray[][] {data.getFeatures(), data.getLabels(), data.getFeaturesMaskArrays(),
                data.getLabelsMaskArrays()}) {
            all.addAll(group == null ? Collections.singletonList(null) : Arrays.asList(group));
        }
        return get(all.toArray(new INDArray[0]), () -> ExampleSet.of(data));
    }

    private ExampleSet get(INDArray[] current, Supplier<ExampleSet> build) {
        if (arrays == null || !Arrays.equals(arrays, current, (a, b) -> a == b ? 0 : 1)) {
            ExampleSet set = build.get();
            model.checkData(set);
            examples = set;
            // Keep only sets whose rows are views of the caller's arrays: a copy (an 'f'-order or view array
            // flattened to 'c' rows) would go stale when the caller refills the same arrays in place.
            arrays = viewable(current) ? current : null;
        }
        return examples;
    }

    /** Whether every array is flattened to rows without copying: 'c' order and not a view of another array. */
    private static boolean viewable(INDArray[] current) {
        for (INDArray a : current) {
            if (a != null && (a.ordering() != 'c' || a.isView())) {
                return false;
            }
        }
        return true;
    }
}
