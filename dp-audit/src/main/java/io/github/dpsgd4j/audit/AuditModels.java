package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.audit.membership.ShadowModels;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.model.TrainingRecipe;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Trains the models an audit needs: the target and its shadows, on as many threads as the
 * execution allows for a {@linkplain TrainingRecipe#threadSafe() thread-safe} recipe. Stateless.
 */
final class AuditModels {

    private AuditModels() {
    }

    /**
     * A target and its shadows, with when their training started and ended ({@link System#nanoTime()}),
     * and the recipe's {@linkplain TrainingRecipe#shadowCertificationNote() certification note} (or null).
     */
    record Trained(TrainedModel target, ShadowModels shadows, long start, long trainedAt, String shadowNote) {
    }

    /** Trains a target on the members of {@code data} and the shadows on its pool, both with {@code recipe}. */
    static Trained train(String name, TrainingRecipe recipe, AuditData data, AuditSettings settings,
                         AuditExecution execution) {
        long start = System.nanoTime();
        long seed = settings.seed() * 7919 + 17;
        execution.progress().phaseStarted("models (" + name + ")", settings.shadowModels() + 1);
        if (execution.threads() > 1 && recipe.threadSafe()) {
            CompletableFuture<TrainedModel> target = CompletableFuture.supplyAsync(() -> {
                TrainedModel t = recipe.train(data.members(), seed);
                execution.progress().unitDone();
                return t;
            }, AuditModels::daemon);
            // All threads train shadows while the target trains beside them: one thread too many for the first
            // model's time (with threads - 1 shadow threads, two threads left one core idle for every shadow).
            ShadowModels shadows = ShadowModels.train(recipe, data.pool(), settings.shadowModels(), settings.seed(),
                    execution.threads(), execution.progress()::unitDone);
            return new Trained(join(target), shadows, start, System.nanoTime(), recipe.shadowCertificationNote());
        }
        TrainedModel target = recipe.train(data.members(), seed);
        execution.progress().unitDone();
        ShadowModels shadows = ShadowModels.train(recipe, data.pool(), settings.shadowModels(), settings.seed(),
                execution.threads(), execution.progress()::unitDone);
        return new Trained(target, shadows, start, System.nanoTime(), recipe.shadowCertificationNote());
    }

    /** Trains the shadows of an already trained {@code target}. */
    static Trained shadowsFor(String name, TrainedModel target, TrainingRecipe recipe, AuditData data,
                              AuditSettings settings, AuditExecution execution) {
        long start = System.nanoTime();
        execution.progress().phaseStarted("shadow models (" + name + ")", settings.shadowModels());
        ShadowModels shadows = ShadowModels.train(recipe, data.pool(), settings.shadowModels(), settings.seed(),
                execution.threads(), execution.progress()::unitDone);
        return new Trained(target, shadows, start, System.nanoTime(), recipe.shadowCertificationNote());
    }

    /** Runs {@code runnable} on a new daemon thread (an executor for {@link CompletableFuture}). */
    static void daemon(Runnable runnable) {
        Thread thread = new Thread(runnable, "dpsgd4j-models");
        thread.setDaemon(true);
        thread.start();
    }

    /** The value of a future, with a failure rethrown as it was thrown. */
    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException ex) {
            Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("training the audit's models failed", cause);
        }
    }
}
