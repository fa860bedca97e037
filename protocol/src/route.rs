//! Which partition owns an entity, and where a client invocation goes.

use ir::Program;
use runtime_common::calls::{json_key, run_init};
use runtime_common::contract::{invocation_from_json, request_args, Invalid};
use runtime_common::value::key_text;
use runtime_common::{ErrorReport, Interpreter, InvocationResult, Request};
use serde_json::Value as Json;

use crate::message::{Message, ReplyTo};

/// The partition (of `count`) that owns entity `entity` with canonical key `key`: FNV-1a of
/// both, stable across processes, machines and versions.
pub fn partition_of(entity: &str, key: &str, count: u32) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in entity.bytes().chain([0xff]).chain(key.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % u64::from(count.max(1))) as u32
}

/// Where a client invocation goes.
#[derive(Debug)]
pub enum Routed {
    /// To the partition of the entity it addresses (for a create: of the key `__key__` gives).
    Forward {
        /// The partition.
        to: u32,
        /// The message to deliver there.
        message: Message,
    },
    /// Nowhere: it is invalid, and this is its answer (no `seq`).
    Answer(InvocationResult),
}

fn invalid((id, message): Invalid) -> Routed {
    Routed::Answer(InvocationResult {
        id,
        seq: None,
        outcome: Err(ErrorReport::new("InvalidRequest", message)),
    })
}

/// The partition (of `count`) that runs a valid invocation (contract JSON): the one owning the
/// entity it addresses (for a create: the key `__key__` gives); why it is invalid otherwise.
pub fn owner(interp: &Interpreter<'_>, json: &Json, count: u32) -> Result<u32, Invalid> {
    let program: &Program = interp.program();
    let invocation = invocation_from_json(json.clone(), program)?;
    let (args, kwargs) =
        request_args(&invocation.request, program).map_err(|m| (invocation.id.clone(), m))?;
    Ok(match &invocation.request {
        Request::Call { entity, key, .. } => partition_of(entity, &key_text(&json_key(key)), count),
        Request::Create { entity, .. } => {
            let index = program.entity_index(entity).unwrap_or(0);
            match run_init(interp, index, entity, args, kwargs) {
                Ok((key, _)) => partition_of(entity, &key_text(&key), count),
                // It fails wherever it runs; its root is any fixed partition.
                Err(_) => partition_of(entity, "", count),
            }
        }
    })
}

/// Routes one ingress record (the invocation's contract JSON, as bytes) to its partition, or
/// answers it at once when it is malformed. Deterministic: the same bytes always go the same way.
pub fn route(interp: &Interpreter<'_>, bytes: &[u8], reply: ReplyTo, count: u32) -> Routed {
    // Read as every front door reads a client's JSON (as deep as a result may be, integers
    // beyond 64 bits refused).
    let json: Json = match runtime_common::contract::client_json(bytes) {
        Ok(j) => j,
        Err(e) => return invalid(e),
    };
    let to = match owner(interp, &json, count) {
        Ok(to) => to,
        Err(e) => return invalid(e),
    };
    Routed::Forward {
        to,
        message: Message::Invoke {
            reply,
            invocation: json,
        },
    }
}
