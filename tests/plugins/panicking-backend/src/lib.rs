//! A faulty backend plugin: it describes itself and starts normally, then panics on every batch
//! it is asked to run. The host must report the panic as an error and keep running.

use ir::Program;
use runtime_common::contract::Invalid;
use runtime_common::plugin::{Backend, Capabilities, Description, Instance, PluginError};
use runtime_common::{Invocation, InvocationResult};
use serde_json::Value as Json;

/// The faulty backend.
pub struct PanickingBackend;

struct PanickingInstance;

impl Backend for PanickingBackend {
    fn describe(&self) -> Description {
        Description {
            name: "panicking".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            ir_versions: vec![ir::IR_VERSION.into()],
            // Declares nothing: the conformance command must say so.
            capabilities: Capabilities::default(),
        }
    }

    fn start(&self, _program: Program, _config: &Json) -> Result<Box<dyn Instance>, PluginError> {
        Ok(Box::new(PanickingInstance))
    }
}

impl Instance for PanickingInstance {
    fn invoke(
        &mut self,
        batch: Vec<Result<Invocation, Invalid>>,
    ) -> Result<Vec<InvocationResult>, PluginError> {
        panic!(
            "deliberate panic in invoke (a batch of {} invocations)",
            batch.len()
        );
    }

    fn dump_state(&mut self) -> Result<Json, PluginError> {
        Ok(Json::Object(Default::default()))
    }
}

runtime_common::export_backend!(PanickingBackend);
