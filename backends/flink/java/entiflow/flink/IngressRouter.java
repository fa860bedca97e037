package entiflow.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Forwards each ingress record to the internal partition of the entity it addresses (or answers
 * a malformed one). Stateless: the forwarded message's channel position is the record's ingress
 * offset, so a record routed again after a restart is dropped by its receiver.
 */
public class IngressRouter extends RichFlatMapFunction<InRecord, OutRecord> {
    private final JobSettings settings;
    private transient long handle;

    /** A router for the job's settings. */
    public IngressRouter(JobSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        Native.load();
        handle = settings.openHandle();
    }

    @Override
    public void flatMap(InRecord r, Collector<OutRecord> out) {
        byte[] records =
                Native.route(handle, r.partition, r.offset, r.key, r.replyTopic, r.control, r.payload);
        for (OutRecord o : OutRecord.decode(records)) {
            out.collect(o);
        }
    }

    @Override
    public void close() {
        if (handle != 0) {
            Native.close(handle);
            handle = 0;
        }
    }
}
