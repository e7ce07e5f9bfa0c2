package io.github.dpsgd4j.audit;

import io.github.dpsgd4j.audit.epsilon.GaussianDpOneRunAudit;
import io.github.dpsgd4j.audit.epsilon.GradientCanaryAudit;
import io.github.dpsgd4j.audit.epsilon.OneRunAudit;
import io.github.dpsgd4j.audit.inversion.HalfImageCompletion;
import io.github.dpsgd4j.audit.inversion.InversionMetrics;
import io.github.dpsgd4j.audit.inversion.MiFace;
import io.github.dpsgd4j.audit.inversion.MiFaceConfig;
import io.github.dpsgd4j.audit.inversion.Reconstruction;
import io.github.dpsgd4j.audit.membership.ClassSlice;
import io.github.dpsgd4j.audit.membership.MembershipAudit;
import io.github.dpsgd4j.audit.membership.ShadowModels;
import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.LogitMath;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.stats.PrivacyCaps;
import io.github.dpsgd4j.audit.stats.RocBound;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.core.noise.NoiseSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Audits a trained target with its shadows: membership inference (loss threshold, LiRA, RMIA
 * online and offline, with caps and null bands), one-run empirical epsilon lower bounds, per-class
 * slices, the accountant's ROC bound, white-box and black-box model inversion (MI-Face), half-image
 * completion and, for DP-SGD models, the gradient-canary check of the settings. The work behind
 * {@link QuickAudit}'s audits once the models are trained. Stateless; a call queries the target's DL4J
 * network, so one network must not be audited from two threads at once.
 */
final class ModelAuditor {

    private ModelAuditor() {
    }

    /**
     * Audits {@code trained} against the true membership of {@code data}.
     *
     * @param name      label in reports
     * @param trained   the target and its shadows
     * @param data      the pool with the target's membership
     * @param settings  audit settings
     * @param execution progress of each phase
     */
    static ModelAudit audit(String name, AuditModels.Trained trained, AuditData data, AuditSettings settings,
                            AuditExecution execution) {
        Checks.notNull("trained", trained);
        TrainedModel target = trained.target();
        ShadowModels shadows = trained.shadows();
        long start = trained.start();
        Checks.notNull("name", name);
        Checks.notNull("target", target);
        Dl4jClassifier model = Dl4jClassifier.of(target.network());
        if (model.numClasses() != data.numClasses()) {
            throw new IllegalArgumentException("the model has " + model.numClasses() + " output classes but the data "
                    + data.numClasses() + ": audit it with data labelled by the model's classes");
        }
        boolean[] member = data.member();
        int[] labels = data.labels();
        double[][] logits = model.logits(data.pool().getFeatures());
        int[] correct = new int[2];
        int[] total = new int[2];
        boolean[] right = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int g = member[i] ? 0 : 1;
            total[g]++;
            right[i] = LogitMath.argmax(logits[i]) == labels[i];
            if (right[i]) {
                correct[g]++;
            }
        }

        Map<String, Double> phases = new LinkedHashMap<>();
        long mark = System.nanoTime();
        phases.put("models_training", (trained.trainedAt() - start) / 1e9);
        execution.progress().phaseStarted("attacks and bounds (" + name + ")", 1);
        List<MembershipAudit.Result> membership = MembershipAudit.run(shadows, logits, labels, member,
                settings.policies(), settings.variance(), settings.seed());
        double[] headline = membership.get(0).liraOnlineScores();
        OneRunAudit.Result oneRun = OneRunAudit.fromScores(headline, member, settings.delta(), 0.95, settings.seed());
        OneRunAudit.Result oneRunGdp = GaussianDpOneRunAudit.fromScores(headline, member, settings.delta(), 0.95,
                settings.seed());
        List<ClassSlice> slices = ClassSlice.of(membership.get(0), labels, member, right, data.numClasses());
        TrainedModel.DpSgdRun run = target.dpSgd();
        RocBound rocBound = run != null && run.steps() > 0 && run.noiseMultiplier() > 0
                ? RocBound.ofDpSgd(run.noiseMultiplier(), run.sampleRate(), run.steps())
                : target.isPrivate() ? RocBound.ofGuarantee(target.epsilon(), target.delta()) : null;
        execution.progress().unitDone();

