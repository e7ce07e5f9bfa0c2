package io.github.dpsgd4j.serving.card;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrivacyCardTest {

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private final PrivacyLedger ledger = PrivacyLedger.empty().record(1.1, 0.01, 500);

    private void trainFolder(String epsilonField) throws IOException {
        Files.writeString(dir.resolve("ledger.json"), ledger.toJson());
        Files.writeString(dir.resolve("report.json"), "{\"command\": \"train\", \"dataset\": \"digits\", "
                + "\"model\": \"mlp\", \"train_size\": 1437, \"test_accuracy\": 0.9, " + epsilonField
                + "\"delta\": 1e-5, \"clip\": 1.0}");
    }

    @Test
    void card_fromATrainFolder_recomputesEpsilonFromTheLedger_andHasEveryField() throws IOException {
        trainFolder("");
        PrivacyCard card = PrivacyCard.writeBeside(dir);
        double pld = ledger.accountant(AccountantType.PLD).epsilon(1e-5);
        assertEquals(pld, card.epsilon());
        JsonNode n = json.readTree(dir.resolve("card.json").toFile());
        for (String field : new String[] {"unit_of_privacy", "epsilon", "delta", "accountant", "noise_multiplier",
                "sample_rate", "steps", "clip", "not_covered", "audit", "served_with", "dataset", "train_size"}) {
            assertTrue(n.has(field), field);
        }
        assertEquals("one training example", n.get("unit_of_privacy").asText());
        assertEquals(pld, n.get("epsilon").asDouble());
        assertEquals(1e-5, n.get("delta").asDouble());
        assertEquals("pld", n.get("accountant").asText());
        assertEquals(1.1, n.get("noise_multiplier").asDouble());
        assertEquals(0.01, n.get("sample_rate").asDouble());
        assertEquals(500, n.get("steps").asLong());
        assertEquals(1.0, n.get("clip").asDouble());
        assertEquals(1437, n.get("train_size").asLong());
        assertTrue(n.get("audit").isNull());
        assertTrue(n.get("epsilon_rdp").asDouble() >= pld, "RDP is an upper bound");
        String html = Files.readString(dir.resolve("card.html"));
        assertTrue(html.contains("one training example") && html.contains("No audit was run"), html);
    }

    @Test
    void card_neverReportsLessThanTheEpsilonRecordedAtTraining() throws IOException {
        trainFolder("\"epsilon\": 99.0, ");
        assertEquals(99.0, PrivacyCardReader.read(dir, Double.NaN, null).epsilon());
    }

    @Test
    void card_ofALedgerThePldCannotDiscretise_usesRdpAndSaysSo() throws IOException {
        // What 'train --accountant rdp --target-epsilon 1e9' leaves: a noise multiplier far too small for PLD's grid.
        Files.writeString(dir.resolve("ledger.json"), PrivacyLedger.empty().record(5.7e-5, 0.178, 6).toJson());
        Files.writeString(dir.resolve("report.json"), "{\"delta\": 1e-5}");
        PrivacyCard card = PrivacyCard.writeBeside(dir);
        assertEquals("rdp", card.accountant());
        assertEquals(card.epsilonRdp(), card.epsilon());
        assertTrue(card.epsilon() > 1e6, "epsilon " + card.epsilon());
    }

    @Test
    void card_ofANonPrivateRun_saysThereIsNoGuarantee() throws IOException {
        Files.writeString(dir.resolve("ledger.json"), PrivacyLedger.empty().record(0, 0.1, 100).toJson());
        Files.writeString(dir.resolve("report.json"), "{\"delta\": 1e-5}");
        PrivacyCard card = PrivacyCard.writeBeside(dir);
        assertFalse(card.isPrivate());
        JsonNode n = json.readTree(dir.resolve("card.json").toFile());
        assertTrue(n.get("epsilon").isNull());
        assertEquals("Infinity", n.get("epsilon_non_finite").asText());
        assertTrue(Files.readString(dir.resolve("card.html")).contains("no differential privacy guarantee"));
    }

    @Test
    void card_ofADemoFolder_takesThePrivateRun_andItsAudit_namingWhatWasAudited() throws IOException {
        Files.writeString(dir.resolve("ledger.json"), ledger.toJson());
        Files.writeString(dir.resolve("report.json"), "{\"command\": \"demo\", \"dataset\": \"digits\", "
                + "\"private\": {\"delta\": 1e-5, \"clip\": 1.0, \"test_accuracy\": 0.8}, "
                + "\"non_private\": {\"delta\": 1e-5}, \"audit\": {\"non_private\": {\"lira_auc\": 0.6}, "
                + "\"private\": {\"lira_auc\": 0.51, \"lira_auc_null_half_width\": 0.03, \"max_auc\": 0.95}}}");
        PrivacyCard card = PrivacyCardReader.read(dir, Double.NaN, null);
        assertEquals(0.51, card.audit().liraAuc());
        assertEquals(0.03, card.audit().liraAucNullHalfWidth());
        assertTrue(card.audit().subject().contains("not this model file"));
        assertEquals(1.0, card.clip());
        assertEquals(0.8, card.testAccuracy());
    }

    @Test
    void card_readsAnAuditJson_andRecordsTheServingPolicy() throws IOException {
        trainFolder("");
        Path audit = dir.resolve("audit");
        Files.createDirectories(audit);
        Files.writeString(audit.resolve("audit.json"), "{\"models\": [{\"name\": \"other\", \"lira_auc\": 0.7}, "
                + "{\"name\": \"private\", \"lira_auc\": 0.52, \"epsilon_lower_bound\": 0.1}]}");
        PrivacyCard card = PrivacyCardReader.read(dir, 1e-6, null).servedWith("top-k:3");
        assertEquals(0.52, card.audit().liraAuc());
        assertEquals("audit/audit.json", card.audit().source());
        assertEquals(1e-6, card.delta());
        assertEquals(ledger.accountant(AccountantType.PLD).epsilon(1e-6), card.epsilon());
        card.write(dir);
        JsonNode n = json.readTree(dir.resolve("card.json").toFile());
        assertEquals("top-k:3", n.get("served_with").asText());
        assertEquals(0.1, n.get("audit").get("epsilon_lower_bound").asDouble());
        assertTrue(n.get("audit").get("loss_auc").isNull());
    }

    @Test
    void missingLedgerOrDelta_areErrorsThatSayWhatToGive() throws IOException {
        String m = assertThrows(IllegalArgumentException.class, () -> PrivacyCardReader.read(dir, Double.NaN, null))
                .getMessage();
        assertTrue(m.contains("ledger.json"), m);
        Files.writeString(dir.resolve("ledger.json"), ledger.toJson());
        m = assertThrows(IllegalArgumentException.class, () -> PrivacyCardReader.read(dir, Double.NaN, null))
                .getMessage();
        assertTrue(m.contains("--delta"), m);
        m = assertThrows(IllegalArgumentException.class, () -> PrivacyCardReader.read(dir.resolve("none"), 1e-5, null))
                .getMessage();
        assertTrue(m.contains("not a directory"), m);
    }

    @Test
    void html_escapesText() {
        assertEquals("&lt;b&gt; &amp; &quot;x&quot;", PrivacyCardHtml.escape("<b> & \"x\""));
        PrivacyCard card = new PrivacyCard("<script>", null, -1, null, Double.NaN, 1, 1e-5, "pld", 1.2, 1, 0.1, 10,
                1, java.util.List.of(), null, null);
        String html = PrivacyCardHtml.render(card);
        assertFalse(html.contains("<script>"));
        assertNull(card.audit());
    }
}
