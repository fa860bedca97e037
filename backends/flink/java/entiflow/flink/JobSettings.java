package entiflow.flink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;

/** What the job's operators need: the program and the application's topics and sizes. */
public class JobSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The program's IR (JSON). */
    final byte[] program;
    /** The topic prefix. */
    final String app;
    /** State partitions (partitions of the internal topic). */
    final int partitions;
    /** Invocation ids remembered per partition. */
    final long dedupWindow;
    /** Logged records after which a partition is checkpointed (when nothing is in flight). */
    final int compactAfter;

    JobSettings(byte[] program, String app, int partitions, long dedupWindow, int compactAfter) {
        this.program = program;
        this.app = app;
        this.partitions = partitions;
        this.dedupWindow = dedupWindow;
        this.compactAfter = compactAfter;
    }

    long openHandle() {
        return Native.open(program, app, partitions, dedupWindow);
    }

    /** The program bundled in the job jar. */
    static byte[] bundledProgram() throws IOException {
        try (InputStream in = JobSettings.class.getResourceAsStream("/entiflow-job/program.json")) {
            if (in == null) {
                throw new IOException("the job jar has no entiflow-job/program.json");
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toByteArray();
        }
    }
}
