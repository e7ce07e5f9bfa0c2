package io.github.dpsgd4j.optimizers.pergradient;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A reusable ND4J workspace for the temporaries of one private micro-batch or update. Without it
 * every step allocates fresh off-heap buffers that are only freed when the Java garbage collector
 * happens to run, and the process's resident memory balloons; with it the same memory is reused
 * step after step (the workspace learns its size in the first cycle and grows if a larger batch
 * needs more).
 *
 * <p>Nothing allocated inside a scope may be used after the scope closes: results leave as Java
 * values or are written into arrays allocated outside (the network's parameters and gradients).
 */
public final class StepWorkspace {

    private static final WorkspaceConfiguration CONFIGURATION = WorkspaceConfiguration.builder()
            .initialSize(0)
            .overallocationLimit(0.2)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private final String id;
    private final LayerWorkspaceMgr layerWorkspaces;

    /** @param id the workspace name, distinct per use */
    public StepWorkspace(String id) {
        this.id = id;
        LayerWorkspaceMgr.Builder builder = LayerWorkspaceMgr.builder();
        for (ArrayType type : ArrayType.values()) {
            // DL4J's recurrent layers open and close a scope of these types once per time step: in
            // the step's own workspace that would invalidate every array of the step so far.
            boolean recurrentLoop = type == ArrayType.RNN_FF_LOOP_WORKING_MEM || type == ArrayType.RNN_BP_LOOP_WORKING_MEM;
            builder.with(type, recurrentLoop ? id + "_RNN_LOOP" : id, CONFIGURATION);
        }
        this.layerWorkspaces = builder.build();
    }

    /** Opens the workspace; close the returned scope (try-with-resources) to recycle its memory. */
    public MemoryWorkspace open() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIGURATION, id);
    }

    /** A DL4J workspace manager that places every kind of layer array in this workspace. */
    public LayerWorkspaceMgr layerWorkspaces() {
        return layerWorkspaces;
    }
}
