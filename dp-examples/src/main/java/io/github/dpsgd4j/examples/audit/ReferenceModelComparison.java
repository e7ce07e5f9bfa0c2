package io.github.dpsgd4j.examples.audit;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.audit.AuditData;
import io.github.dpsgd4j.audit.QuickAudit;
import io.github.dpsgd4j.audit.membership.ReferenceModelSweep;
import io.github.dpsgd4j.audit.membership.ShadowModels;
import io.github.dpsgd4j.audit.membership.VarianceMode;
import io.github.dpsgd4j.audit.model.Dl4jClassifier;
import io.github.dpsgd4j.audit.model.LogitMath;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.model.TrainingRecipe;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.audit.stats.BinomialIntervals;
import io.github.dpsgd4j.examples.data.FashionMnist;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * RMIA (online, and offline with its tuned a) against LiRA at equal numbers of reference models: trains a non-private and a private
 * (epsilon 3) target on a fair-coin half of the pool plus S shadow models each (the recipes of
 * {@code dpsgd4j audit}, seeded DP-SGD noise so that a run can be repeated), then scores both attacks
 * with the first k shadows for every k, and writes one CSV row per (model, k, attack) with the AUC,
 * its DeLong 95% interval, the null band and the held-out TPR at 10% / 1% / 0.1% FPR ("" where the
 * sample does not resolve the FPR: fewer than 10 expected false positives), then for each FPR the
 * 95% Clopper&ndash;Pearson interval of that TPR and the held-out FPR actually reached. '#' lines record the
 * setting, the wall and CPU time and the load average. The file is rewritten after each model, so a
 * stopped run keeps the models that finished.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "dp-examples/target/classes:$(cat dp-examples/target/runtime-classpath.txt)" \
 *   io.github.dpsgd4j.examples.audit.ReferenceModelComparison fashion-mnist POOL SEED SHADOWS THREADS OUT.csv
 * </pre>
 * (dataset {@code digits} or {@code fashion-mnist}; POOL is ignored for digits, which uses all 1,797
 * images). Counts k: 1, 2, 4, 8, ... up to SHADOWS.
 */
public final class ReferenceModelComparison {

    private static final double EPSILON = 3.0;
    private static final double DELTA = 1e-5;

    private ReferenceModelComparison() {
    }

