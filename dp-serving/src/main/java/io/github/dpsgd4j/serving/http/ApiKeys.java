package io.github.dpsgd4j.serving.http;

import io.github.dpsgd4j.common.Checks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * API keys and the client names they identify. File format: one {@code key,client-name} per line;
 * blank lines and lines starting with {@code #} are ignored; keys are at least
 * {@value #MIN_KEY_LENGTH} characters without commas or spaces; keys and client names are unique.
 * Only SHA-256 digests of the keys are kept, and a lookup compares the digest of the presented key
 * with every stored digest in constant time per comparison, so response time does not reveal how
 * much of a key was right.
 *
 * <p>Immutable and thread-safe.
 */
public final class ApiKeys {

    /** Shortest key accepted. */
    public static final int MIN_KEY_LENGTH = 16;

    private final List<byte[]> digests;
    private final List<String> clients;

    private ApiKeys(Map<String, String> keyToClient) {
        List<byte[]> d = new ArrayList<>();
        List<String> c = new ArrayList<>();
        keyToClient.forEach((key, client) -> {
            d.add(sha256(key));
            c.add(client);
        });
        this.digests = List.copyOf(d);
        this.clients = List.copyOf(c);
    }

    /**
     * Keys from a map of key to client name (validated as the file is).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static ApiKeys of(Map<String, String> keyToClient) {
        Checks.notNull("keyToClient", keyToClient);
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, String> e : keyToClient.entrySet()) {
            checkKey(e.getKey(), "key");
            checkName(e.getValue(), "client name of a key");
            if (!names.add(e.getValue())) {
                throw new IllegalArgumentException("client names must be unique, got '" + e.getValue() + "' twice");
            }
        }
        if (keyToClient.isEmpty()) {
            throw new IllegalArgumentException("at least one API key is needed");
        }
        return new ApiKeys(new LinkedHashMap<>(keyToClient));
    }

    /**
     * Reads a key file.
     *
     * @throws IllegalArgumentException naming the file, the line and what is wrong
     * @throws IOException              if it cannot be read
     */
    public static ApiKeys read(Path file) throws IOException {
        Checks.notNull("file", file);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--api-keys " + file + " is not a file; write one 'key,client-name' "
                    + "per line");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "--api-keys " + file + " line " + (i + 1);
            int comma = line.indexOf(',');
            if (comma < 0) {
                throw new IllegalArgumentException(where + " must be 'key,client-name', got a line without a comma");
            }
            String key = line.substring(0, comma).strip();
            String name = line.substring(comma + 1).strip();
            try {
                checkKey(key, "key");
                checkName(name, "client name");
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
            }
            if (map.containsKey(key)) {
                throw new IllegalArgumentException(where + ": the key appears twice; give each client its own key");
            }
            if (map.containsValue(name)) {
                throw new IllegalArgumentException(where + ": client name '" + name + "' appears twice");
            }
            map.put(key, name);
        }
        if (map.isEmpty()) {
            throw new IllegalArgumentException("--api-keys " + file + " holds no keys; write one 'key,client-name' "
                    + "per line");
        }
        return new ApiKeys(map);
    }

    /** The client identified by {@code presentedKey}, if any. */
    public Optional<String> client(String presentedKey) {
        if (presentedKey == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(presentedKey);
        String found = null;
        for (int i = 0; i < digests.size(); i++) {
            if (MessageDigest.isEqual(digests.get(i), digest)) {
                found = clients.get(i);
            }
        }
        return Optional.ofNullable(found);
    }

    /** Number of keys. */
    public int size() {
        return digests.size();
    }

    private static void checkKey(String key, String what) {
        Checks.notNull(what, key);
        if (key.length() < MIN_KEY_LENGTH || key.chars().anyMatch(ch -> ch == ',' || Character.isWhitespace(ch))) {
            throw new IllegalArgumentException(what + " must have at least " + MIN_KEY_LENGTH
                    + " characters and no commas or spaces, got one of " + key.length() + " characters");
        }
    }

    private static void checkName(String name, String what) {
        Checks.notNull(what, name);
        if (name.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }
}
