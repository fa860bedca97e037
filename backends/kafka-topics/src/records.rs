//! What a step produces, as Kafka records: the encoding shared by every engine that moves the
//! protocol's envelopes through these topics (this crate's workers, the Flink job).

use entiflow_protocol::{route, Channel, Envelope, Message, Output, PartitionConfig, Routed};
use runtime_common::{ErrorReport, Interpreter, InvocationResult};
use serde_json::{json, Value as Json};

use crate::admin::MAX_MESSAGE_BYTES;
use crate::config::Topics;

/// The header naming the topic a client wants its result on (default: the egress topic).
pub const REPLY_TOPIC_HEADER: &str = "entiflow-reply-topic";
/// The header marking a control record (`dump`: send the state of every partition).
pub const CONTROL_HEADER: &str = "entiflow-control";

/// The settings of a partition whose envelopes travel as records of these topics: calls and
/// replies stay a little under the record limit, leaving room for the envelope around them.
pub fn partition_config(dedup_window: usize) -> PartitionConfig {
    PartitionConfig {
        dedup_window,
        max_message_bytes: Some(MAX_MESSAGE_BYTES - 1024),
    }
}

/// A record to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutRecord {
    /// The topic.
    pub topic: String,
    /// The partition, when the record must go to a given one (internal messages).
    pub partition: Option<i32>,
    /// The record key (a client's correlation id on reply topics).
    pub key: Option<String>,
    /// The payload.
    pub payload: Vec<u8>,
}

/// An ingress record, as consumed.
#[derive(Debug, Clone, Copy)]
pub struct IngressRecord<'a> {
    /// Its ingress partition.
    pub partition: i32,
    /// Its offset there.
    pub offset: i64,
    /// Its key (the client's correlation id), if any.
    pub key: Option<&'a [u8]>,
    /// The value of its reply-topic header, if any.
    pub reply_topic: Option<&'a [u8]>,
    /// The value of its control header, if any.
    pub control: Option<&'a [u8]>,
    /// Its payload.
    pub payload: &'a [u8],
}

fn json_bytes(value: &impl serde::Serialize) -> Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|e| e.to_string())
}

/// The records an ingress record turns into. Every ingress record of partition `i` goes to
/// internal partition `i` (so that channel's offsets are consecutive): an invocation (passed on
/// there to the partition owning its entity), a dump request (sent on to every partition), or,
/// for a malformed record, a `Skip` beside its error reply to its key (or a dead letter when it
/// has no key).
pub fn ingress_records(
    interp: &Interpreter<'_>,
    topics: &Topics,
    partitions: u32,
    record: IngressRecord<'_>,
) -> Result<Vec<OutRecord>, String> {
    let key = record
        .key
        .and_then(|k| std::str::from_utf8(k).ok())
        .map(str::to_string);
    // A reply topic that cannot exist would fail the transaction carrying the reply, on every
    // replay, and one of the app's own topics would feed results to its workers: such a record
    // is a dead letter, like one with no key to answer to.
    let reply_topic = match record.reply_topic {
        None => Some(topics.egress.clone()),
        Some(v) => std::str::from_utf8(v)
            .ok()
            .filter(|t| is_topic_name(t) && !topics.is_own_input(t))
            .map(str::to_string),
    };
    let reply = json!({"topic": reply_topic, "key": key});
    let channel = Channel::Ingress {
        partition: record.partition as u32,
        offset: record.offset as u64,
    };
    let internal = |to: u32, body: Message| -> Result<OutRecord, String> {
        Ok(OutRecord {
            topic: topics.internal.clone(),
            partition: Some(to as i32),
            key: None,
            payload: json_bytes(&Envelope { channel, body })?,
        })
    };
    let here = record.partition as u32;
    let routed = match (&reply_topic, record.control) {
        (None, _) => Routed::Answer(refused(
            record.payload,
            format!(
                "the {REPLY_TOPIC_HEADER} header is not a topic name (1 to 249 of a-z, A-Z, 0-9, '.', '_', '-') other than the app's ingress, internal, dead-letter and snapshot topics: {:?}",
                String::from_utf8_lossy(record.reply_topic.unwrap_or_default())
            ),
        )),
        (Some(_), Some(b"dump")) => {
            return Ok(vec![internal(here, Message::DumpAll { reply })?]);
        }
        (Some(_), Some(other)) => Routed::Answer(refused(
            record.payload,
            format!(
                "unknown {CONTROL_HEADER} header {:?} (the one control record is \"dump\")",
                String::from_utf8_lossy(other)
            ),
        )),
        (Some(_), None) => route(interp, record.payload, reply, partitions),
    };
    match routed {
        Routed::Forward { message, .. } => Ok(vec![internal(here, message)?]),
        Routed::Answer(result) => {
            let mut bytes = Vec::new();
            result.write_json(&mut bytes).map_err(|e| e.to_string())?;
            Ok(vec![
                internal(here, Message::Skip)?,
                match key.zip(reply_topic) {
                    Some((k, reply_topic)) => OutRecord {
                        topic: reply_topic,
                        partition: None,
                        key: Some(k),
                        payload: bytes,
                    },
                    // A dead letter is keyed by its source record: routing the record again
                    // (after a takeover) publishes it again under the same key.
                    None => OutRecord {
                        topic: topics.dead_letter.clone(),
                        partition: None,
                        key: Some(format!("{}/{}", record.partition, record.offset)),
                        payload: json_bytes(&json!({
                            "error": result.to_json().get("error").cloned().unwrap_or(Json::Null),
                            "record": String::from_utf8_lossy(record.payload),
                            "partition": record.partition,
                            "offset": record.offset,
                        }))?,
                    },
                },
            ])
        }
    }
}