    /** Runs the comparison; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException {
        if (args.length != 6) {
            throw new IllegalArgumentException("expected 6 arguments: digits|fashion-mnist POOL SEED SHADOWS THREADS "
                    + "OUT.csv, got " + Arrays.toString(args));
        }
        boolean fashion = switch (args[0]) {
            case "digits" -> false;
            case "fashion-mnist" -> true;
            default -> throw new IllegalArgumentException("dataset must be digits or fashion-mnist, got " + args[0]);
        };
        int poolSize = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        int shadowModels = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        Path out = Path.of(args[5]);
        if (shadowModels < 2 || shadowModels % 2 != 0) {
            throw new IllegalArgumentException("SHADOWS must be even and >= 2, got " + shadowModels);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("THREADS must be >= 1, got " + threads);
        }
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        PrivacyBudget budget = new PrivacyBudget(EPSILON, DELTA);
        AuditData data = fashion ? FashionMnistAudit.data(FashionMnist.DEFAULT_DIRECTORY, poolSize, seed)
                : QuickAudit.digitsData(seed);
        TrainingRecipe nonPrivate = fashion ? FashionMnistAudit.recipe(null, NoiseMode.SEEDED)
                : QuickAudit.digitsRecipe(null, NoiseMode.SEEDED);
        TrainingRecipe dpSgd = fashion ? FashionMnistAudit.recipe(budget, NoiseMode.SEEDED)
                : QuickAudit.digitsRecipe(budget, NoiseMode.SEEDED);
        int[] counts = counts(shadowModels);

        List<String> lines = new ArrayList<>();
        lines.add("# RMIA vs LiRA at equal numbers of reference models; " + (fashion
                ? FashionMnistAudit.description(poolSize, EPSILON, DELTA, shadowModels)
                : "digits (all 1,797 8x8 images), the recipes of QuickAudit.digitsRecipe, " + shadowModels
                + " shadow models"));
        // The output's own name only: where this machine keeps it is nobody's business.
        String[] shown = args.clone();
        shown[5] = String.valueOf(out.getFileName());
        lines.add("# arguments: " + String.join(" ", shown) + "; seeded DP-SGD noise; shadows on " + threads
                + " threads, ND4J on 1 thread; load average at start " + loadAverage());
        lines.add("model,epsilon,noise_multiplier,train_accuracy,test_accuracy,members,non_members,k,attack,auc,"
                + "auc_lower,auc_upper,auc_null_half_width,tpr_at_10pct_fpr,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr,"
                + "tpr_at_10pct_fpr_lower,tpr_at_10pct_fpr_upper,achieved_fpr_at_10pct,"
                + "tpr_at_1pct_fpr_lower,tpr_at_1pct_fpr_upper,achieved_fpr_at_1pct,"
                + "tpr_at_0.1pct_fpr_lower,tpr_at_0.1pct_fpr_upper,achieved_fpr_at_0.1pct");
        long wallStart = System.nanoTime();
        long cpuStart = processCpuNanos();
        for (String name : List.of("non_private", "private")) {
            TrainingRecipe recipe = name.equals("private") ? dpSgd : nonPrivate;
            long modelStart = System.nanoTime();
            TrainedModel target = recipe.train(data.members(), seed * 7919 + 17);
            ShadowModels shadows = ShadowModels.train(recipe, data.pool(), shadowModels, seed, threads, () -> { });
            double[][] logits = Dl4jClassifier.of(target.network()).logits(data.pool().getFeatures());
            boolean[] member = data.member();
            int[] labels = data.labels();
            double[] accuracy = accuracy(logits, labels, member);
            String prefix = String.format(Locale.ROOT, "%s,%s,%s,%.4f,%.4f,%d,%d", name,
                    target.isPrivate() ? String.format(Locale.ROOT, "%.4f", target.epsilon()) : "inf",
                    target.dpSgd() == null ? "" : String.format(Locale.ROOT, "%.4f", target.dpSgd().noiseMultiplier()),
                    accuracy[0], accuracy[1], count(member, true), count(member, false));
            for (ReferenceModelSweep.Entry e : ReferenceModelSweep.run(shadows, logits, labels, member, counts,
                    OutputPolicy.fullConfidences(), VarianceMode.FIXED, seed)) {
                lines.add(prefix + "," + e.models() + ",rmia," + metrics(e.rmia()));
                if (e.lira() != null) {
                    lines.add(prefix + "," + e.models() + ",lira," + metrics(e.lira()));
                }
                if (e.rmiaOffline() != null) {
                    lines.add(prefix + "," + e.models() + ",rmia_offline_a=" + e.offlineA() + ","
                            + metrics(e.rmiaOffline()));
                }
            }
            lines.add(String.format(Locale.ROOT, "# %s: target and %d shadows trained and scored in %.1f s wall",
                    name, shadowModels, (System.nanoTime() - modelStart) / 1e9));
            Files.write(out, lines); // what finished is kept if a long run is stopped
        }
        lines.add(String.format(Locale.ROOT, "# total %.1f s wall, %.1f s CPU (user + system, all threads); "
                        + "load average at end %s", (System.nanoTime() - wallStart) / 1e9,
                (processCpuNanos() - cpuStart) / 1e9, loadAverage()));
        Files.write(out, lines);
        try (PrintWriter stdout = new PrintWriter(System.out, true)) {
            lines.forEach(stdout::println);
        }
    }

    /** 1, 2, 4, ... up to and including {@code shadows}. */
    static int[] counts(int shadows) {
        List<Integer> k = new ArrayList<>();
        for (int c = 1; c < shadows; c *= 2) {
            k.add(c);
        }
        k.add(shadows);
        return k.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String metrics(AttackMetrics m) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f", m.auc(), m.aucLower(),
                m.aucUpper(), m.aucNullHalfWidth()));
        for (double f : AttackMetrics.TARGET_FPRS) {
            AttackMetrics.TprAtFpr t = m.atFpr(f);
            s.append(',').append(t.resolvable() ? String.format(Locale.ROOT, "%.4f", t.tpr()) : "");
        }
        for (double f : AttackMetrics.TARGET_FPRS) {
            AttackMetrics.TprAtFpr t = m.atFpr(f);
            if (!t.resolvable()) {
                s.append(",,,");
                continue;
            }
            long truePositives = Math.round(t.tpr() * m.members());
            s.append(String.format(Locale.ROOT, ",%.4f,%.4f,%.5f",
                    BinomialIntervals.clopperPearsonLower(truePositives, m.members(), 0.05),
                    BinomialIntervals.clopperPearsonUpper(truePositives, m.members(), 0.05), t.achievedFpr()));
        }
        return s.toString();
    }

    private static double[] accuracy(double[][] logits, int[] labels, boolean[] member) {
        int[] right = new int[2];
        int[] total = new int[2];
        for (int i = 0; i < labels.length; i++) {
            int g = member[i] ? 0 : 1;
            total[g]++;
            right[g] += LogitMath.argmax(logits[i]) == labels[i] ? 1 : 0;
        }
        return new double[] {(double) right[0] / total[0], (double) right[1] / total[1]};
    }

    private static int count(boolean[] member, boolean wanted) {
        int c = 0;
        for (boolean m : member) {
            c += m == wanted ? 1 : 0;
        }
        return c;
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    private static String loadAverage() {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
