package entiflow.flink;

/** A consumed Kafka record: where it was, and what the protocol reads of it. */
public class InRecord {
    /** The topic partition it was read from. */
    public int partition;
    /** Its offset there. */
    public long offset;
    /** Its key, or null. */
    public byte[] key;
    /** Its reply-topic header, or null. */
    public byte[] replyTopic;
    /** Its control header, or null. */
    public byte[] control;
    /** Its value. */
    public byte[] payload;

    /** An empty record (for Flink's POJO serializer). */
    public InRecord() {}
}
