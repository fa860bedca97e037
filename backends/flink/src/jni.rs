//! The functions the Flink job's operators call through JNI (class `entiflow.flink.Native`).
//!
//! A handle is one operator instance's state: the program, the topic names and the state
//! partitions it has loaded. Every call on a handle comes from the operator's task thread. Errors
//! and panics become a Java `RuntimeException` (the task fails and Flink restarts it from the
//! last checkpoint); nothing unwinds into the JVM.
//!
//! Outputs cross as one byte array of records, each: topic length (u32, big-endian), topic
//! (UTF-8), partition (i32, -1 for none), key length (i32, -1 for none), key, payload length
//! (u32), payload.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use entiflow_kafka_topics::config::Topics;
use entiflow_kafka_topics::records::{
    ingress_records, output_records, partition_config, IngressRecord, OutRecord,
};
use entiflow_protocol::{Envelope, Output, Partition, PartitionConfig};
use ir::Program;
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jboolean, jbyteArray, jint, jlong, JNI_FALSE, JNI_TRUE};
use jni::JNIEnv;
use runtime_common::Interpreter;
use serde_json::Value as Json;

/// One operator instance's state.
pub struct JobState {
    program: Arc<Program>,
    topics: Topics,
    partitions: u32,
    config: PartitionConfig,
    loaded: BTreeMap<u32, Partition>,
}

impl JobState {
    /// A handle's state for `program` (IR JSON) on the topics of `app`.
    pub fn new(
        program_json: &[u8],
        app: &str,
        partitions: u32,
        dedup_window: usize,
    ) -> Result<JobState, String> {
        let program =
            Program::from_json(program_json).map_err(|e| format!("unreadable IR: {e}"))?;
        Ok(JobState {
            program: Arc::new(program),
            topics: Topics::for_app(app),
            partitions: partitions.max(1),
            config: partition_config(dedup_window),
            loaded: BTreeMap::new(),
        })
    }

    /// The records an ingress record turns into.
    pub fn route(&self, record: IngressRecord<'_>) -> Result<Vec<OutRecord>, String> {
        let interp = Interpreter::new(&self.program);
        ingress_records(&interp, &self.topics, self.partitions, record)
    }

    fn partition(&mut self, p: u32) -> Result<&mut Partition, String> {
        self.loaded
            .get_mut(&p)
            .ok_or_else(|| format!("state partition {p} is not loaded"))
    }

    /// Whether partition `p` is loaded in this instance.
    pub fn is_loaded(&self, p: u32) -> bool {
        self.loaded.contains_key(&p)
    }

    /// Loads partition `p` from a checkpoint, or empty.
    pub fn restore(&mut self, p: u32, checkpoint: Option<&[u8]>) -> Result<(), String> {
        if p >= self.partitions {
            return Err(format!("state partition {p} of {}", self.partitions));
        }
        let partition = match checkpoint {
            None => Partition::new(
                self.program.clone(),
                p,
                self.partitions,
                self.config.clone(),
            ),
            Some(bytes) => {
                let json: Json = runtime_common::contract::from_slice_unbounded(bytes)
                    .map_err(|e| format!("unreadable checkpoint of partition {p}: {e}"))?;
                Partition::restore(
                    self.program.clone(),
                    p,
                    self.partitions,
                    self.config.clone(),
                    &json,
                )?
            }
        };
        self.loaded.insert(p, partition);
        Ok(())
    }

