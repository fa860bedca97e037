package entiflow.flink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A record to produce: topic, partition (or -1), key (or null) and value. */
public class OutRecord {
    /** The topic. */
    public String topic;
    /** The partition, or -1 to let the key decide. */
    public int partition;
    /** The key, or null. */
    public byte[] key;
    /** The value. */
    public byte[] payload;

    /** An empty record (for Flink's POJO serializer). */
    public OutRecord() {}

    /** Decodes the native library's encoding of a list of records. */
    static List<OutRecord> decode(byte[] encoded) {
        List<OutRecord> out = new ArrayList<>();
        if (encoded == null) {
            return out;
        }
        ByteBuffer buf = ByteBuffer.wrap(encoded);
        while (buf.hasRemaining()) {
            OutRecord r = new OutRecord();
            byte[] topic = new byte[buf.getInt()];
            buf.get(topic);
            r.topic = new String(topic, StandardCharsets.UTF_8);
            r.partition = buf.getInt();
            int keyLength = buf.getInt();
            if (keyLength >= 0) {
                r.key = new byte[keyLength];
                buf.get(r.key);
            }
            r.payload = new byte[buf.getInt()];
            buf.get(r.payload);
            out.add(r);
        }
        return out;
    }
}
