package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.optimizers.engine.GradientEngine;
import io.github.dpsgd4j.optimizers.model.ComputationGraphAdapter;
import io.github.dpsgd4j.optimizers.model.ModelAdapter;
import io.github.dpsgd4j.optimizers.model.MultiLayerNetworkAdapter;
import io.github.dpsgd4j.optimizers.pergradient.StepWorkspace;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The local model copies of one executor JVM: building a DL4J model from its configuration costs far
 * more than a step, so each JVM keeps idle copies per training run and lends one to each task (tasks
 * of one JVM run concurrently, so a copy is never shared). The parameters are overwritten from the
 * step's broadcast before every use; nothing private persists between steps (the gradient engine
 * overwrites its scratch). At most {@value #RUNS_KEPT} runs are kept per JVM (oldest dropped).
 *
 * <p>Thread-safe.
 */
final class ExecutorModels {

    /** Runs whose model copies a JVM keeps. */
    static final int RUNS_KEPT = 2;

    /** One local copy: the model, its adapter (the run's layer rules) and the gradient engine. */
    record Worker(Model model, ModelAdapter adapter, GradientEngine engine, StepWorkspace workspace) {
    }

    private static final Map<String, Queue<Worker>> IDLE = new ConcurrentHashMap<>();
    private static final Deque<String> RUNS = new ArrayDeque<>();

    private ExecutorModels() {
    }

    /** An idle copy of the run's model, or a new one. Give it back with {@link #release}. */
    static Worker acquire(RunConstants run) {
        Queue<Worker> idle = pool(run.blueprint().runId());
        Worker worker = idle.poll();
        if (worker != null) {
            return worker;
        }
        Model model = run.blueprint().build();
        ModelAdapter adapter = model instanceof ComputationGraph g ? new ComputationGraphAdapter(g, run.rules().rules())
                : new MultiLayerNetworkAdapter((MultiLayerNetwork) model, run.rules().rules());
        return new Worker(model, adapter, new GradientEngine(adapter, run.l2NormClip(), run.policy()),
                new StepWorkspace("DPSGD_SPARK_BATCH"));
    }

    /** Returns a copy for reuse by the next task of the same run. */
    static void release(ModelBlueprint blueprint, Worker worker) {
        Queue<Worker> idle = IDLE.get(blueprint.runId());
        if (idle != null) {
            idle.add(worker);
        }
    }

    /** Drops the copies of a run (the driver's {@code close()}; in local mode the executors share its JVM). */
    static void forget(String runId) {
        synchronized (RUNS) {
            RUNS.remove(runId);
            IDLE.remove(runId);
        }
    }

    private static Queue<Worker> pool(String runId) {
        Queue<Worker> idle = IDLE.get(runId);
        if (idle != null) {
            return idle;
        }
        synchronized (RUNS) {
            idle = IDLE.computeIfAbsent(runId, k -> new ConcurrentLinkedQueue<>());
            if (!RUNS.contains(runId)) {
                RUNS.addLast(runId);
                while (RUNS.size() > RUNS_KEPT) {
                    IDLE.remove(RUNS.removeFirst());
                }
            }
            return idle;
        }
    }
}
