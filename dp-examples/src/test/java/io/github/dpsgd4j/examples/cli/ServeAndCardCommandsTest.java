package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train} writes a privacy card; {@code card} and {@code serve} work on its report folder. */
class ServeAndCardCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "alice-0123456789abcdef";

    @TempDir
    static Path dir;

    static Path report;
    static Path keys;

    @BeforeAll
    static void train() throws Exception {
        report = dir.resolve("run");
        CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--seed", "8", "--out", report.toString(),
                "--json").succeeded();
        keys = dir.resolve("keys.csv");
        Files.writeString(keys, KEY + ",alice\n");
    }

    @Test
    void train_writesAPrivacyCardBesideItsReport() throws Exception {
        JsonNode card = JSON.readTree(report.resolve("card.json").toFile());
        JsonNode run = JSON.readTree(report.resolve("report.json").toFile());
        assertEquals("one training example", card.get("unit_of_privacy").asText());
        assertTrue(card.get("epsilon").asDouble() >= run.get("epsilon").asDouble());
        assertEquals(run.get("noise_multiplier").asDouble(), card.get("noise_multiplier").asDouble());
        assertEquals(run.get("sample_rate").asDouble(), card.get("sample_rate").asDouble());
        assertEquals(run.get("steps").asLong(), card.get("steps").asLong());
        assertEquals(run.get("clip").asDouble(), card.get("clip").asDouble());
        assertEquals("pld", card.get("accountant").asText());
        assertTrue(Files.isRegularFile(report.resolve("card.html")));
    }

    @Test
    void card_writesJsonAndHtml_withTheServingPolicy() throws Exception {
        Path out = dir.resolve("card-out");
        CliRun run = CliRun.of("card", "--model", report.toString(), "--out", out.toString(), "--served-with",
                "top-k:3").succeeded();
        assertTrue(run.out().contains("card.json"), run.out());
        assertEquals("top-k:3", JSON.readTree(out.resolve("card.json").toFile()).get("served_with").asText());
        assertTrue(Files.readString(out.resolve("card.html")).contains("top-k:3"));
    }

    @Test
    void card_badInput_isOneLine() {
        CliRun.of("card", "--model", dir.resolve("nothing").toString()).failedWith("not a directory");
        CliRun.of("card", "--model", dir.toString()).failedWith("ledger.json");
        CliRun.of("card", "--model", report.toString(), "--out", dir.resolve("x").toString(), "--served-with", "some")
                .failedWith("--output-policy");
    }

    @Test
    void serve_answersOverLoopback_andStopsAfterItsDuration() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path log = dir.resolve("serve.log");
        AtomicInteger code = new AtomicInteger(-1);
        Thread serve = new Thread(() -> code.set(Dpsgd4jCommand.execute(new PrintWriter(out), new PrintWriter(err),
                "serve", "--model", report.toString(), "--port", "0", "--api-keys", keys.toString(),
                "--output-policy", "top-k:2", "--query-log", log.toString(), "--duration", "5")));
        serve.start();
        Pattern url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
        Matcher m = url.matcher("");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(m = url.matcher(out.toString())).find() && System.nanoTime() < deadline && serve.isAlive()) {
            Thread.sleep(20);
        }
        assertTrue(m.find(0), "stdout: " + out + " stderr: " + err);
        URI base = URI.create(m.group());
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        String body = "{\"features\": [" + "0.5,".repeat(63) + "0.5]}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/predict")).header("X-Api-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, JSON.readTree(r.body()).get("prediction").get("top_k").size());
        assertEquals(401, http.send(HttpRequest.newBuilder(base.resolve("/predict"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        serve.join(30_000);
        assertEquals(0, code.get(), err.toString());
        assertEquals(1, Files.readAllLines(log).size(), "one logged decision (the 401 is not a guard decision)");
        assertTrue(out.toString().contains("output policy top-k:2"), out.toString());
    }

    @Test
    void serve_badInput_isOneLine_beforeListening() throws Exception {
        Path notAModel = dir.resolve("model.txt");
        Files.writeString(notAModel, "hello");
        String model = report.toString();
        CliRun.of("serve", "--model", dir.resolve("none.zip").toString(), "--api-keys", keys.toString())
                .failedWith("is not a file");
        CliRun.of("serve", "--model", notAModel.toString(), "--api-keys", keys.toString(), "--port", "0")
                .failedWith("not a DL4J model zip");
        CliRun.of("serve", "--model", model, "--api-keys", keys.toString(), "--output-policy", "top-k")
                .failedWith("--output-policy");
        CliRun.of("serve", "--model", model, "--api-keys", dir.resolve("none.csv").toString())
                .failedWith("--api-keys");
        CliRun.of("serve", "--model", model, "--api-keys", keys.toString(), "--max-batch", "100")
                .failedWith("--max-batch must be <= --burst 64");
        CliRun.of("serve", "--model", model, "--api-keys", keys.toString(), "--budget-period", "soon")
                .failedWith("--budget-period");
        CliRun.of("serve", "--model", model, "--api-keys", keys.toString(), "--probing", "maybe")
                .failedWith("--probing");
        CliRun.of("serve", "--model", model, "--api-keys", keys.toString(), "--port", "70000")
                .failedWith("--port");
    }
}
