package io.github.dpsgd4j.serving.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {

    @TempDir
    Path dir;

    @Test
    void read_mapsKeysToClients_ignoringCommentsAndBlankLines() throws IOException {
        Path f = dir.resolve("keys.csv");
        Files.writeString(f, "# key,client\n\n0123456789abcdef,alice\n  fedcba9876543210 , bob  \n");
        ApiKeys keys = ApiKeys.read(f);
        assertEquals(2, keys.size());
        assertEquals(Optional.of("alice"), keys.client("0123456789abcdef"));
        assertEquals(Optional.of("bob"), keys.client("fedcba9876543210"));
        assertEquals(Optional.empty(), keys.client("0123456789abcdeX"));
        assertEquals(Optional.empty(), keys.client(null));
    }

    @Test
    void read_rejectsBadLines_namingTheLine() throws IOException {
        Path f = dir.resolve("keys.csv");
        Files.writeString(f, "0123456789abcdef,alice\nshort,bob\n");
        String m = assertThrows(IllegalArgumentException.class, () -> ApiKeys.read(f)).getMessage();
        assertTrue(m.contains("line 2") && m.contains("16"), m);
        Files.writeString(f, "0123456789abcdef,alice\n0123456789abcdef,bob\n");
        m = assertThrows(IllegalArgumentException.class, () -> ApiKeys.read(f)).getMessage();
        assertTrue(m.contains("twice"), m);
        Files.writeString(f, "0123456789abcdef alice\n");
        m = assertThrows(IllegalArgumentException.class, () -> ApiKeys.read(f)).getMessage();
        assertTrue(m.contains("line 1") && m.contains("comma"), m);
        Files.writeString(f, "# nothing\n");
        m = assertThrows(IllegalArgumentException.class, () -> ApiKeys.read(f)).getMessage();
        assertTrue(m.contains("no keys"), m);
        m = assertThrows(IllegalArgumentException.class, () -> ApiKeys.read(dir.resolve("missing"))).getMessage();
        assertTrue(m.contains("--api-keys"), m);
    }
}
