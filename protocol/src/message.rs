//! What travels between partitions.

use runtime_common::contract::{
    crossing_to_tagged, crossing_values_to_tagged, value_from_tagged, values_from_tagged,
};
use runtime_common::{CallOp, ErrorReport, Value};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// Where a client wants its result: opaque to the protocol, defined by the transport (a topic
/// and a record key for Kafka).
pub type ReplyTo = Json;

/// A transaction id: a Lamport clock value and the partition that started the transaction. The
/// order of ids is the age used by wound-wait (smaller is older); a transaction keeps its id when
/// it restarts, so it eventually becomes the oldest and cannot starve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TxnId {
    /// The root partition's clock when the transaction started.
    pub clock: u64,
    /// The root partition.
    pub origin: u32,
}

/// One attempt at running a transaction (a wounded transaction restarts as the next attempt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Attempt {
    /// The transaction.
    pub tid: TxnId,
    /// The attempt number, from 0.
    pub n: u32,
}

/// The channel a message arrived on, and its position there: receivers process each position
/// once and drop repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Sent by another partition: its `n`-th message to this one.
    Peer {
        /// The sending partition.
        from: u32,
        /// The message's number on this channel, from 0.
        n: u64,
    },
    /// Sent by a front door straight to the partition owning the invocation's entity: the
    /// door's `n`-th message to this partition. A door is one client session, named by a
    /// random id; its messages to one partition must arrive in order, as a peer's do.
    Door {
        /// The front door's id.
        door: u64,
        /// The message's number on this channel, from 0.
        n: u64,
    },
    /// Forwarded from a client: the record at `offset` of ingress partition `partition`. Every
    /// record of an ingress partition goes to the state partition of the same index (which passes
    /// an invocation on to the partition owning its entity), so the offsets of this channel are
    /// consecutive and a jump means a record was missed. Ingress records must therefore be
    /// produced without transactions (a commit marker takes an offset).
    Ingress {
        /// The ingress partition.
        partition: u32,
        /// The record's offset there.
        offset: u64,
    },
}

/// A message with its channel position.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// Where the message comes from.
    pub channel: Channel,
    /// The message.
    pub body: Message,
}

/// A remote call's request, with values in tagged JSON (the copy a call across entities makes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireOp {
    /// Invoke a method.
    Invoke {
        /// The method.
        method: String,
        /// Positional arguments (one group: shared containers stay shared).
        args: Vec<Json>,
        /// Keyword argument names.
        kwarg_names: Vec<String>,
        /// Keyword argument values (one group).
        kwarg_values: Vec<Json>,
    },
    /// Read a field.
    GetField(String),
}

impl WireOp {
    /// Encodes a call.
    pub fn from_op(op: &CallOp) -> WireOp {
        match op {
            CallOp::Invoke {
                method,
                args,
                kwargs,
            } => {
                let (names, values): (Vec<String>, Vec<Value>) = kwargs.iter().cloned().unzip();
                WireOp::Invoke {
                    method: method.clone(),
                    args: crossing_values_to_tagged(args),
                    kwarg_names: names,
                    kwarg_values: crossing_values_to_tagged(&values),
                }
            }
            CallOp::GetField(f) => WireOp::GetField(f.clone()),
        }
    }

    /// Decodes a call.
    pub fn to_op(&self) -> Result<CallOp, String> {
        Ok(match self {
            WireOp::Invoke {
                method,
                args,
                kwarg_names,
                kwarg_values,
            } => CallOp::Invoke {
                method: method.clone(),
                args: values_from_tagged(args)?,
                kwargs: kwarg_names
                    .iter()
                    .cloned()
                    .zip(values_from_tagged(kwarg_values)?)
                    .collect(),
            },
            WireOp::GetField(f) => CallOp::GetField(f.clone()),
        })
    }
}

/// How a remote call ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireOutcome {
    /// It returned this value (tagged JSON).
    Return(Json),
    /// It raised this exception (tagged JSON); the caller may catch it.
    Raise(Json),
    /// The transaction cannot go on (a missing entity): uncatchable, it fails at the root.
    Fatal {
        /// The error type.
        kind: String,
        /// The message.
        message: String,
    },
}