    /// Processes an internal record of partition `p`; its outputs as records. An undecodable
    /// record is skipped (it has no effect, on every replay alike); a record that arrives ahead
    /// of an earlier message of its channel is an error (the input must be read again).
    pub fn step(&mut self, p: u32, payload: &[u8]) -> Result<Vec<OutRecord>, String> {
        let program = self.program.clone();
        let interp = Interpreter::new(&program);
        self.partition(p)?;
        let envelope = match runtime_common::contract::from_slice_unbounded::<Envelope>(payload) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("entiflow flink: skipping an undecodable record of partition {p}: {e}");
                return Ok(Vec::new());
            }
        };
        let outputs = self.partition(p)?.handle(&interp, envelope);
        // A source stepped over a record: failing the task makes Flink restart the job from its
        // last checkpoint, which reads the partition (and routes the ingress) again from there.
        match outputs.first() {
            Some(Output::Gap {
                from,
                expected,
                got,
            }) => {
                return Err(format!(
                    "state partition {p} got message {got} from partition {from} before {expected}: a record was skipped; restarting from the last checkpoint"
                ))
            }
            Some(Output::DoorGap {
                door,
                expected,
                got,
            }) => {
                return Err(format!(
                    "state partition {p} got message {got} of front door {door:x} before {expected}: a record was skipped; restarting from the last checkpoint"
                ))
            }
            Some(Output::IngressGap {
                partition,
                expected,
            }) => {
                return Err(format!(
                    "state partition {p} got a record of ingress partition {partition} before offset {expected}: a record was skipped; restarting from the last checkpoint"
                ))
            }
            _ => {}
        }
        output_records(&self.topics, self.partitions, outputs)
    }

    /// Partition `p`'s checkpoint, if nothing is in flight there.
    pub fn checkpoint(&mut self, p: u32) -> Result<Option<Vec<u8>>, String> {
        Ok(self
            .partition(p)?
            .checkpoint()
            .map(|j| j.to_string().into_bytes()))
    }
}

/// Encodes records for the Java side (see the module documentation).
pub fn encode_records(records: &[OutRecord]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        out.extend_from_slice(&(r.topic.len() as u32).to_be_bytes());
        out.extend_from_slice(r.topic.as_bytes());
        out.extend_from_slice(&r.partition.unwrap_or(-1).to_be_bytes());
        match &r.key {
            Some(k) => {
                out.extend_from_slice(&(k.len() as i32).to_be_bytes());
                out.extend_from_slice(k.as_bytes());
            }
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
        }
        out.extend_from_slice(&(r.payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&r.payload);
    }
    out
}

/// Runs `f`, turning an error or a panic into a pending Java exception and `fallback`.
fn guard<T>(
    env: &mut JNIEnv<'_>,
    fallback: T,
    f: impl FnOnce(&mut JNIEnv<'_>) -> Result<T, String>,
) -> T {
    let outcome = catch_unwind(AssertUnwindSafe(|| f(env)));
    let message = match outcome {
        Ok(Ok(v)) => return v,
        Ok(Err(e)) => e,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            format!("entiflow native code panicked: {what}")
        }
    };
    if !env.exception_check().unwrap_or(false) {
        let _ = env.throw_new("java/lang/RuntimeException", message);
    }
    fallback
}

fn bytes(env: &JNIEnv<'_>, array: &JByteArray<'_>) -> Result<Option<Vec<u8>>, String> {
    if array.is_null() {
        return Ok(None);
    }
    env.convert_byte_array(array)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn to_java(env: &JNIEnv<'_>, data: &[u8]) -> Result<jbyteArray, String> {
    env.byte_array_from_slice(data)
        .map(|a| a.into_raw())
        .map_err(|e| e.to_string())
}

/// # Safety
/// `handle` must come from `open` and not be closed.
unsafe fn state<'a>(handle: jlong) -> Result<&'a mut JobState, String> {
    if handle == 0 {
        return Err("the native handle is closed".into());
    }
    Ok(&mut *(handle as *mut JobState))
}

fn partition_index(p: jint) -> Result<u32, String> {
    u32::try_from(p).map_err(|_| format!("negative partition {p}"))
}

/// `static native long open(byte[] program, String app, int partitions, long dedupWindow)`.
#[no_mangle]
pub extern "system" fn Java_entiflow_flink_Native_open<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    program: JByteArray<'l>,
    app: JString<'l>,
    partitions: jint,
    dedup_window: jlong,
) -> jlong {
    guard(&mut env, 0, |env| {
        let program = bytes(env, &program)?.ok_or("no program")?;
        let app: String = env.get_string(&app).map_err(|e| e.to_string())?.into();
        let state = JobState::new(
            &program,
            &app,
            partition_index(partitions)?,
            usize::try_from(dedup_window).unwrap_or(250_000),
        )?;
        Ok(Box::into_raw(Box::new(state)) as jlong)
    })
}

