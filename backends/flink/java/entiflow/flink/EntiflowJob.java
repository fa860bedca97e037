package entiflow.flink;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * An entiflow application as a Flink job. Two Kafka sources, one sink:
 *
 * <pre>
 *   ingress ── IngressRouter ──┐
 *   internal ── keyBy(partition) ── PartitionFunction ──┴── KafkaSink → internal | egress | dead-letter
 * </pre>
 *
 * Calls between entities loop back through the internal topic (Flink 2 has no iterations). The
 * partition state lives in Flink keyed state; with checkpoints, source offsets, state and the
 * sink's Kafka transaction move together (exactly-once). Every message carries its channel
 * position and receivers drop repeats, so records of an aborted sink transaction that a broker
 * shows to readers change nothing.
 *
 * <p>Arguments: {@code --brokers HOST:PORT --app PREFIX --partitions N} and optionally
 * {@code --checkpoint-ms MS} (default 1000), {@code --checkpoint-dir URI}, {@code
 * --delivery exactly-once|at-least-once}, {@code --dedup-window N}, {@code --compact-after N},
 * {@code --buffer-timeout-ms MS} (default 1).
 */
public final class EntiflowJob {
    static final String REPLY_TOPIC_HEADER = "entiflow-reply-topic";
    static final String CONTROL_HEADER = "entiflow-control";

    private EntiflowJob() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parse(argv);
        String brokers = required(args, "brokers");
        String app = required(args, "app");
        int partitions = Integer.parseInt(required(args, "partitions"));
        long checkpointMs = Long.parseLong(args.getOrDefault("checkpoint-ms", "1000"));
        String delivery = args.getOrDefault("delivery", "exactly-once");
        JobSettings settings = new JobSettings(
                JobSettings.bundledProgram(),
                app,
                partitions,
                Long.parseLong(args.getOrDefault("dedup-window", "250000")),
                Integer.parseInt(args.getOrDefault("compact-after", "256")));

        Configuration conf = new Configuration();
        if (args.containsKey("checkpoint-dir")) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, args.get("checkpoint-dir"));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        // One subtask per operator: a partition's messages to another must reach the log in the
        // order they were sent, so they go through one sink writer.
        env.setParallelism(1);
        // Every hop of a transaction crosses an exchange; the default 100 ms buffer timeout
        // would add up to that much to each.
        env.setBufferTimeout(Long.parseLong(args.getOrDefault("buffer-timeout-ms", "1")));
        env.enableCheckpointing(checkpointMs);
        env.getCheckpointConfig()
                .setExternalizedCheckpointRetention(
                        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(Math.min(checkpointMs, 200));

        DataStream<InRecord> ingress = env.fromSource(
                source(brokers, app, app + ".ingress"), WatermarkStrategy.noWatermarks(), "ingress");
        DataStream<InRecord> internal = env.fromSource(
                source(brokers, app, app + ".internal"), WatermarkStrategy.noWatermarks(), "internal");

        DataStream<OutRecord> routed = ingress.flatMap(new IngressRouter(settings)).name("route");
        DataStream<OutRecord> stepped = internal
                .keyBy(r -> r.partition, Types.INT)
                .process(new PartitionFunction(settings))
                .name("partitions");

        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", "600000");
        producer.setProperty("max.request.size", Integer.toString(64 << 20));
        producer.setProperty("linger.ms", "0");
        // One record per batch: a broker that misreports the last offset of a multi-record batch
        // (tansu's memory engine) would make a consumer stall at a record inside one.
        producer.setProperty("batch.size", "0");
        KafkaSink<OutRecord> sink = KafkaSink.<OutRecord>builder()
                .setBootstrapServers(brokers)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new OutSerializer())
                .setDeliveryGuarantee(
                        delivery.equals("at-least-once")
                                ? DeliveryGuarantee.AT_LEAST_ONCE
                                : DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(app + ".flink")
                .build();
        routed.union(stepped).sinkTo(new QuietCloseSink<>(sink)).name("out");

        env.execute("entiflow " + app);
    }

    private static KafkaSource<InRecord> source(String brokers, String app, String topic) {
        return KafkaSource.<InRecord>builder()
                .setBootstrapServers(brokers)
                .setTopics(topic)
                .setGroupId(app + ".flink")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setProperty("isolation.level", "read_uncommitted")
                .setProperty("fetch.max.wait.ms", "5")
                .setProperty("max.partition.fetch.bytes", Integer.toString(64 << 20))
                .setProperty("partition.discovery.interval.ms", "0")
                .setDeserializer(new InDeserializer())
                .build();
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + argv[i]);
            }
            args.put(argv[i].substring(2), argv[++i]);
        }
        return args;
    }

    private static String required(Map<String, String> args, String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    /** Reads a Kafka record into an {@link InRecord}. */
    static final class InDeserializer implements KafkaRecordDeserializationSchema<InRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InRecord> out) {
            InRecord r = new InRecord();
            r.partition = record.partition();
            r.offset = record.offset();
            r.key = record.key();
            r.payload = record.value() == null ? new byte[0] : record.value();
            Header reply = record.headers().lastHeader(REPLY_TOPIC_HEADER);
            r.replyTopic = reply == null ? null : reply.value();
            Header control = record.headers().lastHeader(CONTROL_HEADER);
            r.control = control == null ? null : control.value();
            out.collect(r);
        }

        @Override
        public TypeInformation<InRecord> getProducedType() {
            return TypeInformation.of(InRecord.class);
        }
    }

    /** Writes an {@link OutRecord} to its topic (and partition, when it names one). */
    static final class OutSerializer implements KafkaRecordSerializationSchema<OutRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                OutRecord r, KafkaRecordSerializationSchema.KafkaSinkContext context, Long timestamp) {
            Integer partition = r.partition >= 0 ? r.partition : null;
            return new ProducerRecord<>(r.topic, partition, r.key, r.payload);
        }
    }
}
