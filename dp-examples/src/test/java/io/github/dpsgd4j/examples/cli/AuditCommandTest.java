package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.dpsgd4j.audit.model.MlpRecipe;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.datasets.DigitsDataset;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dpsgd4j audit}, run in-process: the JSON contract, the report files and bad input. */
class AuditCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SUMMARY_FIELDS = {"test_accuracy", "lira_auc", "loss_auc",
            "inversion_identification_rate", "inversion_member_gap", "epsilon_lower_bound", "epsilon", "rmia_auc",
            "rmia_tpr_at_fpr", "roc_bound", "epsilon_lower_bound_gdp"};

    @TempDir
    Path dir;

    @BeforeAll
    static void quietLogs() {
        // Tests print nothing: DL4J's INFO lines go away even when a test trains before the command runs.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    @Test
    void trainBothJson_lastLineHoldsBothModelsWithContractFields_andReportIsWritten() throws IOException {
        Path out = dir.resolve("report");
        CliRun run = CliRun.of("audit", "--dataset", "digits", "--train", "both", "--target-epsilon", "3", "--quick",
                "--shadows", "2", "--reproducible", "--out", out.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = run.lastJsonLine();
        assertEquals(2, json.size(), json.toString());
        for (String model : new String[] {"non_private", "private"}) {
            JsonNode m = json.get(model);
            for (String field : SUMMARY_FIELDS) {
                assertTrue(m.has(field), model + " lacks " + field + ": " + m);
            }
            assertTrue(m.get("lira_auc").asDouble() >= 0 && m.get("lira_auc").asDouble() <= 1);
            assertTrue(m.get("test_accuracy").asDouble() > 0.8, model + " " + m.get("test_accuracy"));
        }
        assertTrue(json.get("non_private").get("epsilon").isNull());
        assertEquals("Infinity", json.get("non_private").get("epsilon_non_finite").asText());
        double epsilon = json.get("private").get("epsilon").asDouble();
        assertTrue(epsilon > 2.9 && epsilon <= 3.0, "private epsilon " + epsilon);
        assertTrue(json.get("private").get("max_auc").asDouble() < 1);
        for (String model : new String[] {"non_private", "private"}) {
            JsonNode m = json.get(model);
            assertTrue(m.get("rmia_offline_auc").isNull(), "2 shadows are too few for offline RMIA: " + m);
            assertTrue(m.get("rmia_offline_note").asText().contains("at least 4 shadow models"), m.toString());
        }
        assertTrue(json.get("private").get("shadow_models_note").asText().contains("share"),
                "private shadows share one calibration: the JSON says so");
        assertFalse(json.get("non_private").has("shadow_models_note"));
        assertTrue(Files.readString(out.resolve("index.html"), StandardCharsets.UTF_8).contains("Shadow models:"),
                "the report page shows the note");
        for (String file : new String[] {"index.html", "audit.json", "roc-non_private.png", "roc-private.png",
                "reconstructions.png", "privacy-utility.png"}) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        String html = Files.readString(out.resolve("index.html"), StandardCharsets.UTF_8);
        assertTrue(html.contains("roc-private.png") && html.contains("null band"), "page ties the pictures together");
        JsonNode full = JSON.readTree(out.resolve("audit.json").toFile());
        assertEquals(2, full.get("models").size());
    }

    @Test
    void userModel_withCsvMembersAndNonMembers_isAudited() throws IOException {
        DigitsDataset digits = DigitsDataset.load();
        int[] in = new int[120];
        int[] outRows = new int[120];
        for (int i = 0; i < 120; i++) {
            in[i] = i;
            outRows[i] = 200 + i;
        }
        DataSet members = digits.subset(in);
        MultiLayerNetwork net = MlpRecipe.builder(64, 10).hidden(32).epochs(30).batchSize(32).build()
                .train(members, 1).network();
        Path model = dir.resolve("model.zip");
        ModelSerializer.writeModel(net, model.toFile(), false);
        Path membersCsv = csv("members.csv", members, true);
        Path nonMembersCsv = csv("non-members.csv", digits.subset(outRows), false);
        CliRun run = CliRun.of("audit", "--model", model.toString(), "--members", membersCsv.toString(), "--non-members",
                nonMembersCsv.toString(), "--quick", "--shadows", "4", "--shadow-epochs", "5",
                "--out", dir.resolve("user").toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode m = run.lastJsonLine().get("model");
        for (String field : SUMMARY_FIELDS) {
            assertTrue(m.has(field), "lacks " + field + ": " + m);
        }
        // With 4 shadows offline RMIA runs (its value against Rmia.scoreOffline: OfflineRmiaReportTest in dp-audit).
        double offline = m.get("rmia_offline_auc").asDouble(-1);
        double a = m.get("rmia_offline_a").asDouble(-1);
        assertTrue(offline >= 0 && offline <= 1 && a >= 0 && a <= 1, m.toString());
        assertTrue(m.get("rmia_offline_tpr_at_fpr").has("10pct"), m.toString());
        assertFalse(m.has("shadow_models_note"), "shadows of a user's model are trained without privacy");
        assertTrue(m.get("train_accuracy").asDouble() > 0.85, m.toString());
        assertTrue(m.get("epsilon").isNull());
    }

    @Test
    void userModel_savedWithItsLedger_isAuditedAtTheEpsilonItSpent() throws IOException {
        DigitsDataset digits = DigitsDataset.load();
        int[] in = new int[120];
        int[] outRows = new int[120];
        for (int i = 0; i < 120; i++) {
            in[i] = i;
            outRows[i] = 200 + i;
        }
        DataSet members = digits.subset(in);
        MultiLayerNetwork net = MlpRecipe.builder(64, 10).hidden(32).epochs(5).batchSize(32).build()
                .train(members, 1).network();
        DpSgdTrainer trainer = DpSgdTrainer.builder(net).l2NormClip(1).noiseMultiplier(1.0).sampleRate(0.25)
                .noiseSource(NoiseSource.seeded(2)).build();
        trainer.fit(members, 2);
        Path model = dir.resolve("private-model.zip");
        trainer.saveModel(model);
        double spent = trainer.privacySpent(1e-5).epsilon();
        CliRun run = CliRun.of("audit", "--model", model.toString(), "--members",
                csv("members.csv", members, true).toString(), "--non-members",
                csv("non-members.csv", digits.subset(outRows), false).toString(), "--quick", "--shadow-models", "2",
                "--shadow-epochs", "2", "--delta", "1e-5", "--out", dir.resolve("ledgered").toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(spent, run.lastJsonLine().get("model").get("epsilon").asDouble(), 1e-9 * spent);
        // The accounting command reads the same ledger from the model file.
        JsonNode eps = CliRun.of("epsilon", "--ledger", model.toString(), "--accountant", "pld", "--delta", "1e-5",
                "--json").succeeded().lastJsonLine();
        assertEquals(spent, eps.get("epsilon").asDouble(), 1e-9 * spent);
        Path plain = dir.resolve("plain.zip");
        ModelSerializer.writeModel(net, plain.toFile(), false);
        CliRun refused = CliRun.of("epsilon", "--ledger", plain.toString(), "--delta", "1e-5");
        assertNotEquals(0, refused.exitCode());
        assertTrue(refused.err().contains("carries no dpsgd4j privacy ledger"), refused.err());
    }

    private Path csv(String name, DataSet data, boolean header) throws IOException {
        StringBuilder s = new StringBuilder(header ? "# digits, label last\npixel0,label\n" : "");
        double[][] x = data.getFeatures().toDoubleMatrix();
        int[] y = data.getLabels().argMax(1).toIntVector();
        for (int i = 0; i < x.length; i++) {
            for (double v : x[i]) {
                s.append(v).append(',');
            }
            s.append(y[i]).append('\n');
        }
        Path file = dir.resolve(name);
        Files.writeString(file, s.toString(), StandardCharsets.UTF_8);
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"--dataset=mnist", "--train=sometimes", "--target-epsilon=-1", "--target-epsilon=NaN",
            "--delta=1", "--shadows=3", "--policies=top-0", "--model=missing.zip", "--members=m.csv"})
    void badInput_exitsNonZeroWithOneLineOnStandardError(String option) {
        String[] args = option.startsWith("--model")
                ? new String[] {"audit", option, "--members", "m.csv", "--non-members", "n.csv"}
                : new String[] {"audit", option};
        CliRun run = CliRun.of(args);
        assertNotEquals(0, run.exitCode(), option);
        String[] lines = run.err().strip().split("\\R");
        assertEquals(1, lines.length, option + ": " + run.err());
        assertTrue(lines[0].startsWith("dpsgd4j audit: "), lines[0]);
        assertFalse(run.out().contains("{"), "no JSON on failure");
    }

    @Test
    void modelWithoutMemberFiles_namesTheMissingOptions() {
        CliRun run = CliRun.of("audit", "--model", "x.zip");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--members") && run.err().contains("--non-members"), run.err());
    }

    @Test
    void modelThatIsNotADl4jZip_namesTheFileAndWhatWasExpected() throws IOException {
        Path notAModel = dir.resolve("weights.zip");
        Files.writeString(notAModel, "not a zip", StandardCharsets.UTF_8);
        Path members = dir.resolve("m.csv");
        Files.writeString(members, "0.1,0.2,0.3,0.4,1\n0.5,0.6,0.7,0.8,0\n", StandardCharsets.UTF_8);
        CliRun run = CliRun.of("audit", "--model", notAModel.toString(), "--members", members.toString(),
                "--non-members", members.toString(), "--out", dir.resolve("r").toString());
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains(notAModel.toString()) && run.err().contains("not a DL4J model file")
                && run.err().contains("ModelSerializer"), run.err());
        assertFalse(run.err().contains("gotConfig"), run.err());
    }

    @Test
    void outUnderARegularFile_namesTheOption() throws IOException {
        Path file = dir.resolve("plain.txt");
        Files.writeString(file, "x", StandardCharsets.UTF_8);
        CliRun run = CliRun.of("audit", "--quick", "--out", file.resolve("report").toString());
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("--out") && run.err().contains("regular file"), run.err());
    }
}
