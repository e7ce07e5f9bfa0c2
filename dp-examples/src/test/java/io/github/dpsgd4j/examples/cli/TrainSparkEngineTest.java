package io.github.dpsgd4j.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;

/**
 * {@code train --engine spark}: bad combinations and master URLs fail with one line before Spark starts
 * (the run itself needs Spark's Java 17 flags, which {@code ./dpsgd4j} passes; see docs/spark.md).
 */
class TrainSparkEngineTest {

    @TempDir
    Path dir;

    private String out() {
        return dir.resolve("report").toString();
    }

    @Test
    void unknownEngine_isRejected() {
        CliRun.of("train", "--dataset", "digits", "--engine", "flink", "--out", out())
                .failedWith("--engine must be local or spark, got 'flink'");
    }

    @Test
    void sparkMaster_needsTheSparkEngine() {
        CliRun.of("train", "--dataset", "digits", "--spark-master", "local[2]", "--out", out())
                .failedWith("--spark-master needs --engine spark");
    }

    @Test
    void checkpoint_isNotYetAvailableWithSpark() {
        CliRun.of("train", "--dataset", "digits", "--engine", "spark", "--checkpoint", dir.resolve("c").toString(),
                "--out", out()).failedWith("--checkpoint is not available with --engine spark");
    }

    @Test
    void malformedMaster_isRejectedWithTheValue() {
        CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--engine", "spark", "--spark-master", "local[0]",
                "--out", out()).failedWith("Spark master 'local[0]' is not a master URL");
    }

    @Test
    void unreachableStandaloneMaster_isReportedBeforeAnythingStarts() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CliRun.of("train", "--dataset", "digits", "--epochs", "1", "--engine", "spark", "--spark-master",
                "spark://127.0.0.1:" + port, "--out", out()).failedWith("cannot reach the Spark master");
    }
}
