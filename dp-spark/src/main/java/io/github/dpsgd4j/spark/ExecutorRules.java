package io.github.dpsgd4j.spark;

import io.github.dpsgd4j.optimizers.pergradient.LayerRule;
import io.github.dpsgd4j.optimizers.pergradient.LayerRules;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LayerRules} registry in a form that travels to the executors: each built-in rule as its
 * position in {@link LayerRules#defaults()} (re-created there from the executor's own defaults), each
 * rule of the user's as the serialised object itself (rules are stateless, so a user's rule only has
 * to implement {@link Serializable}). The executors rebuild exactly the registry the driver uses, in
 * the same order. Immutable; the rebuilt registry is cached per JVM copy (transient).
 */
final class ExecutorRules implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Per rule in order: an {@code Integer} (index into the defaults) or the user's {@link LayerRule}. */
    private final List<Object> entries;
    private transient LayerRules rules;

    private ExecutorRules(List<Object> entries, LayerRules rules) {
        this.entries = entries;
        this.rules = rules;
    }

    /**
     * The travelling form of {@code rules}.
     *
     * @throws IllegalArgumentException naming the rule's class and what to do when a rule that is not
     *                                  one of the defaults is not serialisable
     */
    static ExecutorRules of(LayerRules rules) {
        List<LayerRule> defaults = LayerRules.defaults().rules();
        List<Object> entries = new ArrayList<>();
        for (LayerRule rule : rules.rules()) {
            int index = indexOf(defaults, rule);
            if (index >= 0) {
                entries.add(index);
            } else {
                requireSerializable(rule);
                entries.add(rule);
            }
        }
        return new ExecutorRules(List.copyOf(entries), rules);
    }

    /** The registry: on the driver the one given, on an executor the one rebuilt from the entries. */
    synchronized LayerRules rules() {
        if (rules == null) {
            List<LayerRule> defaults = LayerRules.defaults().rules();
            List<LayerRule> list = new ArrayList<>();
            for (Object entry : entries) {
                list.add(entry instanceof Integer index ? defaults.get(index) : (LayerRule) entry);
            }
            rules = LayerRules.of(list);
        }
        return rules;
    }

    private static int indexOf(List<LayerRule> defaults, LayerRule rule) {
        for (int i = 0; i < defaults.size(); i++) {
            if (defaults.get(i) == rule) {
                return i;
            }
        }
        return -1;
    }

    private static void requireSerializable(LayerRule rule) {
        String what = "layer rule " + rule.getClass().getName();
        if (!(rule instanceof Serializable)) {
            throw new IllegalArgumentException(what + " is not java.io.Serializable, so it cannot reach the Spark "
                    + "executors: make the class implement Serializable (rules are stateless, so nothing else is needed)");
        }
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(rule);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " cannot be serialised for the Spark executors (" + e
                    + "): keep no non-serialisable fields in it (rules are stateless)", e);
        }
    }
}
