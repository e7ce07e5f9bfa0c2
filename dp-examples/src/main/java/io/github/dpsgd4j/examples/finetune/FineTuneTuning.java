package io.github.dpsgd4j.examples.finetune;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyBudget;
import io.github.dpsgd4j.core.noise.NoiseSource;
import io.github.dpsgd4j.examples.data.FashionMnist;
import io.github.dpsgd4j.examples.data.LabeledImages;
import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import io.github.dpsgd4j.optimizers.DpSgdTrainer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * The head runs train the head alone on features computed once by the frozen extractor: with the
 * extractor frozen, DP-SGD of the graph clips, noises and updates exactly the head's parameters on
 * exactly these inputs, so this is the same training at a fraction of the cost.
 */
public final class FineTuneTuning {

    private static final PrivacyBudget BUDGET = new PrivacyBudget(1.0, 1e-5);
    private static final long SPLIT_SEED = 20261205L;
    /**
     * Weight initialisation seed of these runs: system property {@code seed}, default 1 (the preset
     * uses its own default, 7; see docs/examples.md).
     */
    private static final long MODEL_SEED = Long.getLong("seed", 1L);
    private static final int CHUNK = 1000;
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
    }

    private static void head(LabeledImages train, String[] args) throws IOException {
        Loaded loaded = Loaded.of(train, args);
        ComputationGraph graph = loaded.graph();
        Map<String, DataSet[]> cache = new HashMap<>();
        for (int c = 5; c < args.length; c++) {
            Setting setting = Setting.parse(args[c]);
            String frozen = setting.frozen();
            DataSet[] sets = cache.computeIfAbsent(frozen, k -> new DataSet[] {features(graph, loaded.privateSet(), k),
                    features(graph, loaded.validation(), k)});
            DataSet privateFeatures = sets[0];
            DataSet validationFeatures = sets[1];
            for (int seed = 1; seed <= loaded.seeds(); seed++) {
                MultiLayerNetwork head = head(graph, frozen, setting.lr());
                if (seed == 1 && setting.epochs() > 0) {
                    System.out.printf(Locale.ROOT, "check,%s,head copy %.4f%n", frozen,
                            accuracy(head, validationFeatures));
                }
                long start = System.nanoTime();
                DpSgdTrainer trainer = trainer(DpSgdTrainer.builder(head), setting.batch(), setting.clip(),
                        privateFeatures, seed, setting.epochs());
                trainer.fit(privateFeatures);
                System.out.printf(Locale.ROOT, "head,%s,%s,%d,%d,%s,%d,%.4f,%d,%.4f,%.4f,%.1f%n", frozen,
                        setting.lrText(), setting.epochs(), setting.batch(), setting.clip(), seed,
                        trainer.config().noiseMultiplier(),
                        trainer.stepsTaken(),
                        trainer.privacySpent(BUDGET.delta()).epsilon(), accuracy(head, validationFeatures),
                        (System.nanoTime() - start) / 1e9);
                System.out.flush();
            }
        }
    }

    private static void deep(LabeledImages train, String[] args) throws IOException {
        Loaded loaded = Loaded.of(train, args);
        ComputationGraph pretrained = loaded.graph();
        DataSet privateSet = loaded.privateSet();
        DataSet validation = loaded.validation();
        for (int c = 5; c < args.length; c++) {
            Setting setting = Setting.parse(args[c]);
            for (int seed = 1; seed <= loaded.seeds(); seed++) {
                TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(pretrained.clone())
                        .fineTuneConfiguration(new FineTuneConfiguration.Builder()
                                .updater(new Nesterovs(setting.lr(), FineTuneRecipe.MOMENTUM)).build());
                if (!setting.frozen().equals("none")) {
                    builder.setFeatureExtractor(setting.frozen());
                }
                ComputationGraph graph = builder.build();
                long start = System.nanoTime();
                DpSgdTrainer trainer = trainer(DpSgdTrainer.builder(graph), setting.batch(), setting.clip(),
                        privateSet, seed, setting.epochs());
                trainer.fit(privateSet);
                System.out.printf(Locale.ROOT, "deep,%s,%s,%d,%d,%s,%d,%.4f,%d,%.4f,%.4f,%.1f%n", setting.frozen(),
                        setting.lrText(), setting.epochs(), setting.batch(), setting.clip(), seed,
                        trainer.config().noiseMultiplier(),
                        trainer.stepsTaken(),
                        trainer.privacySpent(BUDGET.delta()).epsilon(), FineTuneRun.accuracy(graph, validation),
                        (System.nanoTime() - start) / 1e9);
                System.out.flush();
            }
        }
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
                DpSgdTrainer trainer = trainer(DpSgdTrainer.builder(graph), batch, 1.0, privateSet, seed, epochs);
                trainer.fit(privateSet);
                System.out.printf(Locale.ROOT, "scratch,%s,%d,%d,%d,%.4f,%d,%.4f,%.4f,%.1f%n", f[0], epochs, batch,
                        seed, trainer.config().noiseMultiplier(), trainer.stepsTaken(),
                        trainer.privacySpent(BUDGET.delta()).epsilon(), FineTuneRun.accuracy(graph, validation),
                        (System.nanoTime() - start) / 1e9);
                System.out.flush();
            }
        }
    }

    private static DpSgdTrainer trainer(DpSgdTrainer.Builder builder, int batch, double clip, DataSet data, long seed,
                                        int epochs) {
        double q = (double) batch / data.getFeatures().size(0);
        return builder.l2NormClip(clip).sampleRate(q)
                .physicalBatchSize(Math.min(FineTuneRun.PHYSICAL_BATCH_SIZE, batch))
                .reportingDelta(BUDGET.delta()).accountant(AccountantType.PLD)
                .noiseSource(NoiseSource.seeded(seed)).targetBudget(BUDGET, epochs).build();
    }

    /** The frozen extractor's output at {@code frozen} (flattened as the graph flattens it), with the labels. */
    private static DataSet features(ComputationGraph graph, DataSet data, String frozen) {
        long n = data.getFeatures().size(0);
        List<INDArray> parts = new ArrayList<>();
        for (long from = 0; from < n; from += CHUNK) {
            long to = Math.min(n, from + CHUNK);
            INDArray x = data.getFeatures().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            INDArray a = graph.feedForward(x, false).get(frozen);
            parts.add(a.reshape('c', to - from, a.length() / (to - from)).dup());
        }
        return new DataSet(Nd4j.vstack(parts.toArray(new INDArray[0])), data.getLabels());
    }

    /** The graph's layers above {@code frozen} as a network on the features, with the pretrained parameters. */
    private static MultiLayerNetwork head(ComputationGraph graph, String frozen, double lr) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(MODEL_SEED)
                .dataType(DataType.FLOAT).updater(new Nesterovs(lr, FineTuneRecipe.MOMENTUM))
                .weightInit(WeightInit.XAVIER).list();
        int layer = 0;
        if (frozen.equals(ResidualCnn.FEATURES)) {
            long in = graph.getLayer(ResidualCnn.HIDDEN_LAYER).getParam("W").size(0);
            list.layer(layer++, new DenseLayer.Builder().nIn(in).nOut(ResidualCnn.HIDDEN)
                    .activation(Activation.TANH).build());
        } else if (!frozen.equals(ResidualCnn.HIDDEN_LAYER)) {
            throw new IllegalArgumentException("frozen must be features or hidden, got " + frozen);
        }
        list.layer(layer, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(ResidualCnn.HIDDEN)
                .nOut(graph.getLayer(ResidualCnn.OUTPUT).getParam("b").length())
                .activation(Activation.SOFTMAX).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        if (layer == 1) {
            net.getLayer(0).setParams(graph.getLayer(ResidualCnn.HIDDEN_LAYER).params().dup());
        }
        net.getLayer(layer).setParams(graph.getLayer(ResidualCnn.OUTPUT).params().dup());
        return net;
    }

    private static double accuracy(MultiLayerNetwork net, DataSet data) {
        INDArray predicted = net.output(data.getFeatures(), false).argMax(1);
        return predicted.eq(data.getLabels().argMax(1)).castTo(DataType.INT).sumNumber().doubleValue()
                / data.getFeatures().size(0);
    }
}
