/**
 * The model under audit as an attacker sees it: a DL4J classifier that answers with logits (white
 * box) or through an {@link io.github.dpsgd4j.audit.model.OutputPolicy} (black box, as served),
 * and the training recipes the audit uses for target and shadow models.
 */
package io.github.dpsgd4j.audit.model;
