/**
 * Model inversion: class reconstruction with MI-Face (Fredrikson, Jha and Ristenpart 2015, "Model
 * inversion attacks that exploit confidence information and basic countermeasures", CCS,
 * Algorithm 1), white box (gradients through DL4J backpropagation to the input) and black box
 * (confidence queries only, through an output policy), the metrics that relate reconstructions to
 * training data (correlation, SSIM, identification rate, member-vs-non-member gap), and attribute
 * inference on tabular data (Fredrikson et al. 2014; Yeom et al. 2018).
 *
 * <p>What differential privacy does and does not protect here: DP bounds each record's influence,
 * so an accurate private model still reveals what a whole class looks like; the quantity DP
 * bounds is the member-vs-non-member gap, not the class-level similarity.
 */
package io.github.dpsgd4j.audit.inversion;