/// `static native void close(long handle)`.
#[no_mangle]
pub extern "system" fn Java_entiflow_flink_Native_close<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    guard(&mut env, (), |_| {
        if handle != 0 {
            // SAFETY: the handle came from `open`, and Java calls close once.
            drop(unsafe { Box::from_raw(handle as *mut JobState) });
        }
        Ok(())
    })
}

/// `static native byte[] route(long handle, int partition, long offset, byte[] key,
/// byte[] replyTopic, byte[] control, byte[] payload)`: the encoded records.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_entiflow_flink_Native_route<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    partition: jint,
    offset: jlong,
    key: JByteArray<'l>,
    reply_topic: JByteArray<'l>,
    control: JByteArray<'l>,
    payload: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        // SAFETY: see `state`.
        let state = unsafe { state(handle)? };
        let key = bytes(env, &key)?;
        let reply_topic = bytes(env, &reply_topic)?;
        let control = bytes(env, &control)?;
        let payload = bytes(env, &payload)?.unwrap_or_default();
        let records = state.route(IngressRecord {
            partition,
            offset,
            key: key.as_deref(),
            reply_topic: reply_topic.as_deref(),
            control: control.as_deref(),
            payload: &payload,
        })?;
        to_java(env, &encode_records(&records))
    })
}

/// `static native boolean loaded(long handle, int partition)`.
#[no_mangle]
pub extern "system" fn Java_entiflow_flink_Native_loaded<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    partition: jint,
) -> jboolean {
    guard(&mut env, JNI_FALSE, |_| {
        // SAFETY: see `state`.
        let state = unsafe { state(handle)? };
        Ok(if state.is_loaded(partition_index(partition)?) {
            JNI_TRUE
        } else {
            JNI_FALSE
        })
    })
}

/// `static native void restore(long handle, int partition, byte[] checkpointOrNull)`.
#[no_mangle]
pub extern "system" fn Java_entiflow_flink_Native_restore<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    partition: jint,
    checkpoint: JByteArray<'l>,
) {
    guard(&mut env, (), |env| {
        // SAFETY: see `state`.
        let state = unsafe { state(handle)? };
        let checkpoint = bytes(env, &checkpoint)?;
        state.restore(partition_index(partition)?, checkpoint.as_deref())
    })
}

/// `static native byte[] step(long handle, int partition, byte[] envelope)`: the encoded
/// records.
#[no_mangle]
pub extern "system" fn Java_entiflow_flink_Native_step<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    partition: jint,
    envelope: JByteArray<'l>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        // SAFETY: see `state`.
        let state = unsafe { state(handle)? };
        let envelope = bytes(env, &envelope)?.unwrap_or_default();
        let records = state.step(partition_index(partition)?, &envelope)?;
        to_java(env, &encode_records(&records))
    })
}

