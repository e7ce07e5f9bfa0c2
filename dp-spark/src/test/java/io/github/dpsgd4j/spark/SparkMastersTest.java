package io.github.dpsgd4j.spark;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkMastersTest {

    @Test
    void localMasters_andClusterManagers_areAccepted() {
        for (String url : new String[] {"local", "local[2]", "local[*]", "local[2,3]", " local[4] ", "yarn", "k8s://h:443"}) {
            assertEquals(url.trim(), SparkMasters.check(url));
        }
    }

    @Test
    void malformedMaster_isRejectedWithTheValueAndTheFix() {
        for (String url : new String[] {"local[0]", "local[two]", "spark://nohostport", "mesos", "http://x:1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkMasters.check(url));
            assertTrue(e.getMessage().contains(url) && e.getMessage().contains("local[N]")
                    || e.getMessage().contains("host:port"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SparkMasters.check(" "));
    }

    @Test
    void unreachableStandaloneMaster_failsFast_namingTheAddress() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort(); // closed again below: nothing listens there
        }
        String url = "spark://127.0.0.1:" + port;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkMasters.check(url));
        assertTrue(e.getMessage().contains("cannot reach the Spark master " + url), e.getMessage());
    }

    @Test
    void reachableStandaloneMaster_isAccepted() throws Exception {
        try (ServerSocket listening = new ServerSocket(0)) {
            String url = "spark://127.0.0.1:" + listening.getLocalPort();
            assertEquals(url, SparkMasters.check(url));
        }
    }

    @Test
    void missingSparkClass_saysWhichArtifactToAdd() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SparkMasters.requireClass("org.apache.spark.NoSuchClassAnywhere"));
        assertTrue(e.getMessage().contains("spark-core_2.12"), e.getMessage());
        SparkMasters.requireSparkOnClasspath();
    }
}