/// The answer to a record refused for its headers: `InvalidRequest`, with the id of its payload
/// when it has one.
fn refused(payload: &[u8], message: String) -> InvocationResult {
    let id = serde_json::from_slice::<Json>(payload)
        .ok()
        .and_then(|v| v.get("id").cloned())
        .unwrap_or(Json::Null);
    InvocationResult {
        id,
        seq: None,
        outcome: Err(ErrorReport::new("InvalidRequest", message)),
    }
}

/// Whether `name` can be a Kafka topic's name.
fn is_topic_name(name: &str) -> bool {
    (1..=249).contains(&name.len())
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The internal record a front door sends straight to the partition owning an invocation's
/// entity: the invocation (contract JSON) as the door's `n`-th message to that partition, its
/// result going to `reply_topic` under the correlation id `key`.
pub fn door_record(
    topics: &Topics,
    partition: u32,
    door: u64,
    n: u64,
    reply_topic: &str,
    key: &str,
    invocation: Json,
) -> Result<OutRecord, String> {
    Ok(OutRecord {
        topic: topics.internal.clone(),
        partition: Some(partition as i32),
        key: None,
        payload: json_bytes(&Envelope {
            channel: Channel::Door { door, n },
            body: Message::Invoke {
                reply: json!({"topic": reply_topic, "key": key}),
                invocation,
            },
        })?,
    })
}

/// The record of a reply to a client.
fn reply_record(topics: &Topics, reply: &Json, payload: Vec<u8>) -> OutRecord {
    OutRecord {
        topic: reply
            .get("topic")
            .and_then(Json::as_str)
            .unwrap_or(&topics.egress)
            .to_string(),
        partition: None,
        key: reply.get("key").and_then(Json::as_str).map(str::to_string),
        payload,
    }
}

/// The records of a partition's outputs, in order. A result larger than a record may be is
/// replaced by a `ResultTooLarge` error (deterministically, so every attempt answers the same).
/// An [`Output::Gap`] is the transport's to handle (re-read the input), not a record: an error.
pub fn output_records(
    topics: &Topics,
    partitions: u32,
    outputs: Vec<Output>,
) -> Result<Vec<OutRecord>, String> {
    let mut records = Vec::with_capacity(outputs.len());
    for output in outputs {
        records.push(match output {
            Output::Send { to, envelope } => OutRecord {
                topic: topics.internal.clone(),
                partition: Some(to as i32),
                key: None,
                payload: json_bytes(&envelope)?,
            },
            Output::Result { reply, result } => {
                let mut bytes = Vec::new();
                result.write_json(&mut bytes).map_err(|e| e.to_string())?;
                if bytes.len() > MAX_MESSAGE_BYTES - 1024 {
                    let too_large = InvocationResult {
                        outcome: Err(ErrorReport::new(
                            "ResultTooLarge",
                            format!(
                                "the result takes {} bytes, more than a record may ({MAX_MESSAGE_BYTES})",
                                bytes.len()
                            ),
                        )),
                        ..result
                    };
                    bytes.clear();
                    too_large
                        .write_json(&mut bytes)
                        .map_err(|e| e.to_string())?;
                }
                reply_record(topics, &reply, bytes)
            }
            Output::DoorGap {
                door,
                expected,
                got,
            } => {
                return Err(format!(
                    "message {got} from front door {door:x} arrived before {expected}: the transport must deliver the channel again"
                ))
            }
            Output::Gap {
                from,
                expected,
                got,
            } => {
                return Err(format!(
                    "message {got} from partition {from} arrived before {expected}: the transport must deliver the channel again"
                ))
            }
            Output::IngressGap {
                partition,
                expected,
            } => {
                return Err(format!(
                    "a record of ingress partition {partition} arrived before offset {expected}: the transport must deliver the channel again"
                ))
            }
            Output::Dump {
                reply,
                partition,
                state,
            } => {
                let part = json!({"dump": {"partition": partition, "partitions": partitions, "state": state}});
                reply_record(topics, &reply, json_bytes(&part)?)
            }
        });
    }
    Ok(records)
}