impl WireOutcome {
    /// Encodes a reply.
    pub fn from_reply(reply: Result<Value, Value>) -> WireOutcome {
        match reply {
            Ok(v) => WireOutcome::Return(crossing_to_tagged(&v)),
            Err(e) => WireOutcome::Raise(crossing_to_tagged(&e)),
        }
    }

    /// Decodes a reply: `Ok(reply)` for the caller's frame, `Err` for a fatal error.
    pub fn to_reply(&self) -> Result<Result<Value, Value>, ErrorReport> {
        let decode = |j: &Json| {
            value_from_tagged(j)
                .map_err(|e| ErrorReport::new("RuntimeError", format!("undecodable reply: {e}")))
        };
        match self {
            WireOutcome::Return(j) => Ok(Ok(decode(j)?)),
            WireOutcome::Raise(j) => Ok(Err(decode(j)?)),
            WireOutcome::Fatal { kind, message } => Err(ErrorReport::new(kind, message.clone())),
        }
    }
}

/// A finished transaction's result, for partition 0 to send with the `seq` it grants.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Answer {
    /// The result without its `seq` (contract JSON).
    pub result: Json,
    /// Where it goes.
    pub replies: Vec<ReplyTo>,
}

/// The messages of the protocol.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    /// A client invocation (contract JSON), for the partition of the entity it addresses.
    Invoke {
        /// Where its result goes.
        reply: ReplyTo,
        /// The invocation.
        invocation: Json,
    },
    /// A client's request for the whole state dump: sent on as [`Message::Dump`] to every
    /// partition.
    DumpAll {
        /// Where the parts go.
        reply: ReplyTo,
    },
    /// An ingress record answered where it was read (malformed): it only takes its place in the
    /// ingress channel.
    Skip,
    /// A request for this partition's part of the state dump, answered when no transaction
    /// holds a lock here.
    Dump {
        /// Where the part goes.
        reply: ReplyTo,
    },
    /// A remote call: run `op` on an entity of this partition for a transaction.
    Call {
        /// The transaction attempt.
        at: Attempt,
        /// The partition coordinating the transaction.
        root: u32,
        /// The partition to reply to.
        caller: u32,
        /// The calling entity's type (private methods are visible to their own type).
        caller_type: String,
        /// The target's type.
        entity: String,
        /// The target's key (tagged JSON).
        key: Json,
        /// What is asked.
        op: WireOp,
        /// The call depth so far (frames on the transaction's stack).
        depth: u32,
        /// Blocks the attempt has run so far, on every partition (its step budget).
        #[serde(default)]
        steps: u64,
    },
    /// The end of a remote call.
    Reply {
        /// The transaction attempt.
        at: Attempt,
        /// How the call ended.
        outcome: WireOutcome,
        /// Every partition the call's subtree locked something on.
        participants: Vec<u32>,
        /// Blocks the attempt has run so far, on every partition.
        #[serde(default)]
        steps: u64,
    },
    /// To the root: this partition now holds state for the attempt (so an abort reaches it).
    Joined {
        /// The transaction attempt.
        at: Attempt,
        /// The participant.
        partition: u32,
    },
    /// To the root: an older transaction waits for a lock this attempt holds; abort it.
    Wound {
        /// The attempt to abort.
        at: Attempt,
    },
    /// To partition 0: the attempt is finished and holds all its locks; give it its `seq`.
    SeqRequest {
        /// The transaction attempt.
        at: Attempt,
        /// Where to send the grant.
        root: u32,
        /// The result and the clients waiting for it: partition 0 answers them with the `seq`
        /// it grants, one hop sooner than the root could.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer: Option<Answer>,
    },
    /// From partition 0: the attempt's `seq`.
    SeqGrant {
        /// The transaction attempt.
        at: Attempt,
        /// Its position in the serial order.
        seq: u64,
    },
    /// From the root: publish (`commit`) or discard the attempt's writes, and release its locks.
    Finish {
        /// The transaction attempt.
        at: Attempt,
        /// Whether its writes are kept.
        commit: bool,
    },
}
