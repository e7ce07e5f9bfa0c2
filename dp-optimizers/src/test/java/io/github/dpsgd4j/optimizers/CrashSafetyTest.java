package io.github.dpsgd4j.optimizers;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a training process (SIGKILL, no shutdown hooks) between two checkpoints and shows that
 * the resumed run's ledger never reports less privacy than was spent.
 */
class CrashSafetyTest {

    @Test
    void killedBetweenCheckpoints_resumedLedgerCountsEveryStepTaken(@TempDir Path dir) throws Exception {
        int checkpointEvery = 10;
        for (int killAfter : new int[] {13, 47}) {
            Path run = dir.resolve("run-" + killAfter);
            long lastAnnounced = runAndKill(run, checkpointEvery, killAfter);
            DpSgdTrainer resumed = DpSgdTrainer.resume(run);
            PrivacyLedger ledger = resumed.ledger();
            // At least every announced step, plus the one that may have been under way.
            assertTrue(ledger.totalSteps() >= lastAnnounced + 1,
                    "resumed ledger has " + ledger.totalSteps() + " steps; " + lastAnnounced + " were announced");
            assertTrue(resumed.stepsTaken() <= ledger.totalSteps());
            assertTrue(resumed.stepsTaken() <= lastAnnounced, "the checkpoint cannot postdate the last step");
            double spent = PrivacyLedger.empty().record(1.0, 0.05, lastAnnounced + 1)
                    .accountant(AccountantType.RDP).epsilon(1e-5);
            double reported = ledger.accountant(AccountantType.RDP).epsilon(1e-5);
            assertTrue(reported >= spent, "reported " + reported + " < spent " + spent);
        }
    }

    private static long runAndKill(Path directory, int checkpointEvery, int killAfter) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx1g",
                CrashingTrainingRun.class.getName(), directory.toString(), Integer.toString(checkpointEvery));
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        long last = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            boolean killed = false;
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("step ")) {
                    last = Long.parseLong(line.substring(5).trim());
                    if (last >= killAfter && !killed) {
                        // SIGKILL through the handle: Process.destroyForcibly would also close our pipe.
                        process.toHandle().destroyForcibly();
                        killed = true;
                    }
                }
            }
            // Reading on to the end of the stream learns every step announced before death.
        } finally {
            process.destroyForcibly();
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child did not die");
        assertTrue(last >= killAfter, "child stopped early at step " + last);
        return last;
    }
}
