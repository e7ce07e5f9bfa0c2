package io.github.dpsgd4j.examples.data;

import io.github.dpsgd4j.common.Checks;

/**
 * A training set (the private data) and a test set (used only to measure accuracy).
 *
 * @param train the training images; not null
 * @param test  the test images, with the same image size and classes; not null
 */
public record TrainTestSplit(LabeledImages train, LabeledImages test) {

    public TrainTestSplit {
        Checks.notNull("train", train);
        Checks.notNull("test", test);
        if (train.height() != test.height() || train.width() != test.width() || train.classes() != test.classes()) {
            throw new IllegalArgumentException("train and test must have the same image size and classes, got "
                    + train.height() + "x" + train.width() + " (" + train.classes() + " classes) and "
                    + test.height() + "x" + test.width() + " (" + test.classes() + " classes)");
        }
    }
}
