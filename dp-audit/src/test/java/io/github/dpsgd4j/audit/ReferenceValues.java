package io.github.dpsgd4j.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads reference-values.json (values from shared/reference/attacks-and-audit.md, with sections and tolerances). */
public final class ReferenceValues {

    private ReferenceValues() {
    }

    /** The named table. */
    public static JsonNode table(String name) {
        try (InputStream in = ReferenceValues.class.getResourceAsStream("reference-values.json")) {
            return new ObjectMapper().readTree(in).get(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
