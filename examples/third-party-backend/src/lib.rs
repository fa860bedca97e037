//! `serial`: an example entiflow backend built as a plugin outside the entiflow workspace.
//!
//! It runs every invocation as one transaction, one after another in input order, on the
//! interpreter that `runtime-common` provides (see [`engine`]). The plugin glue is this file:
//! a [`Backend`] that describes itself and starts instances, an [`Instance`] that runs batches
//! and dumps state, and one `export_backend!` line.

pub mod engine;

use ir::Program;
use runtime_common::contract::Invalid;
use runtime_common::plugin::{Backend, Capabilities, Description, Instance, PluginError};
use runtime_common::{Invocation, InvocationResult};
use serde_json::Value as Json;

use crate::engine::SerialEngine;

/// The backend: a factory of engines.
#[derive(Debug, Default)]
pub struct SerialBackend;

impl Backend for SerialBackend {
    fn describe(&self) -> Description {
        Description {
            name: "serial".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            // The IR this crate was compiled against; the host refuses programs it cannot read.
            ir_versions: vec![ir::IR_VERSION.into()],
            capabilities: Capabilities {
                serializable_transactions: true,
                exactly_once: false,
                durability: false,
                distributed: false,
            },
        }
    }

    fn start(&self, program: Program, config: &Json) -> Result<Box<dyn Instance>, PluginError> {
        // Refuse what this engine cannot honour; ignore keys it does not know.
        if config.get("data_dir").is_some_and(|d| !d.is_null()) {
            return Err(PluginError::new(
                "Unsupported",
                "the serial backend keeps state in memory only (no data_dir)",
            ));
        }
        if config
            .get("workers")
            .and_then(Json::as_u64)
            .is_some_and(|w| w != 1)
        {
            return Err(PluginError::new(
                "Unsupported",
                "the serial backend runs on one thread",
            ));
        }
        Ok(Box::new(SerialInstance {
            engine: SerialEngine::new(program),
        }))
    }
}

/// One running engine.
struct SerialInstance {
    engine: SerialEngine,
}

impl Instance for SerialInstance {
    fn invoke(
        &mut self,
        batch: Vec<Result<Invocation, Invalid>>,
    ) -> Result<Vec<InvocationResult>, PluginError> {
        Ok(batch.into_iter().map(|inv| self.engine.run(inv)).collect())
    }

    fn dump_state(&mut self) -> Result<Json, PluginError> {
        Ok(self.engine.dump_state())
    }
}

runtime_common::export_backend!(SerialBackend);
