package io.github.dpsgd4j.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks, before a Spark context is created (and so before anything is spent), that Spark is on the
 * class path and that a master URL is well formed and, for a standalone master, reachable. Spark itself
 * would retry an unreachable standalone master for about a minute and then fail with a message about
 * "all masters" being unresponsive.
 */
public final class SparkMasters {

    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?\\])?");
    private static final Pattern STANDALONE = Pattern.compile("spark://(.+)");
    private static final Pattern HOST_PORT = Pattern.compile("\\[?([^\\[\\]]+?)\\]?:([0-9]{1,5})");
    /** How long a standalone master may take to accept a TCP connection. */
    static final int CONNECT_TIMEOUT_MILLIS = 3000;

    private SparkMasters() {
    }

    /**
     * @throws IllegalStateException if Spark's core classes cannot be loaded, saying which artifact to add
     */
    public static void requireSparkOnClasspath() {
        requireClass("org.apache.spark.api.java.JavaSparkContext");
    }

    static void requireClass(String className) {
        try {
            Class.forName(className, false, SparkMasters.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("Apache Spark is not on the class path (" + className + " is missing): "
                    + "run with spark-submit on a cluster, or add org.apache.spark:spark-core_2.12:3.5.x to the "
                    + "application's dependencies (dp-spark declares it 'provided')", e);
        }
    }

    /**
     * Checks a master URL: {@code local}, {@code local[N]}, {@code local[*]}, {@code local[N,F]} (F attempts
     * per task), {@code spark://host:port[,host:port...]} (reachable by TCP within 3 s), {@code yarn},
     * or {@code k8s://...}.
     *
     * @return the URL, trimmed
     * @throws IllegalArgumentException naming the URL and what to do
     */
    public static String check(String master) {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("the Spark master URL is empty: use local[N] to run on this machine "
                    + "with N threads, or spark://host:7077 for a standalone cluster");
        }
        String url = master.trim();
        if (LOCAL.matcher(url).matches() || url.equals("yarn") || url.startsWith("k8s://")) {
            return url;
        }
        Matcher standalone = STANDALONE.matcher(url);
        if (!standalone.matches()) {
            throw new IllegalArgumentException("Spark master '" + url + "' is not a master URL: use local[N] (N "
                    + "threads on this machine), spark://host:port, yarn or k8s://...");
        }
        List<String> failures = new ArrayList<>();
        for (String address : standalone.group(1).split(",")) {
            Matcher hostPort = HOST_PORT.matcher(address.trim());
            if (!hostPort.matches() || Integer.parseInt(hostPort.group(2)) > 65535) {
                throw new IllegalArgumentException("Spark master '" + url + "': '" + address + "' is not host:port "
                        + "(e.g. spark://master.example.org:7077)");
            }
            String host = hostPort.group(1);
            int port = Integer.parseInt(hostPort.group(2));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
                return url;
            } catch (IOException e) {
                failures.add(host + ":" + port + " (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            }
        }
        throw new IllegalArgumentException("cannot reach the Spark master " + url + ": " + String.join(", ", failures)
                + "; check the URL, that the master is running and that this machine can reach it, or use local[N]");
    }
}
