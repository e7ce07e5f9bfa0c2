package io.github.dpsgd4j.serving.proof;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.common.Checks;

import java.util.ArrayList;
import java.util.List;

/**
 * The black-box loss-threshold membership attack (Yeom et al. 2018; dp-audit's
 * {@code LossThresholdAttack}) run against a server: each candidate is sent, the attacker reads
 * the true label's confidence p from the released response ({@link OutputPolicy#confidence},
 * clamped to the policy's floor) and scores -(-log p) = log p. Through a label-only policy this is
 * the gap attack. Candidates are sent in the given order, {@code batchSize} per request; at the
 * first refusal the attack stops and is evaluated on the candidates answered so far.
 *
 * <p>Not thread-safe.
 */
public final class HttpMembershipAttack {

    private HttpMembershipAttack() {
    }

    /**
     * The outcome.
     *
     * @param metrics          AUC, advantage... on the answered candidates; null if fewer than 2
     *                         members or 2 non-members were answered
     * @param answered         candidates answered
     * @param candidates       candidates the attacker wanted to score
     * @param refused          whether a request was refused
     * @param refusalDecision  the guard's decision on it, or null
     */
    public record Result(AttackMetrics metrics, int answered, int candidates, boolean refused, String refusalDecision) {
    }

    /**
     * Runs the attack.
     *
     * @param rows      [n][d] candidates; not modified
     * @param labels    [n] their true classes
     * @param member    [n] the truth, used only to evaluate
     * @param batchSize rows per request, {@code >= 1}
     * @param seed      seed of the evaluation's fold split
     */
    public static Result run(HttpModelClient client, double[][] rows, int[] labels, boolean[] member, int batchSize,
                             long seed) {
        Checks.notNull("client", client);
        Checks.equalTo("labels.length", labels.length, "rows.length", rows.length);
        Checks.equalTo("member.length", member.length, "rows.length", rows.length);
        Checks.positive("batchSize", batchSize);
        OutputPolicy policy = client.policy();
        double floor = policy.floor();
        List<Double> in = new ArrayList<>();
        List<Double> out = new ArrayList<>();
        boolean refused = false;
        String decision = null;
        int answered = 0;
        for (int start = 0; start < rows.length; start += batchSize) {
            int end = Math.min(rows.length, start + batchSize);
            double[][] batch = new double[end - start][];
            System.arraycopy(rows, start, batch, 0, batch.length);
            HttpModelClient.Reply reply = client.predict(batch);
            if (!reply.answered()) {
                refused = true;
                decision = reply.decision();
                break;
            }
            for (int i = 0; i < batch.length; i++) {
                double p = policy.confidence(reply.released()[i], labels[start + i]);
                double score = Math.log(Math.min(1 - floor, Math.max(floor, p)));
                (member[start + i] ? in : out).add(score);
            }
            answered += batch.length;
        }
        AttackMetrics metrics = in.size() >= 2 && out.size() >= 2
                ? AttackMetrics.evaluate(toArray(in), toArray(out), seed) : null;
        return new Result(metrics, answered, rows.length, refused, decision);
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
