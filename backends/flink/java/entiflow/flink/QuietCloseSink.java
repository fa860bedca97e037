package entiflow.flink;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka sink, except that closing its writer never fails. When a job is cancelled or fails
 * over, the Kafka writer reports the records it could not send any more as an error from
 * {@code close()}, which Flink, already cleaning up, treats as fatal and stops the whole
 * TaskManager. Those records belong to the transaction being abandoned; the restarted job sends
 * them again, so the error is only logged.
 */
public class QuietCloseSink<IN>
        implements TwoPhaseCommittingStatefulSink<IN, KafkaWriterState, KafkaCommittable> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(QuietCloseSink.class);

    private final KafkaSink<IN> inner;

    /** Wraps a Kafka sink. */
    public QuietCloseSink(KafkaSink<IN> inner) {
        this.inner = inner;
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> createWriter(
            WriterInitContext context) throws IOException {
        return new Writer<>(inner.createWriter(context));
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> states) throws IOException {
        return new Writer<>(inner.restoreWriter(context, states));
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) {
        return inner.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return inner.getCommittableSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return inner.getWriterStateSerializer();
    }

    private static final class Writer<IN>
            implements PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> {
        private final PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> inner;

        Writer(PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> inner) {
            this.inner = inner;
        }

        @Override
        public void write(IN element, Context context) throws IOException, InterruptedException {
            inner.write(element, context);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            inner.flush(endOfInput);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            inner.writeWatermark(watermark);
        }

        @Override
        public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
            return inner.snapshotState(checkpointId);
        }

        @Override
        public Collection<KafkaCommittable> prepareCommit() throws IOException, InterruptedException {
            return inner.prepareCommit();
        }

        @Override
        public void close() {
            try {
                inner.close();
            } catch (Exception e) {
                LOG.warn("records of an abandoned Kafka transaction were not sent", e);
            }
        }
    }
}
