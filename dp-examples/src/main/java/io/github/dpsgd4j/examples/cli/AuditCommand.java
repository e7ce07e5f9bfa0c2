package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.audit.AuditData;
import io.github.dpsgd4j.audit.AuditSettings;
import io.github.dpsgd4j.audit.ModelAudit;
import io.github.dpsgd4j.audit.QuickAudit;
import io.github.dpsgd4j.audit.model.NoiseMode;
import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.audit.model.TrainedModel;
import io.github.dpsgd4j.audit.model.TrainingRecipe;
import io.github.dpsgd4j.audit.report.AuditJson;
import io.github.dpsgd4j.audit.report.AuditReportWriter;
import io.github.dpsgd4j.common.Checks;
import io.github.dpsgd4j.examples.audit.CsvExamples;
import io.github.dpsgd4j.examples.audit.FashionMnistAudit;
import io.github.dpsgd4j.examples.audit.SameArchitectureRecipe;
import io.github.dpsgd4j.examples.data.FashionMnist;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code dpsgd4j audit}: what a model leaks. Trains models on a data set (or loads the user's
 * model with their member and non-member files), attacks them (membership inference: loss
 * threshold and LiRA; model inversion: MI-Face white and black box; output policies side by side;
 * one-run and gradient-canary epsilon checks) and writes a report (JSON, PNG, HTML) to
 * {@code --out}. With {@code --json} the last line is one JSON object keyed by model name
 * ({@code non_private}, {@code private}, or {@code model}); epsilon of a non-private model is null
 * with {@code epsilon_non_finite: "Infinity"}.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {
                "Measure what a model leaks: membership inference (loss threshold, LiRA with shadow models), model "
                        + "inversion (MI-Face), output hardening, empirical epsilon lower bounds; each beside the "
                        + "caps implied by the model's (epsilon, delta).",
                "Without --model: trains on --dataset (members = a random half) and audits. With --model: audits "
                        + "a saved DL4J model (ModelSerializer zip) on --members and --non-members CSV files "
                        + "(features..., integer class last).",
                "Report: index.html, audit.json and PNGs in --out."})
public final class AuditCommand implements Callable<Integer> {

    /** Data sets the command can train on. */
    enum Dataset {
        DIGITS, FASHION_MNIST
    }

    /** Which models to train. */
    enum Train {
        PRIVATE, NON_PRIVATE, BOTH
    }

    @Spec
    private CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    private Dpsgd4jCommand parent;

