package io.github.dpsgd4j.accounting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.common.Checks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The privacy history of a DP-SGD run: a list of {@link LedgerEntry} segments, each a run of steps
 * with one noise multiplier and one sample rate. It is the record from which any accountant can
 * recompute the guarantee later, and it is saved with every checkpoint.
 *
 * <p>JSON form (field names fixed):
 * <pre>{@code {"events": [{"noise_multiplier": 1.1, "sample_rate": 0.004266, "steps": 14063,
 *              "sampling_method": "POISSON"}, ...]}}</pre>
 * {@code sampling_method} is {@code POISSON} or {@code SHUFFLED_FIXED_SIZE} ({@link SamplingMethod});
 * an entry without it (ledgers written by dpsgd4j 0.1.0) reads as {@code POISSON}, the default
 * sampling. 0.1.0 did not record the method, so a 0.1.0 run that opted into shuffled batches also
 * reads as Poisson: its checkpoint's configuration ({@code sampling_method}) tells. Doubles are written in their shortest round-trip
 * form, so {@code fromJson(toJson())} returns an equal ledger. Parsing is strict: unknown fields inside an entry, missing fields, non-integral or
 * negative step counts, NaN and out-of-range values are errors naming the entry and the field.
 * Unknown top-level fields are ignored (room for metadata).
 *
 * <p>Immutable and thread-safe; {@link #record} returns a new ledger.
 */
public final class PrivacyLedger {

    /** Duplicate keys and anything after the document are errors: a spliced file must not drop spending. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> ENTRY_FIELDS = Set.of("noise_multiplier", "sample_rate", "steps", "sampling_method");
    private static final PrivacyLedger EMPTY = new PrivacyLedger(List.of());

    private final List<LedgerEntry> entries;

    private PrivacyLedger(List<LedgerEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The ledger of a run that has not taken a step. */
    public static PrivacyLedger empty() {
        return EMPTY;
    }

    /** A ledger with the given segments, in order. Not modified. */
    public static PrivacyLedger of(List<LedgerEntry> entries) {
        return of(entries, "entries");
    }

    /** {@link #of(List)}, naming entry i {@code name[i]} in errors. */
    private static PrivacyLedger of(List<LedgerEntry> entries, String name) {
        Checks.notNull(name, entries);
        PrivacyLedger ledger = EMPTY;
        long total = 0;
        for (int i = 0; i < entries.size(); i++) {
            LedgerEntry e = Checks.notNull(name + "[" + i + "]", entries.get(i));
            if (e.steps() > Long.MAX_VALUE - total) {
                throw new IllegalArgumentException(name + "[" + i + "].steps: the total step count exceeds "
                        + Long.MAX_VALUE + " (" + total + " before this entry, " + e.steps() + " in it)");
            }
            total += e.steps();
            ledger = ledger.appendSegment(e);
        }
        return ledger;
    }

    private PrivacyLedger appendSegment(LedgerEntry e) {
        List<LedgerEntry> copy = new ArrayList<>(entries);
        copy.add(e);
        return new PrivacyLedger(copy);
    }

    /**
     * This ledger with {@code steps} more Poisson-sampled steps of the given mechanism. When the
     * last segment has the same noise multiplier, sample rate and sampling method the steps extend
     * it; otherwise a segment is added.
     */
    public PrivacyLedger record(double noiseMultiplier, double sampleRate, long steps) {
        return record(noiseMultiplier, sampleRate, steps, SamplingMethod.POISSON);
    }

    /** As {@link #record(double, double, long)}, for steps whose batches were drawn by {@code samplingMethod}. */
    public PrivacyLedger record(double noiseMultiplier, double sampleRate, long steps, SamplingMethod samplingMethod) {
        Checks.nonNegative("steps", steps);
        Checks.notNull("samplingMethod", samplingMethod);
        if (!entries.isEmpty()) {
            LedgerEntry last = entries.get(entries.size() - 1);
            if (last.sameMechanism(noiseMultiplier, sampleRate, samplingMethod)) {
                List<LedgerEntry> copy = new ArrayList<>(entries);
                copy.set(copy.size() - 1, new LedgerEntry(noiseMultiplier, sampleRate,
                        Math.addExact(last.steps(), steps), samplingMethod));
                return new PrivacyLedger(copy);
            }
        }
        return appendSegment(new LedgerEntry(noiseMultiplier, sampleRate, steps, samplingMethod));
    }

    /** The segments in order, unmodifiable. */
    public List<LedgerEntry> entries() {
        return entries;
    }

    /** The total number of steps over all segments. */
    public long totalSteps() {
        long total = 0;
        for (LedgerEntry e : entries) {
            total = Math.addExact(total, e.steps());
        }
        return total;
    }

    /**
     * {@link SamplingMethod#POISSON} when every step with privacy cost was Poisson-sampled (also
     * for an empty ledger), otherwise the first other method found: the accounted figure is then
     * not a certified bound. Segments of zero steps or sample rate 0 spend nothing and are ignored.
     */
    public SamplingMethod samplingMethod() {
        for (LedgerEntry e : entries) {
            if (e.samplingMethod() != SamplingMethod.POISSON && e.steps() > 0 && e.sampleRate() > 0) {
                return e.samplingMethod();
            }
        }
        return SamplingMethod.POISSON;
    }

    /**
     * The guarantee of this whole history at {@code delta} from a new accountant of {@code type},
     * carrying {@link #samplingMethod()} so a figure for shuffled batches is not mistaken for a
     * certified bound.
     *
     * @param delta in (0, 1)
     */
    public PrivacyGuarantee guarantee(double delta, AccountantType type) {
        Checks.openUnitInterval("delta", delta);
        PrivacyGuarantee plain = accountant(type).guarantee(delta);
        return new PrivacyGuarantee(plain.epsilon(), plain.delta(), plain.accountant(), samplingMethod());
    }

    /** The whole history as one composed DP event, for any accountant. */
    public ComposedEvent toEvent() {
        List<DpEvent> events = new ArrayList<>(entries.size());
        for (LedgerEntry e : entries) {
            events.add(e.toEvent());
        }
        return new ComposedEvent(events);
    }

    /** A new accountant of {@code type} with this ledger composed into it. */
    public PrivacyAccountant accountant(AccountantType type) {
        Checks.notNull("type", type);
        PrivacyAccountant accountant = type.newAccountant();
        accountant.compose(toEvent());
        return accountant;
    }

    /** The JSON document described in the class comment. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode events = root.putArray("events");
        for (LedgerEntry e : entries) {
            ObjectNode node = events.addObject();
            node.put("noise_multiplier", e.noiseMultiplier());
            node.put("sample_rate", e.sampleRate());
            node.put("steps", e.steps());
            node.put("sampling_method", e.samplingMethod().name());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot serialise the privacy ledger", ex);
        }
    }

    /**
     * Parses the JSON document described in the class comment.
     *
     * @throws IllegalArgumentException if the document is not a well-formed ledger; the message
     *                                  names the entry and field at fault
     */
    public static PrivacyLedger fromJson(String json) {
        Checks.notNull("json", json);
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("ledger is not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("ledger must be a JSON object with an \"events\" array");
        }
        JsonNode events = root.get("events");
        if (events == null || !events.isArray()) {
            throw new IllegalArgumentException("ledger must have an \"events\" array");
        }
        List<LedgerEntry> entries = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            entries.add(parseEntry(events.get(i), "events[" + i + "]"));
        }
        return of(entries, "events");
    }

    private static LedgerEntry parseEntry(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object with noise_multiplier, sample_rate and steps"
                    + " (and optionally sampling_method)");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!ENTRY_FIELDS.contains(field)) {
                throw new IllegalArgumentException(where + " has unknown field \"" + field
                        + "\"; expected noise_multiplier, sample_rate, steps and optionally sampling_method");
            }
        }
        double sigma = number(node, "noise_multiplier", where);
        double q = number(node, "sample_rate", where);
        JsonNode stepsNode = node.get("steps");
        if (stepsNode == null || !stepsNode.isIntegralNumber() || !stepsNode.canConvertToLong()) {
            throw new IllegalArgumentException(where + ".steps must be a whole number, got "
                    + (stepsNode == null ? "nothing" : stepsNode.toString()));
        }
        SamplingMethod method = samplingMethod(node.get("sampling_method"), where);
        try {
            return new LedgerEntry(sigma, q, stepsNode.longValue(), method);
        } catch (IllegalArgumentException ex) {
            // The file's field names, not the Java parameter names.
            throw new IllegalArgumentException(where + ": " + ex.getMessage()
                    .replace("noiseMultiplier", "noise_multiplier").replace("sampleRate", "sample_rate"), ex);
        }
    }

    /** The entry's sampling method; absent means Poisson (0.1.0 ledgers, which recorded only Poisson runs). */
    private static SamplingMethod samplingMethod(JsonNode value, String where) {
        if (value == null) {
            return SamplingMethod.POISSON;
        }
        if (value.isTextual()) {
            for (SamplingMethod m : SamplingMethod.values()) {
                if (m.name().equals(value.textValue())) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException(where + ".sampling_method must be \"POISSON\" or \"SHUFFLED_FIXED_SIZE\", got "
                + value);
    }

    private static double number(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException(where + "." + field + " must be a number, got "
                    + (value == null ? "nothing" : value.toString()));
        }
        return value.doubleValue();
    }

    /** Reads a ledger file (UTF-8 JSON). */
    public static PrivacyLedger read(Path file) throws IOException {
        Checks.notNull("file", file);
        return fromJson(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Writes this ledger as UTF-8 JSON (not atomically; checkpoints handle atomicity). */
    public void write(Path file) throws IOException {
        Checks.notNull("file", file);
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivacyLedger other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "PrivacyLedger" + entries;
    }
}
