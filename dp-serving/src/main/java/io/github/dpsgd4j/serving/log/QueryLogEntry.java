package io.github.dpsgd4j.serving.log;

import io.github.dpsgd4j.common.Checks;

import java.time.Instant;
import java.util.List;

/**
 * One line of the query log.
 *
 * @param time            when the guard decided
 * @param client          client identity (the API key's client name, never the key)
 * @param rows            number of query rows in the request
 * @param inputSha256     hex SHA-256 of the request's rows (see {@link InputDigest}); the inputs
 *                        themselves are not logged
 * @param decision        the guard's decision, as in the response ("answered", "rate_limited", ...)
 * @param reasons         why (probing signals, the limit that refused), possibly empty
 * @param retryAfterMillis when refused, the wait announced to the client; 0 otherwise
 * @param remainingBudget queries left in the budget period, -1 without a budget
 * @param outputs         what was released per row (null when nothing was)
 * @param policy          the output policy's name
 */
public record QueryLogEntry(Instant time, String client, int rows, String inputSha256, String decision,
                            List<String> reasons, long retryAfterMillis, long remainingBudget, double[][] outputs,
                            String policy) {

    public QueryLogEntry {
        Checks.notNull("time", time);
        Checks.notNull("client", client);
        Checks.notNull("inputSha256", inputSha256);
        Checks.notNull("decision", decision);
        reasons = List.copyOf(reasons);
        Checks.notNull("policy", policy);
    }
}
