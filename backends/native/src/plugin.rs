//! The native engine as a backend plugin: the same engine, behind the plugin ABI of
//! `runtime_common::plugin`, exported by the `cdylib` build of this crate.
//!
//! Start configuration (all optional): `dedup_window` (ids remembered for deduplication),
//! `data_dir` (make the instance durable there: recovers what it holds, then logs every batch
//! before answering), `snapshot_every` (epochs) and `snapshot_log_bytes`, `workers` (as for
//! `entiflow exec`: 1 runs each epoch serially, more partition the state over that many threads).

use std::path::PathBuf;
use std::rc::Rc;

use ir::Program;
use runtime_common::contract::Invalid;
use runtime_common::plugin::{
    config_u64, Backend, Capabilities, Description, Instance, PluginError,
};
use runtime_common::{Invocation, InvocationResult};
use serde_json::Value as Json;

use crate::{DurabilityConfig, DurableEngine, Engine, EngineConfig, Executor, ParallelEngine};

/// The native engine's plugin face.
#[derive(Debug, Default, Clone, Copy)]
pub struct NativeBackend;

/// The native engine's description.
pub fn description() -> Description {
    Description {
        name: "native".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        ir_versions: vec![ir::IR_VERSION.into()],
        capabilities: Capabilities {
            serializable_transactions: true,
            exactly_once: true,
            durability: true,
            distributed: false,
        },
    }
}

enum Running {
    Memory(Box<dyn Executor>),
    Durable(Box<DurableEngine>),
}

struct NativeInstance {
    engine: Running,
}

impl Backend for NativeBackend {
    fn describe(&self) -> Description {
        description()
    }

    fn start(&self, program: Program, config: &Json) -> Result<Box<dyn Instance>, PluginError> {
        if !config.is_object() {
            return Err(PluginError::new(
                "InvalidConfig",
                "the configuration must be a JSON object",
            ));
        }
        let workers = config_u64(config, "workers")?.unwrap_or(1).max(1) as usize;
        let mut engine_config = EngineConfig::default();
        if let Some(window) = config_u64(config, "dedup_window")? {
            engine_config.dedup_window = window as usize;
        }
        if let Some(steps) = config_u64(config, "max_steps")? {
            engine_config.max_steps = steps;
        }
        let executor: Box<dyn Executor> = if workers == 1 {
            Box::new(Engine::new(Rc::new(program.clone()), engine_config))
        } else {
            Box::new(ParallelEngine::new(
                std::sync::Arc::new(program.clone()),
                engine_config,
                workers,
            ))
        };
        let engine = match config.get("data_dir") {
            None | Some(Json::Null) => Running::Memory(executor),
            Some(Json::String(dir)) => {
                let mut durability = DurabilityConfig::new(PathBuf::from(dir));
                if let Some(n) = config_u64(config, "snapshot_every")? {
                    durability.snapshot_every = n;
                }
                if let Some(n) = config_u64(config, "snapshot_log_bytes")? {
                    durability.snapshot_log_bytes = n;
                }
                let engine =
                    DurableEngine::open_with(executor, &program, durability).map_err(|e| {
                        PluginError::new(
                            "Durability",
                            format!("cannot open data directory {dir}: {e}"),
                        )
                    })?;
                Running::Durable(Box::new(engine))
            }
            Some(_) => {
                return Err(PluginError::new(
                    "InvalidConfig",
                    "'data_dir' must be a string",
                ))
            }
        };
        Ok(Box::new(NativeInstance { engine }))
    }
}

impl Instance for NativeInstance {
    fn invoke(
        &mut self,
        batch: Vec<Result<Invocation, Invalid>>,
    ) -> Result<Vec<InvocationResult>, PluginError> {
        match &mut self.engine {
            Running::Memory(e) => Ok(e.execute(batch)),
            Running::Durable(d) => d
                .execute(batch)
                .map_err(|e| PluginError::new("Durability", format!("cannot write the log: {e}"))),
        }
    }

    fn dump_state(&mut self) -> Result<Json, PluginError> {
        Ok(match &self.engine {
            Running::Memory(e) => e.dump_state(),
            Running::Durable(d) => d.engine().dump_state(),
        })
    }

    fn shutdown(&mut self) -> Result<(), PluginError> {
        match &mut self.engine {
            Running::Memory(_) => Ok(()),
            Running::Durable(d) => d
                .snapshot()
                .map_err(|e| PluginError::new("Durability", format!("final snapshot failed: {e}"))),
        }
    }
}

runtime_common::export_backend!(NativeBackend);
