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
use runtime_common::plugin::{
    ir_artifacts, Artifacts, Backend, Capabilities, Description, Instance, PluginError,
};
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

/// The topics and consumer group of an application, as JSON.
fn deployment_plan(config: &KafkaConfig) -> String {
    let topics: Vec<Json> = config
        .data_topics()
        .into_iter()
        .chain([config.snapshot_topic()])
        .map(|t| {
            serde_json::json!({
                "role": t.role,
                "name": t.name,
                "partitions": t.partitions,
                "cleanup_policy": if t.compacted { "compact" } else { "delete" },
            })
        })
        .collect();
    let plan = serde_json::json!({
        "app": config.topics.app,
        "consumer_group": config.group_id(),
        "state_partitions": config.partitions,
        "topics": topics,
    });
    let mut text = serde_json::to_string_pretty(&plan).unwrap_or_default();
    text.push('\n');
    text
}

/// A script that starts one worker process of the application.
fn worker_script(config: &KafkaConfig) -> String {
    let app = &config.topics.app;
    let partitions = config.partitions;
    format!(
        r#"#!/usr/bin/env bash
# Starts a worker process of this application: it joins consumer group {group}
# and processes its share of the {partitions} state partitions until SIGTERM. Start one per machine,
# or more; they rebalance as they come and go. The topics are created by the first process.
#   BROKERS=HOST:PORT bash worker.sh APP.py [--threads N] [--backend-opt KEY=VALUE ...]
# ENTIFLOW names the entiflow binary (default: entiflow on PATH).
set -euo pipefail
: "${{BROKERS:?set BROKERS to the Kafka bootstrap address}}"
app_file="${{1:?usage: BROKERS=HOST:PORT bash worker.sh APP.py [OPTIONS]}}"
shift
exec "${{ENTIFLOW:-entiflow}}" kafka worker "$app_file" --brokers "$BROKERS" --partitions {partitions} --topics {app} "$@"
"#,
        group = config.group_id(),
    )
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

    /// The IR, the application's deployment plan (`kafka.json`: topic prefix, consumer group,
    /// every topic with its partitions and cleanup policy) and `worker.sh`, which starts a
    /// worker process of the application. Build settings are start settings (`app`,
    /// `partitions`, ...); no broker is contacted.
    fn compile(&self, program: &Program, options: &Json) -> Result<Artifacts, PluginError> {
        let mut settings = serde_json::Map::new();
        settings.insert("brokers".into(), "unused-at-compile-time:0".into());
        settings.extend(options.as_object().cloned().unwrap_or_default());
        settings.remove("output_dir");
        let config = KafkaConfig::from_json(program, &Json::Object(settings))?;
        let mut artifacts = ir_artifacts(program);
        artifacts.insert("kafka.json".into(), deployment_plan(&config));
        artifacts.insert("worker.sh".into(), worker_script(&config));
        Ok(artifacts)
    }

    fn start(&self, program: Program, config: &Json) -> Result<Box<dyn Instance>, PluginError> {
        let fresh = config.get("fresh_state").and_then(Json::as_bool) == Some(true);
        let config = KafkaConfig::from_json(&program, config)?;
        if fresh && (!config.front_door || config.workers == 0) {
            return Err(PluginError::new(
                "InvalidConfig",
                "'fresh_state' makes up a new topic prefix that no other process can know: it \
                 needs a front door with embedded workers; to run workers apart, give every \
                 process the same 'app' instead",
            ));
        }
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
