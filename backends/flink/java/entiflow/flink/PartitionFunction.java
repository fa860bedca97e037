package entiflow.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Runs the transaction protocol's state machine of each state partition (the key) in the native
 * library. Flink keyed state holds, per partition, its last checkpoint (taken when nothing was in
 * flight there) and the internal records it processed since; a partition is rebuilt from them,
 * outputs discarded, the first time it sees a record after a (re)start. Processing is a
 * deterministic function of that ordered input, so the rebuilt partition is the one that was
 * checkpointed.
 */
public class PartitionFunction extends KeyedProcessFunction<Integer, InRecord, OutRecord> {
    private final JobSettings settings;
    private transient long handle;
    private transient ValueState<byte[]> base;
    private transient ListState<byte[]> log;
    private transient ValueState<Integer> logLength;

    /** The operator for the job's settings. */
    public PartitionFunction(JobSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        Native.load();
        handle = settings.openHandle();
        base = getRuntimeContext()
                .getState(new ValueStateDescriptor<>(
                        "checkpoint", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        log = getRuntimeContext()
                .getListState(new ListStateDescriptor<>(
                        "log", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        logLength = getRuntimeContext().getState(new ValueStateDescriptor<>("log-length", Types.INT));
    }

    @Override
    public void processElement(InRecord r, Context ctx, Collector<OutRecord> out) throws Exception {
        int p = ctx.getCurrentKey();
        if (!Native.loaded(handle, p)) {
            Native.restore(handle, p, base.value());
            Iterable<byte[]> logged = log.get();
            if (logged != null) {
                for (byte[] envelope : logged) {
                    Native.step(handle, p, envelope);
                }
            }
        }
        for (OutRecord o : OutRecord.decode(Native.step(handle, p, r.payload))) {
            out.collect(o);
        }
        Integer length = logLength.value();
        int logged = length == null ? 0 : length;
        byte[] checkpoint = logged + 1 >= settings.compactAfter ? Native.checkpoint(handle, p) : null;
        if (checkpoint != null) {
            base.update(checkpoint);
            log.clear();
            logLength.update(0);
        } else {
            log.add(r.payload);
            logLength.update(logged + 1);
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