    @Option(names = "--dataset", paramLabel = "digits|fashion-mnist", defaultValue = "digits",
            converter = DatasetConverter.class,
            description = "Data to train and audit on (default: ${DEFAULT-VALUE}). fashion-mnist needs "
                    + "'apt-get install dataset-fashion-mnist'.")
    private Dataset dataset;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Audit this saved model (ModelSerializer zip) instead of training; needs --members and "
                    + "--non-members.")
    private Path model;

    @Option(names = "--members", paramLabel = "FILE",
            description = "With --model: CSV of the model's training examples (features..., class last).")
    private Path members;

    @Option(names = "--non-members", paramLabel = "FILE",
            description = "With --model: CSV of examples the model never saw, from the same distribution.")
    private Path nonMembers;

    @Option(names = "--train", paramLabel = "private|non-private|both", defaultValue = "both",
            converter = TrainConverter.class, description = "Models to train and audit (default: ${DEFAULT-VALUE}).")
    private Train train;

    @Option(names = "--target-epsilon", paramLabel = "E",
            description = "Epsilon of the private model (default 3). With --model: the epsilon the model is "
                    + "certified for, used for the caps (omit for a non-private model).")
    private Double targetEpsilon;

    @Option(names = "--delta", paramLabel = "D", defaultValue = "1e-5",
            description = "Delta for training, caps and bounds, in (0, 1) (default: ${DEFAULT-VALUE}).")
    private double delta;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports/audit",
            description = "Report directory (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--json", description = "Print one JSON object as the last line.")
    private boolean json;

    @Option(names = {"--shadow-models", "--shadows"}, paramLabel = "N",
            description = "Shadow (reference) models per audited model for LiRA and RMIA, even, >= 2 (default 16, 8 "
                    + "with --quick). --shadows is a deprecated alias.")
    private Integer shadows;

    @Option(names = "--shadow-epochs", paramLabel = "N", defaultValue = "30",
            description = "With --model: epochs to train each shadow (default: ${DEFAULT-VALUE}).")
    private int shadowEpochs;

    @Option(names = "--policies", paramLabel = "P,P", split = ",", defaultValue = "full,top-1,round-2,label",
            description = "Output policies for the black-box attacks: full, top-K, round-D, label; full is always "
                    + "first (default: ${DEFAULT-VALUE}).")
    private List<String> policies;

    @Option(names = "--pool-size", paramLabel = "N", defaultValue = "2000",
            description = "fashion-mnist: images in the audit pool (members are a random half) (default: ${DEFAULT-VALUE}).")
    private int poolSize;

    @Option(names = "--image-shape", paramLabel = "WxH",
            description = "With --model: image width x height of the features (default: square if the feature "
                    + "count is a square, else N x 1).")
    private String imageShape;

    @Option(names = "--quick", description = "Quick audit (8 shadows, no black-box inversion, no gradient canary).")
    private boolean quick;

    @Option(names = "--seed", paramLabel = "S",
            description = "Reproducible run: the auditor's seed (member split, shadows, folds) AND seeded, NOT secure "
                    + "DP-SGD noise, as in demo and train. Default: auditor seed 1 and secure noise.")
    private Long seedOption;

    private long seed;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "ND4J and OpenBLAS threads (default: ${DEFAULT-VALUE}: fastest for the small models of an "
                    + "audit; more threads spin-wait on a busy machine).")
    private int threads;

    @Option(names = "--reproducible", hidden = true,
            description = "Deprecated: use --seed S. Seeded (NOT secure) DP-SGD noise with the auditor's seed.")
    private boolean reproducible;

    @Override
    public Integer call() throws IOException {
        // Validate everything before ND4J starts (its start-up logging must not precede an error line).
        Checks.openUnitInterval("--delta", delta);
        if (targetEpsilon != null) {
            Checks.finitePositive("--target-epsilon", targetEpsilon);
        }
        if (shadows != null && (shadows < 2 || shadows % 2 != 0)) {
            throw new IllegalArgumentException("--shadow-models must be even and >= 2, got " + shadows);
        }
        seed = seedOption == null ? 1 : seedOption;
        Checks.positive("--shadow-epochs", shadowEpochs);
        Checks.positive("--pool-size", poolSize);
        Checks.positive("--threads", threads);
        List<OutputPolicy> policyList = parsePolicies();
        if (model != null) {
            if (members == null || nonMembers == null) {
                throw new ParameterException(spec.commandLine(), "--model needs --members FILE and --non-members FILE");
            }
            if (!Files.isRegularFile(model)) {
                throw new IllegalArgumentException("--model " + model + ": no such file");
            }
            CsvExamples.check("--members", members);
            CsvExamples.check("--non-members", nonMembers);
        } else {
            if (members != null || nonMembers != null) {
                throw new ParameterException(spec.commandLine(), "--members and --non-members need --model FILE");
            }
            if (dataset == Dataset.FASHION_MNIST && !FashionMnist.isInstalled(FashionMnist.DEFAULT_DIRECTORY)) {
                throw new IllegalArgumentException("--dataset fashion-mnist: not installed in "
                        + FashionMnist.DEFAULT_DIRECTORY + " (apt-get install dataset-fashion-mnist)");
            }
            if (dataset == Dataset.FASHION_MNIST && poolSize > 60000) {
                throw new IllegalArgumentException("--pool-size must be <= 60000 for fashion-mnist, got " + poolSize);
            }
        }
        AuditInputs.checkOutDirectory(out);
        quietLibraries();
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(threads);
        org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);

        AuditSettings settings = (quick ? AuditSettings.quick() : AuditSettings.standard())
                .withDelta(delta).withSeed(seed).withPolicies(policyList);
        if (quick) {
            settings = settings.withBlackBoxIterations(0);
        }
        if (shadows != null) {
            settings = settings.withShadowModels(shadows);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        ProgressDisplay display = new ProgressDisplay(spec.commandLine().getErr(), parent != null && parent.interactive());
        io.github.dpsgd4j.audit.AuditExecution execution = new io.github.dpsgd4j.audit.AuditExecution(
                AuditProgress.threads(), new AuditProgress(display));
        NoiseMode noise = reproducible || seedOption != null ? NoiseMode.SEEDED : NoiseMode.SECURE;
        List<ModelAudit> audits = new ArrayList<>();
        AuditData data;
        String description;
        if (model != null) {
            MultiLayerNetwork net = AuditInputs.restoreModel(model);
            int classes = (int) net.getLayer(net.getnLayers() - 1).getParam("W").size(1);
            DataSet in = CsvExamples.read("--members", members, classes);
            DataSet outData = CsvExamples.read("--non-members", nonMembers, classes);
            if (in.getFeatures().size(1) != outData.getFeatures().size(1)) {
                throw new IllegalArgumentException("--members has " + in.getFeatures().size(1)
                        + " features per example but --non-members has " + outData.getFeatures().size(1));
            }
            int[] shape = shape((int) in.getFeatures().size(1));
            data = AuditData.of(in, outData, shape[0], shape[1], classes);
            // A model saved with its privacy ledger says what it spent: that, not --target-epsilon, sets the caps.
            Optional<Double> spent = AuditInputs.spentEpsilon(model, delta);
            Double modelEpsilon = spent.isPresent() ? (Double.isFinite(spent.get()) ? spent.get() : null) : targetEpsilon;
            String epsilonSource = spent.isPresent() ? "epsilon from the model's privacy ledger"
                    : targetEpsilon == null ? "no ledger in the file and no --target-epsilon: audited as non-private"
                    : "epsilon from --target-epsilon (the file carries no ledger)";
            TrainedModel target = modelEpsilon == null ? TrainedModel.nonPrivate(net)
                    : new TrainedModel(net, modelEpsilon, delta, null);
            description = "User model " + model + " (" + epsilonSource + "): " + in.numExamples() + " members, "
                    + outData.numExamples()
                    + " non-members; shadows: same architecture, " + shadowEpochs + " epochs, batch 64, no privacy.";
            progress(stdout, "auditing " + model + " with " + settings.shadowModels() + " shadow models...");
            audits.add(QuickAudit.audit("model", target, new SameArchitectureRecipe(net, shadowEpochs, 64), data,
                    settings, execution));
        } else {
            double epsilon = targetEpsilon == null ? 3.0 : targetEpsilon;
            TrainingRecipe nonPrivate;
            TrainingRecipe privateRecipe;
            PrivacyBudget budget = new PrivacyBudget(epsilon, delta);
            if (dataset == Dataset.DIGITS) {
                data = QuickAudit.digitsData(seed);
                nonPrivate = QuickAudit.digitsRecipe(null, noise);
                privateRecipe = QuickAudit.digitsRecipe(budget, noise);
                description = "Digits (1,797 8x8 images), members = a fair-coin half (" + count(data, true)
                        + " members, " + count(data, false) + " non-members); 64-" + QuickAudit.DIGITS_HIDDEN
                        + "-10 tanh MLP; non-private: Adam, " + QuickAudit.DIGITS_NON_PRIVATE_EPOCHS
                        + " epochs; private: DP-SGD, C = 1, expected batch " + QuickAudit.DIGITS_PRIVATE_BATCH + ", "
                        + QuickAudit.DIGITS_PRIVATE_EPOCHS + " epochs, target (epsilon, delta) = (" + epsilon + ", "
                        + delta + "); " + settings.shadowModels() + " shadow models.";
            } else {
                data = FashionMnistAudit.data(FashionMnist.DEFAULT_DIRECTORY, poolSize, seed);
                nonPrivate = FashionMnistAudit.recipe(null, noise);
                privateRecipe = FashionMnistAudit.recipe(budget, noise);
                description = FashionMnistAudit.description(poolSize, epsilon, delta, settings.shadowModels());
            }
            if (train != Train.PRIVATE) {
                progress(stdout, "training and auditing the non-private model (" + settings.shadowModels()
                        + " shadows)...");
                audits.add(QuickAudit.trainAndAudit("non_private", nonPrivate, data, settings, execution));
            }
            if (train != Train.NON_PRIVATE) {
                progress(stdout, "training and auditing the private model at epsilon " + epsilon + " ("
                        + settings.shadowModels() + " shadows)...");
                audits.add(QuickAudit.trainAndAudit("private", privateRecipe, data, settings, execution));
            }
        }
        display.close();
        AuditReportWriter.write(audits, data, description, out);
        if (!json) {
            AuditSummaryText.print(stdout, audits);
        }
        stdout.println("report: " + out.resolve("index.html"));
        if (json) {
            try {
                ObjectNode summary = AuditJson.summaries(audits);
                stdout.println(AuditJson.MAPPER.writeValueAsString(summary));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("cannot write the JSON summary", ex);
            }
        }
        stdout.flush();
        return 0;
    }

    private List<OutputPolicy> parsePolicies() {
        List<OutputPolicy> list = new ArrayList<>();
        list.add(OutputPolicy.fullConfidences());
        for (String p : policies) {
            OutputPolicy policy;
            try {
                policy = OutputPolicy.parse(p);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("--policies: " + ex.getMessage());
            }
            if (!(policy instanceof OutputPolicy.FullConfidences) && !list.contains(policy)) {
                list.add(policy);
            }
        }
        return list;
    }

    private int[] shape(int features) {
        if (imageShape != null) {
            String[] parts = imageShape.toLowerCase(Locale.ROOT).split("x");
            try {
                int w = Integer.parseInt(parts[0].trim());
                int h = Integer.parseInt(parts[1].trim());
                if (parts.length == 2 && w > 0 && h > 0 && w * h == features) {
                    return new int[] {w, h};
                }
            } catch (RuntimeException ex) {
                // reported below
            }
            throw new IllegalArgumentException("--image-shape must be WxH with W * H = " + features
                    + " features, got '" + imageShape + "'");
        }
        int side = (int) Math.round(Math.sqrt(features));
        return side * side == features ? new int[] {side, side} : new int[] {features, 1};
    }

    private static int count(AuditData data, boolean member) {
        int c = 0;
        for (boolean m : data.member()) {
            c += m == member ? 1 : 0;
        }
        return c;
    }

    private static void progress(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }

    /** Keeps DL4J's and the trainer's start-up INFO lines off the terminal (warnings still show). */
    private static void quietLibraries() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    static final class DatasetConverter implements ITypeConverter<Dataset> {
        @Override
        public Dataset convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "digits" -> Dataset.DIGITS;
                case "fashion-mnist", "fashion_mnist", "fashionmnist" -> Dataset.FASHION_MNIST;
                default -> throw new TypeConversionException("expected digits or fashion-mnist but was '" + value + "'");
            };
        }
    }

    static final class TrainConverter implements ITypeConverter<Train> {
        @Override
        public Train convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "private" -> Train.PRIVATE;
                case "non-private", "non_private", "nonprivate" -> Train.NON_PRIVATE;
                case "both" -> Train.BOTH;
                default -> throw new TypeConversionException("expected private, non-private or both but was '"
                        + value + "'");
            };
        }
    }
}