/// `static native byte[] checkpoint(long handle, int partition)`: the partition's checkpoint,
/// or null while something is in flight there.
#[no_mangle]
pub extern "system" fn Java_entiflow_flink_Native_checkpoint<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    partition: jint,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        // SAFETY: see `state`.
        let state = unsafe { state(handle)? };
        match state.checkpoint(partition_index(partition)?)? {
            Some(bytes) => to_java(env, &bytes),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(mut bytes: &[u8]) -> Vec<OutRecord> {
        fn take<'a>(b: &mut &'a [u8], n: usize) -> &'a [u8] {
            let (head, tail) = b.split_at(n);
            *b = tail;
            head
        }
        fn int(b: &mut &[u8]) -> i32 {
            i32::from_be_bytes(take(b, 4).try_into().expect("4 bytes"))
        }
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let n = int(&mut bytes) as usize;
            let topic = String::from_utf8(take(&mut bytes, n).to_vec()).expect("UTF-8");
            let partition = Some(int(&mut bytes)).filter(|p| *p >= 0);
            let key = match int(&mut bytes) {
                -1 => None,
                n => Some(String::from_utf8(take(&mut bytes, n as usize).to_vec()).expect("UTF-8")),
            };
            let n = int(&mut bytes) as usize;
            let payload = take(&mut bytes, n).to_vec();
            out.push(OutRecord {
                topic,
                partition,
                key,
                payload,
            });
        }
        out
    }

    #[test]
    fn records_encode_as_the_java_side_decodes_them() {
        let records = vec![
            OutRecord {
                topic: "t.internal".into(),
                partition: Some(3),
                key: None,
                payload: b"{}".to_vec(),
            },
            OutRecord {
                topic: "t.egress".into(),
                partition: None,
                key: Some("c:1".into()),
                payload: Vec::new(),
            },
        ];
        assert_eq!(decode(&encode_records(&records)), records);
    }

    /// An invocation routed, stepped through its partition, the partition checkpointed and
    /// restored: what the job's operators do, without the JVM.
    #[test]
    fn route_step_checkpoint_restore() {
        let program = frontend_python::compile(
            "from entiflow import entity\n\n@entity\nclass A:\n    def __init__(self, k: str):\n        self.k = k\n        self.n = 0\n    def __key__(self):\n        return self.k\n    def bump(self) -> int:\n        self.n += 1\n        return self.n\n",
            "a.py",
        )
        .expect("compiles");
        let ir = program.to_json();
        let mut state = JobState::new(ir.as_bytes(), "t", 1, 100).expect("state");
        state.restore(0, None).expect("empty partition");
        let mut answers = Vec::new();
        for (offset, line) in [
            r#"{"id":1,"create":"A","args":["a"]}"#,
            r#"{"id":2,"entity":"A","key":"a","method":"bump","args":[]}"#,
        ]
        .into_iter()
        .enumerate()
        {
            let routed = state
                .route(IngressRecord {
                    partition: 0,
                    offset: offset as i64,
                    key: Some(b"c:1"),
                    reply_topic: None,
                    control: None,
                    payload: line.as_bytes(),
                })
                .expect("route");
            assert_eq!(routed.len(), 1);
            assert_eq!(routed[0].topic, "t.internal");
            let mut pending = routed;
            while let Some(r) = pending.pop() {
                if r.topic == "t.internal" {
                    pending.extend(state.step(0, &r.payload).expect("step"));
                } else {
                    answers.push(String::from_utf8(r.payload).expect("UTF-8"));
                }
            }
        }
        assert_eq!(answers.len(), 2);
        assert!(answers[1].contains(r#""result":1"#), "{}", answers[1]);
        let saved = state.checkpoint(0).expect("loaded").expect("quiescent");
        let mut restored = JobState::new(ir.as_bytes(), "t", 1, 100).expect("state");
        restored.restore(0, Some(&saved)).expect("restore");
        let again = restored
            .route(IngressRecord {
                partition: 0,
                offset: 2,
                key: Some(b"c:1"),
                reply_topic: None,
                control: None,
                payload: br#"{"id":3,"entity":"A","key":"a","method":"bump","args":[]}"#,
            })
            .expect("route");
        let out = restored.step(0, &again[0].payload).expect("step");
        assert!(
            String::from_utf8_lossy(&out[0].payload).contains(r#""result":2"#),
            "the restored partition continues from the checkpoint"
        );
        assert!(restored.step(0, b"not json").expect("skipped").is_empty());
        assert!(
            restored.step(1, b"{}").is_err(),
            "partition 1 is not loaded"
        );
    }
}
