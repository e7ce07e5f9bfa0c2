package io.github.dpsgd4j.serving;

/** What the guard did with a request. Each has a stable name used in responses and the log. */
public enum Outcome {
    /** The model was queried and the policy's output released. */
    ANSWERED("answered", 200),
    /** Refused: above the client's rate limit. */
    RATE_LIMITED("rate_limited", 429),
    /** Refused: the client's query budget for the period is spent. */
    BUDGET_EXHAUSTED("budget_exhausted", 429),
    /** Refused: the probing detector flagged the client (this query, or one during its cooldown). */
    BLOCKED_PROBING("blocked_probing", 429),
    /** Computed but withheld: the query log could not record it. */
    WITHHELD_LOG_FAILURE("withheld_log_failure", 503);

    private final String jsonName;
    private final int httpStatus;

    Outcome(String jsonName, int httpStatus) {
        this.jsonName = jsonName;
        this.httpStatus = httpStatus;
    }

    /** The name in responses and the log. */
    public String jsonName() {
        return jsonName;
    }

    /** The HTTP status an HTTP front end answers with. */
    public int httpStatus() {
        return httpStatus;
    }
}
