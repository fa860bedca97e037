//! The Kafka backend: an application's entities run as partition workers in a consumer group
//! around a Kafka-protocol broker, with exactly-once processing.
//!
//! Topics (prefix `app`, default `entiflow.<program name>`): `.ingress` (client invocations, any
//! partition), `.internal` (everything addressed to one state partition: forwarded invocations,
//! calls, replies, locks' traffic; one topic partition per state partition), `.egress` (results,
//! keyed by the client's correlation id), `.dead-letter` and `.snapshots` (compacted: partition
//! state checkpoints that shorten restores, see [`snapshot`]). The transaction protocol is
//! [`entiflow_protocol`]'s; this crate moves its envelopes through Kafka and makes each step
//! atomic with a Kafka transaction (see [`worker`]).
//!
//! The crate builds as a plugin (`cdylib`) that the `entiflow` binary loads at run time.

pub mod snapshot;
pub mod worker;

pub use entiflow_kafka_topics::{admin, config, front, records};

use std::sync::Arc;

use ir::Program;
use runtime_common::contract::Invalid;
use runtime_common::plugin::{Backend, Capabilities, Description, Instance, PluginError};
use runtime_common::{Invocation, InvocationResult};
use serde_json::Value as Json;

use crate::config::KafkaConfig;
use crate::front::FrontDoor;
use crate::worker::{spawn_worker, WorkerHandle};

/// The Kafka backend's plugin face.
#[derive(Debug, Default, Clone, Copy)]
pub struct KafkaBackend;

/// The Kafka backend's description.
pub fn description() -> Description {
    Description {
        name: "kafka".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        ir_versions: vec![ir::IR_VERSION.into()],
        capabilities: Capabilities {
            serializable_transactions: true,
            exactly_once: true,
            durability: false,
            distributed: true,
        },
    }
}

struct KafkaInstance {
    front: Option<FrontDoor>,
    workers: Vec<WorkerHandle>,
    entity_names: Vec<String>,
}

impl Backend for KafkaBackend {
    fn describe(&self) -> Description {
        description()
    }

    fn start(&self, program: Program, config: &Json) -> Result<Box<dyn Instance>, PluginError> {
        let config = KafkaConfig::from_json(&program, config)?;
        admin::ensure_topics(&config)
            .and_then(|()| admin::ensure_snapshot_topic(&config))
            .map_err(|e| PluginError::new("Kafka", e))?;
        let entity_names = program.entities.iter().map(|e| e.name.clone()).collect();
        let program = Arc::new(program);
        let front = if config.front_door {
            Some(FrontDoor::connect(&config, program.clone(), true)?)
        } else {
            None
        };
        let workers = (0..config.workers)
            .map(|i| spawn_worker(program.clone(), config.clone(), i))
            .collect();
        Ok(Box::new(KafkaInstance {
            front,
            workers,
            entity_names,
        }))
    }
}

impl KafkaInstance {
    fn front(&mut self) -> Result<&mut FrontDoor, PluginError> {
        self.front.as_mut().ok_or_else(|| {
            PluginError::new(
                "Unsupported",
                "this instance runs workers only (role \"worker\"): it takes no invocations",
            )
        })
    }
}

impl Instance for KafkaInstance {
    fn invoke(
        &mut self,
        batch: Vec<Result<Invocation, Invalid>>,
    ) -> Result<Vec<InvocationResult>, PluginError> {
        self.front()?.invoke(batch)
    }

    fn dump_state(&mut self) -> Result<Json, PluginError> {
        let names = self.entity_names.clone();
        self.front()?.dump_state(&names)
    }

    fn shutdown(&mut self) -> Result<(), PluginError> {
        for w in self.workers.drain(..) {
            w.stop();
        }
        Ok(())
    }
}

runtime_common::export_backend!(KafkaBackend);
