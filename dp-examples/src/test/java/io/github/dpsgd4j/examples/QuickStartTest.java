package io.github.dpsgd4j.examples;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.accounting.PrivacyGuarantee;
import io.github.dpsgd4j.examples.data.DatasetName;
import io.github.dpsgd4j.examples.training.ModelKind;
import io.github.dpsgd4j.examples.training.PreparedData;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's quick start, statement for statement, on the bundled digits: once with the training
 * set as one {@code DataSet} and once gathered from a {@code DataSetIterator} as the README shows.
 * The README must still contain every statement run here.
 */
class QuickStartTest {

    /**
     * The statements of the two README snippets, as written there (comments aside; the README's
     * statement that shows the guarantee on standard output is checked by its call alone). This test
     * never writes to standard output: it asserts on {@code String.valueOf(spent)}, the text that
     * statement shows.
     */
    private static final List<String> README_STATEMENTS = List.of(
            "DpSgdTrainer trainer = DpSgdTrainer.builder(net)",
            ".l2NormClip(1.0)",
            ".targetBudget(new PrivacyBudget(3.0, 1e-5), 30)",
            ".sampleRate(256.0 / train.numExamples())",
            "trainer.fit(train, 30);",
            "PrivacyGuarantee spent = trainer.privacySpent(1e-5);",
            "println(spent);",
            "List<DataSet> parts = new ArrayList<>();",
            "iterator.reset();",
            "iterator.forEachRemaining(parts::add);",
            "DataSet train = DataSet.merge(parts);");

    @Test
    void readme_stillShowsTheStatementsThisTestRuns() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        for (String statement : README_STATEMENTS) {
            assertTrue(readme.contains(statement), "README.md no longer contains: " + statement);
        }
    }

    @Test
    void quickStart_onADataSet_spendsAtMostItsBudget_andPrintsIt() {
        DataSet train = digits().train();
        String printed = quickStart(train);
        assertTrue(printed.contains("epsilon = ") && printed.contains("PLD"), printed);
    }

    @Test
    void quickStart_fromADataSetIterator_gathersEveryExample() {
        DataSet all = digits().train();
        DataSetIterator iterator = new ListDataSetIterator<>(all.asList(), 100);
        iterator.next(); // a partly consumed iterator: reset() must bring the first batch back

        List<DataSet> parts = new ArrayList<>();
        iterator.reset();
        iterator.forEachRemaining(parts::add);
        DataSet train = DataSet.merge(parts);

        assertEquals(all.numExamples(), train.numExamples());
        assertTrue(quickStart(train).contains("epsilon = "));
    }

    /** The quick start's training statements; returns the text its last statement shows. */
    private static String quickStart(DataSet train) {
        MultiLayerNetwork net = ModelKind.MLP.build(8, 8, 64, 10, 0.1, 7);
        DpSgdTrainer trainer = DpSgdTrainer.builder(net)
                .l2NormClip(1.0)
                .targetBudget(new PrivacyBudget(3.0, 1e-5), 30)
                .sampleRate(256.0 / train.numExamples())
                .build();
        trainer.fit(train, 30);
        PrivacyGuarantee spent = trainer.privacySpent(1e-5);
        assertTrue(spent.epsilon() <= 3.0, spent.toString());
        assertTrue(spent.epsilon() > 2.5, "the calibrated run spends most of its budget: " + spent);
        assertTrue(spent.isCertified());
        return String.valueOf(spent);
    }

    private static PreparedData digits() {
        try {
            return PreparedData.prepare(DatasetName.DIGITS, DatasetName.DIGITS.load(null), ModelKind.MLP,
                    Optional.empty(), 1, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
