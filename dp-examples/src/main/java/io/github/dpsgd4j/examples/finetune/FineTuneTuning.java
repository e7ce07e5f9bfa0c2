package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.FashionMnist;
import io.github.dpsgd4j.examples.data.LabeledImages;
import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.io.File;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the settings of {@link FineTuneRecipes#FASHION_MNIST_EPS1} were chosen: on the public
 * validation examples of the preset's split only (the test set is never read here). A program run
 * by hand, not part of the command line: it prints one CSV line per run on standard output. After
 * {@code ./dpsgd4j --help} has built the module:
 * <pre>
 *   OMP_NUM_THREADS=1 java --add-modules jdk.incubator.vector -Xmx4g [-Dseed=S] [-Dchannels=C] \
 *       -cp dp-examples/target/classes:$(cat dp-examples/target/runtime-classpath.txt) \
 *       io.github.dpsgd4j.examples.finetune.FineTuneTuning MODE ARGS...
 * </pre>
 * Modes:
 * <pre>
 *   pretrain MODEL.zip PRETRAINING VALIDATION EPOCHS [LR BATCH [FINAL_LR]]
 *       non-private pretraining (Adam, default 3e-3 and batch 128, the rate decaying geometrically
 *       to FINAL_LR at the last step, default constant), validation accuracy after each epoch;
 *       saves the graph to MODEL.zip
 *   head MODEL.zip PRETRAINING VALIDATION SEEDS FROZEN:LR:EPOCHS:BATCH[:CLIP] ...
 *       DP-SGD (epsilon 1, delta 1e-5, clip CLIP, default 1, Nesterov 0.9) of the part above FROZEN
 *       ({@code features}: dense + output; {@code hidden}: the output layer only) on the private
 *       examples, one run per noise seed
 *   deep MODEL.zip PRETRAINING VALIDATION SEEDS FROZEN:LR:EPOCHS:BATCH[:CLIP] ...
 *       DP-SGD of the whole graph above the vertex FROZEN ({@code none}: of the whole graph), not
 *       on cached features: for freezing points below the head
 *   scratch PRETRAINING VALIDATION SEEDS LR:EPOCHS:BATCH ...
 *       DP-SGD of the whole graph from scratch at the same budget
 * </pre>
 * The head runs train the head alone on features computed once by the frozen extractor
 * ({@link FrozenFeatures}, as the preset does): the same training as DP-SGD of the whole graph with
 * its extractor frozen, at a fraction of the cost.
 */
public final class FineTuneTuning {

    private static final PrivacyBudget BUDGET = new PrivacyBudget(1.0, 1e-5);
    private static final long SPLIT_SEED = 20261205L;
    /**
     * Weight initialisation seed of these runs: system property {@code seed}, default 1 (the preset
     * uses its own default, 7; see docs/examples.md).
     */
    private static final long MODEL_SEED = Long.getLong("seed", 1L);
    /** Convolution filters of the graphs built here: system property {@code channels}, default {@link ResidualCnn#CHANNELS}. */
    private static final int CHANNELS = Integer.getInteger("channels", ResidualCnn.CHANNELS);

    private FineTuneTuning() {
    }

    public static void main(String[] args) throws IOException {
        LabeledImages train = FashionMnist.load(FashionMnist.DEFAULT_DIRECTORY).train();
        String mode = args[0];
        switch (mode) {
            case "pretrain" -> pretrain(train, args);
            case "head" -> head(train, args);
            case "scratch" -> scratch(train, args);
            case "deep" -> deep(train, args);
            default -> throw new IllegalArgumentException("mode must be pretrain, head, deep or scratch, got " + mode);
        }
    }

    private static PublicPrivateSplit split(LabeledImages train, String pretraining, String validation) {
        return PublicPrivateSplit.of(train.size(), Integer.parseInt(pretraining), Integer.parseInt(validation),
                SPLIT_SEED);
    }

    private static void pretrain(LabeledImages train, String[] args) throws IOException {
        PublicPrivateSplit split = split(train, args[2], args[3]);
        int epochs = Integer.parseInt(args[4]);
        int[] pretraining = split.pretraining();
        double lr = args.length > 5 ? Double.parseDouble(args[5]) : 3e-3;
        int batch = args.length > 6 ? Integer.parseInt(args[6]) : 128;
        double finalLr = args.length > 7 ? Double.parseDouble(args[7]) : lr;
        DataSet validation = train.subset(split.validation()).toDataSet();
        int used = pretraining.length;
        TrainingMonitor printer = new TrainingMonitor() {
            @Override
            public void epochDone(EpochRecord record, int totalEpochs) {
                System.out.printf(Locale.ROOT, "pretrain,%d,%d,%s,%s,%d,%d,%.4f,%.1f%n", CHANNELS, used, lr, finalLr,
                        batch, record.epoch(), record.testAccuracy(), record.seconds());
                System.out.flush();
            }
        };
        ComputationGraph graph = Pretrainer.pretrain(new FineTuneRecipe.Pretraining(epochs, batch, lr, finalLr),
                train.subset(pretraining).toDataSet(), validation, train.classes(), CHANNELS, MODEL_SEED, printer);
        ModelSerializer.writeModel(graph, new File(args[1]), false);
    }

    /** A pretrained graph (MODEL.zip), its split's private and validation examples, and the noise seeds to run. */
    private record Loaded(ComputationGraph graph, DataSet privateSet, DataSet validation, int seeds) {

        /**
         * From the arguments {@code MODE MODEL.zip PRETRAINING VALIDATION SEEDS ...}; prints the graph's
         * validation accuracy.
         */
        static Loaded of(LabeledImages train, String[] args) throws IOException {
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(new File(args[1]));
            PublicPrivateSplit split = split(train, args[2], args[3]);
            DataSet validation = train.subset(split.validation()).toDataSet();
            System.out.printf(Locale.ROOT, "pretrained,validation,%.4f%n", FineTuneRun.accuracy(graph, validation));
            return new Loaded(graph, train.subset(split.privatePart()).toDataSet(), validation,
                    Integer.parseInt(args[4]));
        }
    }

    /** One {@code FROZEN:LR:EPOCHS:BATCH[:CLIP]} setting (clip 1 when left out). */
    private record Setting(String frozen, String lrText, double lr, int epochs, int batch, double clip) {

        static Setting parse(String text) {
            String[] f = text.split(":");
            return new Setting(f[0], f[1], Double.parseDouble(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f.length > 4 ? Double.parseDouble(f[4]) : 1.0);
        }

        /** This setting as the private phase it runs. */
        FineTuneRecipe.PrivatePhase phase() {
            return new FineTuneRecipe.PrivatePhase(epochs, batch, clip, lr);
        }
    }

    private static void head(LabeledImages train, String[] args) throws IOException {
        Loaded loaded = Loaded.of(train, args);
        Map<String, DataSet[]> cache = new HashMap<>();
        for (int c = 5; c < args.length; c++) {
            Setting setting = Setting.parse(args[c]);
            String frozen = setting.frozen();
            DataSet[] sets = cache.computeIfAbsent(frozen, k -> {
                FrozenFeatures features = new FrozenFeatures(FineTuneRun.frozenCopy(loaded.graph(), k, 1.0));
                return new DataSet[] {features.featurize(loaded.privateSet()), features.featurize(loaded.validation())};
            });
            DataSet privateFeatures = sets[0];
            DataSet validationFeatures = sets[1];
            for (int seed = 1; seed <= loaded.seeds(); seed++) {
                ComputationGraph head = new FrozenFeatures(FineTuneRun.frozenCopy(loaded.graph(), frozen,
                        setting.lr())).head();
                if (seed == 1 && setting.epochs() > 0) {
                    System.out.printf(Locale.ROOT, "check,%s,head copy %.4f%n", frozen,
                            FineTuneRun.accuracy(head, validationFeatures));
                }
                long start = System.nanoTime();
                DpSgdTrainer trainer = trainer(head, setting.phase(), privateFeatures, seed);
                trainer.fit(privateFeatures);
                print("head", setting, seed, trainer, FineTuneRun.accuracy(head, validationFeatures), start);
            }
        }
    }

    private static void deep(LabeledImages train, String[] args) throws IOException {
        Loaded loaded = Loaded.of(train, args);
        for (int c = 5; c < args.length; c++) {
            Setting setting = Setting.parse(args[c]);
            for (int seed = 1; seed <= loaded.seeds(); seed++) {
                ComputationGraph graph = FineTuneRun.frozenCopy(loaded.graph(), setting.frozen(), setting.lr());
                long start = System.nanoTime();
                DpSgdTrainer trainer = trainer(graph, setting.phase(), loaded.privateSet(), seed);
                trainer.fit(loaded.privateSet());
                print("deep", setting, seed, trainer, FineTuneRun.accuracy(graph, loaded.validation()), start);
            }
        }
    }

    private static void print(String mode, Setting setting, int seed, DpSgdTrainer trainer, double accuracy,
                              long start) {
        System.out.printf(Locale.ROOT, "%s,%s,%s,%d,%d,%s,%d,%.4f,%d,%.4f,%.4f,%.1f%n", mode, setting.frozen(),
                setting.lrText(), setting.epochs(), setting.batch(), setting.clip(), seed,
                trainer.config().noiseMultiplier(), trainer.stepsTaken(),
                trainer.privacySpent(BUDGET.delta()).epsilon(), accuracy, (System.nanoTime() - start) / 1e9);
        System.out.flush();
    }

    private static void scratch(LabeledImages train, String[] args) {
        PublicPrivateSplit split = split(train, args[1], args[2]);
        int seeds = Integer.parseInt(args[3]);
        DataSet privateSet = train.subset(split.privatePart()).toDataSet();
        DataSet validation = train.subset(split.validation()).toDataSet();
        for (int c = 4; c < args.length; c++) {
            String[] f = args[c].split(":");
            double lr = Double.parseDouble(f[0]);
            int epochs = Integer.parseInt(f[1]);
            int batch = Integer.parseInt(f[2]);
            for (int seed = 1; seed <= seeds; seed++) {
                ComputationGraph graph = ResidualCnn.build(train.classes(), CHANNELS,
                        new Nesterovs(lr, FineTuneRecipe.MOMENTUM), MODEL_SEED);
                long start = System.nanoTime();
                DpSgdTrainer trainer = trainer(graph, new FineTuneRecipe.PrivatePhase(epochs, batch, 1.0, lr),
                        privateSet, seed);
                trainer.fit(privateSet);
                System.out.printf(Locale.ROOT, "scratch,%s,%d,%d,%d,%.4f,%d,%.4f,%.4f,%.1f%n", f[0], epochs, batch,
                        seed, trainer.config().noiseMultiplier(), trainer.stepsTaken(),
                        trainer.privacySpent(BUDGET.delta()).epsilon(), FineTuneRun.accuracy(graph, validation),
                        (System.nanoTime() - start) / 1e9);
                System.out.flush();
            }
        }
    }

    private static DpSgdTrainer trainer(ComputationGraph graph, FineTuneRecipe.PrivatePhase phase, DataSet data,
                                        long seed) {
        return FineTuneRun.trainerBuilder(graph, BUDGET, phase, data.numExamples(), NoiseSource.seeded(seed)).build();
    }
}
