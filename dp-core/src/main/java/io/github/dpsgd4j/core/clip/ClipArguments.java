package io.github.dpsgd4j.core.clip;

import io.github.dpsgd4j.common.Checks;

/** Argument checks of {@link ClipAndSum}'s heap-array fast path, each naming the parameter and its value. */
final class ClipArguments {

    private ClipArguments() {
    }

    static void checkMatrix(float[] g, int batch, int params) {
        Checks.notNull("g", g);
        Checks.nonNegative("batch", batch);
        Checks.nonNegative("params", params);
        if ((long) batch * params > g.length) {
            throw new IllegalArgumentException("g.length must be >= batch * params (" + batch + " * " + params
                    + " = " + (long) batch * params + "), got " + g.length);
        }
    }

    static void checkOut(float[] out, int params) {
        Checks.notNull("out", out);
        if (out.length < params) {
            throw new IllegalArgumentException("out.length must be >= params (" + params + "), got " + out.length);
        }
    }

    static void checkColumns(int columnFrom, int columnTo, int params) {
        if (columnFrom < 0 || columnFrom > columnTo || columnTo > params) {
            throw new IllegalArgumentException("columns must satisfy 0 <= columnFrom <= columnTo <= params ("
                    + params + "), got columnFrom " + columnFrom + " and columnTo " + columnTo);
        }
    }

    /** Returns {starts, ends} of the groups after validating offsets and clips. */
    static int[][] checkGroups(int[] groupOffsets, double[] groupClips, int params) {
        Checks.notNull("groupOffsets", groupOffsets);
        Checks.notNull("groupClips", groupClips);
        int groups = groupOffsets.length;
        Checks.positive("groupOffsets.length (number of groups)", groups);
        Checks.equalTo("groupClips.length", groupClips.length, "groupOffsets.length", groups);
        if (groupOffsets[0] != 0) {
            throw new IllegalArgumentException("groupOffsets[0] must be 0, got " + groupOffsets[0]);
        }
        int[] starts = groupOffsets.clone();
        int[] ends = new int[groups];
        for (int q = 0; q < groups; q++) {
            if (q > 0 && groupOffsets[q] <= groupOffsets[q - 1]) {
                throw new IllegalArgumentException("groupOffsets must be strictly increasing, got groupOffsets["
                        + (q - 1) + "] = " + groupOffsets[q - 1] + " and groupOffsets[" + q + "] = "
                        + groupOffsets[q]);
            }
            if (groupOffsets[q] >= params) {
                throw new IllegalArgumentException("groupOffsets[" + q + "] must be < params (" + params
                        + "), got " + groupOffsets[q]);
            }
            Checks.positive("groupClips[" + q + "]", groupClips[q]);
            ends[q] = q + 1 < groups ? groupOffsets[q + 1] : params;
        }
        return new int[][] {starts, ends};
    }
}
