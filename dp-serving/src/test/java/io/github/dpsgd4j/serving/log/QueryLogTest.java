package io.github.dpsgd4j.serving.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryLogTest {

    @TempDir
    Path dir;

    private static QueryLogEntry entry(String client, double[][] outputs) {
        return new QueryLogEntry(Instant.parse("2026-01-02T03:04:05Z"), client, 1,
                InputDigest.sha256(new double[][] {{1, 2}}), outputs == null ? "rate_limited" : "answered",
                outputs == null ? List.of("rate_limited") : List.of(), outputs == null ? 1500 : 0, 7, outputs, "top-2");
    }

    @Test
    void append_writesOneJsonLinePerEntry_withEveryField() throws IOException {
        Path file = dir.resolve("queries.log");
        try (QueryLog log = QueryLog.open(file, 1 << 20, 3)) {
            log.append(entry("alice", new double[][] {{0.75, Double.NaN, 0.25}}));
            log.append(entry("bob", null));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        JsonNode a = new ObjectMapper().readTree(lines.get(0));
        assertEquals("2026-01-02T03:04:05Z", a.get("time").asText());
        assertEquals("alice", a.get("client").asText());
        assertEquals("answered", a.get("decision").asText());
        assertEquals(64, a.get("input_sha256").asText().length());
        assertEquals("top-2", a.get("policy").asText());
        assertEquals(0.75, a.get("outputs").get(0).get(0).asDouble());
        assertTrue(a.get("outputs").get(0).get(1).isNull(), "withheld entries are null");
        JsonNode b = new ObjectMapper().readTree(lines.get(1));
        assertEquals("rate_limited", b.get("reasons").get(0).asText());
        assertEquals(1500, b.get("retry_after_ms").asLong());
        assertFalse(b.has("outputs"));
    }

    @Test
    void reopening_appendsAndNeverTruncates() throws IOException {
        Path file = dir.resolve("queries.log");
        try (QueryLog log = QueryLog.open(file, 1 << 20, 3)) {
            log.append(entry("alice", null));
        }
        try (QueryLog log = QueryLog.open(file, 1 << 20, 3)) {
            log.append(entry("bob", null));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).contains("alice") && lines.get(1).contains("bob"));
    }

    @Test
    void rotation_bySize_keepsTheNewestFiles_andLosesNoLineOfThem() throws IOException {
        Path file = dir.resolve("queries.log");
        int lineLength = QueryLog.toJson(entry("c0", null)).length() + 1;
        try (QueryLog log = QueryLog.open(file, 2L * lineLength, 2)) {
            for (int i = 0; i < 8; i++) {
                log.append(entry("c" + i, null));
            }
            assertEquals(List.of("c6", "c7"), clients(file));
            assertEquals(List.of("c4", "c5"), clients(log.rotated(1)));
            assertEquals(List.of("c2", "c3"), clients(log.rotated(2)));
            assertFalse(Files.exists(file.resolveSibling("queries.log.3")));
        }
    }

    @Test
    void rotate_onDemand_startsAnEmptyFile() throws IOException {
        Path file = dir.resolve("queries.log");
        try (QueryLog log = QueryLog.open(file, 1 << 20, 1)) {
            log.append(entry("alice", null));
            log.rotate();
            log.append(entry("bob", null));
            assertEquals(List.of("bob"), clients(file));
            assertEquals(List.of("alice"), clients(log.rotated(1)));
        }
    }

    @Test
    void appendAfterClose_fails() throws IOException {
        QueryLog log = QueryLog.open(dir.resolve("q.log"), 100, 1);
        log.close();
        assertThrows(IOException.class, () -> log.append(entry("alice", null)));
    }

    @Test
    void digest_isStableAndSensitiveToEveryValue() {
        String a = InputDigest.sha256(new double[][] {{0.1, 0.2}, {0.3}});
        assertEquals(a, InputDigest.sha256(new double[][] {{0.1, 0.2}, {0.3}}));
        assertNotEquals(a, InputDigest.sha256(new double[][] {{0.1, 0.2, 0.3}}), "row boundaries count");
        assertNotEquals(a, InputDigest.sha256(new double[][] {{0.1, 0.2}, {Math.nextUp(0.3)}}));
    }

    private static List<String> clients(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        return Files.readAllLines(file).stream().map(l -> {
            try {
                return json.readTree(l).get("client").asText();
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }).toList();
    }
}
