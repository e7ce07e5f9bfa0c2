package io.github.dpsgd4j.optimizers.pergradient;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both norm methods of {@link SequenceOuterProducts} equal the explicit sums of outer products. */
class SequenceOuterProductsProperties {

    @Property(tries = 40)
    void gramAndMaterialised_equalExplicitPerExampleGradients(@ForAll @IntRange(min = 1, max = 5) int batch,
                                                              @ForAll @IntRange(min = 1, max = 30) int steps,
                                                              @ForAll @IntRange(min = 1, max = 20) int k,
                                                              @ForAll @IntRange(min = 1, max = 20) int m,
                                                              @ForAll boolean materialise,
                                                              @ForAll boolean floats,
                                                              @ForAll long seed) {
        Random random = new Random(seed);
        DataType type = floats ? DataType.FLOAT : DataType.DOUBLE;
        INDArray a = PerExampleGradientEquivalenceProperties.gaussian(random, batch, steps, k).castTo(type);
        INDArray d = PerExampleGradientEquivalenceProperties.gaussian(random, batch, steps, m).castTo(type);
        INDArray factors = Nd4j.zeros(type, batch, 1);
        INDArray expectedSum = Nd4j.zeros(DataType.DOUBLE, k, m);
        double[] expectedNorms = new double[batch];
        for (int i = 0; i < batch; i++) {
            INDArray ai = a.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).castTo(DataType.DOUBLE);
            INDArray di = d.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).castTo(DataType.DOUBLE);
            INDArray gi = ai.transpose().mmul(di);
            double n = gi.norm2Number().doubleValue();
            expectedNorms[i] = n * n;
            double c = random.nextDouble();
            factors.putScalar(i, 0, c);
            expectedSum.addi(gi.mul(factors.getDouble(i, 0)));
        }
        SequenceOuterProducts products = new SequenceOuterProducts(a, d, materialise);
        assertEquals(materialise, products.isMaterialised());
        double[] norms = new double[batch];
        products.addSquaredNorms(norms);
        double tolerance = floats ? 1e-4 : 1e-10;
        for (int i = 0; i < batch; i++) {
            assertEquals(expectedNorms[i], norms[i], tolerance * Math.max(expectedNorms[i], 1e-6), "example " + i);
        }
        INDArray sum = products.weightedSum(factors).castTo(DataType.DOUBLE);
        double difference = sum.sub(expectedSum).norm2Number().doubleValue();
        assertTrue(difference <= tolerance * Math.max(expectedSum.norm2Number().doubleValue(), 1e-6),
                "weighted sum differs by " + difference);
    }
}
