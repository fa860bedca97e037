package entiflow.flink;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/**
 * The entiflow native library (the shared interpreter and transaction protocol), bundled in the
 * job jar and loaded once per class loader from a private copy: a restarted job gets a new class
 * loader, and a JVM loads one library file into one class loader only.
 */
final class Native {
    private static boolean loaded;

    private Native() {}

    static synchronized void load() {
        if (loaded) {
            return;
        }
        try (InputStream in = Native.class.getResourceAsStream("/entiflow-job/libentiflow_flink.so")) {
            if (in == null) {
                throw new IllegalStateException("the job jar has no entiflow-job/libentiflow_flink.so");
            }
            File copy = File.createTempFile("entiflow-flink-", ".so");
            copy.deleteOnExit();
            Files.copy(in, copy.toPath(), StandardCopyOption.REPLACE_EXISTING);
            System.load(copy.getAbsolutePath());
            loaded = true;
        } catch (IOException e) {
            throw new IllegalStateException("cannot unpack the entiflow native library", e);
        }
    }

    /** A handle on the program (IR JSON) running on the topics of {@code app}. */
    static native long open(byte[] program, String app, int partitions, long dedupWindow);

    /** Frees a handle. */
    static native void close(long handle);

    /** The records an ingress record turns into (encoded, see {@link OutRecord#decode}). */
    static native byte[] route(
            long handle, int partition, long offset, byte[] key, byte[] replyTopic, byte[] control,
            byte[] payload);

    /** Whether state partition {@code partition} is loaded in this handle. */
    static native boolean loaded(long handle, int partition);

    /** Loads a state partition from its checkpoint, or empty when {@code checkpoint} is null. */
    static native void restore(long handle, int partition, byte[] checkpoint);

    /** Processes an internal record of a loaded partition; the records it produces (encoded). */
    static native byte[] step(long handle, int partition, byte[] envelope);

    /** The partition's checkpoint, or null while a transaction is in flight there. */
    static native byte[] checkpoint(long handle, int partition);
}
