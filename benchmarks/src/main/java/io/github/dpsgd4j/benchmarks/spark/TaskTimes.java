package io.github.dpsgd4j.benchmarks.spark;

import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where a Spark job's time goes, from Spark's own task metrics (milliseconds, as Spark records them):
 * per task the deserialisation, run and result-serialisation times, the result size and the JVM's
 * garbage-collection time; per job its wall time (job start to job end events) and its longest task,
 * whose difference is the time outside the tasks (scheduling, fetching the results, the driver's
 * merge). Called on Spark's listener thread; {@link #summary()} is read after the trial.
 */
final class TaskTimes extends SparkListener {

    private final Map<Integer, Long> jobStart = new HashMap<>();
    private final Map<Integer, Long> longestTask = new HashMap<>();
    private final Map<Integer, Integer> stageJob = new HashMap<>();
    private long jobs;
    private long jobMillis;
    private long outsideTasksMillis;
    private long tasks;
    private long deserializeMillis;
    private long runMillis;
    private long resultSerializeMillis;
    private long gcMillis;
    private long resultBytes;

    @Override
    public synchronized void onJobStart(SparkListenerJobStart start) {
        jobStart.put(start.jobId(), start.time());
        longestTask.put(start.jobId(), 0L);
        for (Object id : scala.collection.JavaConverters.seqAsJavaList(start.stageIds())) {
            stageJob.put((Integer) id, start.jobId());
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        TaskInfo info = end.taskInfo();
        TaskMetrics metrics = end.taskMetrics();
        if (metrics == null || !info.successful()) {
            return;
        }
        tasks++;
        deserializeMillis += metrics.executorDeserializeTime();
        runMillis += metrics.executorRunTime();
        resultSerializeMillis += metrics.resultSerializationTime();
        gcMillis += metrics.jvmGCTime();
        resultBytes += metrics.resultSize();
        Integer job = stageJob.get(end.stageId());
        if (job != null) {
            longestTask.merge(job, info.duration(), Math::max);
        }
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd end) {
        Long start = jobStart.remove(end.jobId());
        Long longest = longestTask.remove(end.jobId());
        if (start == null || longest == null) {
            return;
        }
        jobs++;
        long wall = end.time() - start;
        jobMillis += wall;
        outsideTasksMillis += wall - longest;
    }

    /** Means per job and per task over everything seen so far. */
    synchronized String summary() {
        if (jobs == 0 || tasks == 0) {
            return "no jobs seen";
        }
        return String.format(Locale.ROOT, "spark metrics over %d jobs / %d tasks: job %.1f ms (outside its longest task "
                        + "%.1f ms); per task: deserialise %.2f ms, run %.1f ms (JVM GC %.1f ms), result serialise %.2f ms, "
                        + "result %d bytes", jobs, tasks, (double) jobMillis / jobs, (double) outsideTasksMillis / jobs,
                (double) deserializeMillis / tasks, (double) runMillis / tasks, (double) gcMillis / tasks,
                (double) resultSerializeMillis / tasks, resultBytes / tasks);
    }
}
