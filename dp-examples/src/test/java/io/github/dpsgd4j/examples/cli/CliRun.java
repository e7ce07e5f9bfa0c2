package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One in-process run of the command line through {@link Dpsgd4jCommand#execute}. */
record CliRun(int exitCode, String out, String err) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Dpsgd4jCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The last line of standard output, parsed as JSON. */
    JsonNode lastJsonLine() throws IOException {
        String[] lines = out.strip().split("\\R");
        return JSON.readTree(lines[lines.length - 1]);
    }

    /** The lines of standard error (none when it is empty). */
    String[] errLines() {
        return err.isEmpty() ? new String[0] : err.strip().split("\\R");
    }

    /** Asserts success and returns this. */
    CliRun succeeded() {
        assertEquals(0, exitCode, "exit code; stderr: " + err);
        return this;
    }

    /**
     * Asserts the contract for bad input: a non-zero exit, nothing on standard output, and exactly
     * one line on standard error that contains {@code expected}.
     */
    void failedWith(String expected) {
        assertNotEquals(0, exitCode, "exit code; stdout: " + out);
        assertEquals("", out, "nothing on standard output");
        String[] lines = err.strip().split("\\R");
        assertEquals(1, lines.length, "one line on standard error: " + err);
        assertTrue(lines[0].contains(expected), "expected '" + expected + "' in: " + lines[0]);
    }
}