        mark = lap(phases, "membership_inference", mark);
        execution.progress().phaseStarted("model inversion (" + name + ")", 1);
        double[][] images = data.images();
        int d = images[0].length;
        double[] auxiliaryMean = new double[d];
        int auxiliary = 0;
        for (int i = 0; i < images.length; i++) {
            if (!member[i]) {
                auxiliary++;
                for (int j = 0; j < d; j++) {
                    auxiliaryMean[j] += images[i][j];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            auxiliaryMean[j] /= auxiliary;
        }
        int[] classes = new int[data.numClasses()];
        for (int c = 0; c < classes.length; c++) {
            classes[c] = c;
        }
        int window = Math.min(data.width(), data.height()) >= 28 ? 7 : 3;
        List<Reconstruction> reconstructions = MiFace.whiteBox(model, classes, d, auxiliaryMean, settings.miFace());
        InversionMetrics inversion = InversionMetrics.evaluate(reconstructions, images, labels, member,
                data.numClasses(), data.width(), data.height(), window, settings.seed());
        HalfImageCompletion completion = data.height() >= 2 ? HalfImageCompletion.evaluate(model, images, labels,
                member, data.width(), data.height(), data.numClasses(), HalfImageCompletion.DEFAULT_ITERATIONS,
                HalfImageCompletion.DEFAULT_STEP) : null;
        execution.progress().unitDone();
        mark = lap(phases, "white_box_inversion", mark);
        Map<String, InversionMetrics> blackBox = new LinkedHashMap<>();
        Map<String, List<Reconstruction>> blackBoxReconstructions = new LinkedHashMap<>();
        if (settings.blackBoxIterations() > 0) {
            MiFaceConfig config = settings.miFace().withMaxIterations(settings.blackBoxIterations())
                    .withRandomDirections(d > 100 ? 64 : 0);
            for (OutputPolicy policy : settings.policies()) {
                if (policy instanceof OutputPolicy.FullConfidences) {
                    continue; // black box with full confidences reproduces the white-box search (tested)
                }
                List<Reconstruction> r = MiFace.blackBox(model, policy, classes, d, auxiliaryMean, config);
                blackBoxReconstructions.put(policy.name(), r);
                blackBox.put(policy.name(), InversionMetrics.evaluate(r, images, labels, member, data.numClasses(),
                        data.width(), data.height(), window, settings.seed()));
            }
        }

        mark = lap(phases, "black_box_inversion", mark);
        GradientCanaryAudit.Result canary = null;
        if (run != null && settings.gradientCanaryRuns() > 0 && run.steps() > 0 && run.noiseMultiplier() > 0) {
            canary = GradientCanaryAudit.run(new GradientCanaryAudit.Settings(run.l2NormClip(), run.noiseMultiplier(),
                            run.sampleRate(), (int) Math.min(Integer.MAX_VALUE, run.steps()),
                            Math.max(4, settings.gradientCanaryRuns()), 100,
                            target.delta() > 0 ? target.delta() : settings.delta()),
                    GradientCanaryAudit.TrainerFactory.dpsgd4j(), NoiseSource.secure(), settings.seed());
        }
        lap(phases, "gradient_canary", mark);
        double caps = target.delta() > 0 ? target.delta() : settings.delta();
        return new ModelAudit(name, target.epsilon(), target.delta(),
                new PrivacyCaps(target.epsilon(), target.isPrivate() ? caps : 0),
                (double) correct[0] / total[0], (double) correct[1] / total[1], membership, oneRun, inversion,
                reconstructions, blackBox, blackBoxReconstructions, canary, total[0], total[1],
                (System.nanoTime() - start) / 1e9, phases, rocBound, oneRunGdp, slices, completion,
                trained.shadowNote());
    }

    private static long lap(Map<String, Double> phases, String name, long since) {
        long now = System.nanoTime();
        phases.put(name, (now - since) / 1e9);
        return now;
    }
}
