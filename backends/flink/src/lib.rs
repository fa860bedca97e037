//! The Flink backend: an application runs as a Flink job around the Kafka backend's topics.
//!
//! The job (Java, `java/`) is generic: a Kafka source of invocations feeding a stateless router,
//! a Kafka source of the internal topic keyed by state partition feeding a keyed operator, and a
//! transactional Kafka sink. Both operators call this library through JNI ([`jni`]), so the
//! interpreter and the transaction protocol ([`entiflow_protocol`]) are the very ones every other
//! backend runs; the job jar bundles the library and the program's IR ([`job`]). The plugin
//! builds that jar, submits it through the JobManager's REST API ([`rest`]) and is the front door
//! (the Kafka backend's), cancelling the job when the instance shuts down.

pub mod config;
pub mod jni;
pub mod job;
pub mod rest;

use std::path::{Path, PathBuf};
use std::time::Duration;

use entiflow_kafka_topics::admin;
use entiflow_kafka_topics::front::FrontDoor;
use ir::Program;
use runtime_common::contract::Invalid;
use runtime_common::plugin::{
    ir_artifacts, Artifacts, Backend, Capabilities, Description, Instance, PluginError,
};
use runtime_common::{Invocation, InvocationResult};
use serde_json::Value as Json;

use crate::config::FlinkConfig;
use crate::job::{build_jar, own_library, run_script, Toolchain, ENTRY_CLASS};
use crate::rest::JobManager;

/// The Flink backend's plugin face.
#[derive(Debug, Default, Clone, Copy)]
pub struct FlinkBackend;

/// The Flink backend's description.
pub fn description() -> Description {
    Description {
        name: "flink".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        ir_versions: vec![ir::IR_VERSION.into()],
        capabilities: Capabilities {
            serializable_transactions: true,
            exactly_once: true,
            durability: true,
            distributed: true,
        },
    }
}

/// With `ENTIFLOW_FLINK_TRACE` set: how long each phase of starting and stopping a job took.
fn trace(started: std::time::Instant, what: &str) {
    if std::env::var_os("ENTIFLOW_FLINK_TRACE").is_some() {
        eprintln!("[flink] {:>8.3} s  {what}", started.elapsed().as_secs_f64());
    }
}

fn flink_error(e: impl std::fmt::Display) -> PluginError {
    PluginError::new("Flink", e.to_string())
}

/// Builds the job jar of `program` at `jar`.
pub fn build_job(
    program: &Program,
    flink_home: Option<PathBuf>,
    connector_dir: Option<PathBuf>,
    jar: &Path,
) -> Result<(), PluginError> {
    let toolchain = Toolchain::new(flink_home, connector_dir)
        .map_err(|e| PluginError::new("InvalidConfig", e))?;
    let library = own_library().map_err(flink_error)?;
    let cache = std::env::temp_dir().join("entiflow-flink").join("cache");
    build_jar(&toolchain, &cache, program, &library, jar).map_err(flink_error)
}

/// A submitted job: where it runs and its ids.
pub struct SubmittedJob {
    /// The JobManager.
    pub jobmanager: JobManager,
    /// The uploaded jar's id.
    pub jar_id: String,
    /// The job's id.
    pub job_id: String,
}

impl SubmittedJob {
    /// Cancels the job and deletes its jar.
    pub fn cancel(&self) -> Result<(), String> {
        let started = std::time::Instant::now();
        self.jobmanager.cancel(&self.job_id)?;
        trace(started, "job cancelled");
        self.jobmanager.delete_jar(&self.jar_id)
    }
}

/// Creates the topics, builds (or takes) the job jar and runs the job until its tasks run.
pub fn submit(program: &Program, config: &FlinkConfig) -> Result<SubmittedJob, PluginError> {
    let started = std::time::Instant::now();
    let jobmanager = JobManager::new(&config.jobmanager);
    jobmanager.overview().map_err(|e| {
        PluginError::new(
            "Flink",
            format!("{e} (start a local cluster with `cargo xtask services up flink`, or pass --backend-opt jobmanager=HOST:PORT)"),
        )
    })?;
    admin::ensure_topics(&config.kafka).map_err(|e| PluginError::new("Kafka", e))?;
    trace(started, "topics ready");
    let jar_id = match &config.job_jar {
        Some(jar) => {
            trace(started, "job jar given");
            jobmanager.upload(jar).map_err(flink_error)?
        }
        None => {
            let jar = std::env::temp_dir()
                .join("entiflow-flink")
                .join(config.app())
                .join("job.jar");
            build_job(
                program,
                config.flink_home.clone(),
                config.connector_dir.clone(),
                &jar,
            )?;
            trace(started, "job jar built");
            let uploaded = jobmanager.upload(&jar).map_err(flink_error);
            // The cluster keeps its copy.
            let _ = std::fs::remove_file(&jar);
            uploaded?
        }
    };
    trace(started, "job jar uploaded");
    let job_id = jobmanager
        .run(
            &jar_id,
            ENTRY_CLASS,
            &config.job_args(),
            config.restore_from.as_deref(),
        )
        .map_err(flink_error)?;
    trace(started, "job submitted");
    let submitted = SubmittedJob {
        jobmanager,
        jar_id,
        job_id,
    };
    if let Err(e) = submitted
        .jobmanager
        .wait_running(&submitted.job_id, Duration::from_secs(120))
    {
        let _ = submitted.cancel();
        return Err(flink_error(e));
    }
    trace(started, "job running");
    Ok(submitted)
}

struct FlinkInstance {
    front: FrontDoor,
    job: Option<SubmittedJob>,
    entity_names: Vec<String>,
}

impl Backend for FlinkBackend {
    fn describe(&self) -> Description {
        description()
    }

    /// The IR, a run script and, with `output_dir` in the options, the job jar and this library
    /// written there.
    fn compile(&self, program: &Program, options: &Json) -> Result<Artifacts, PluginError> {
        let mut artifacts = ir_artifacts(program);
        let Some(dir) = options.get("output_dir").and_then(Json::as_str) else {
            return Err(PluginError::new(
                "InvalidConfig",
                "the Flink backend writes a job jar: compile needs an output directory",
            ));
        };
        // The job's topics and sizes are fixed at run time (run.sh); only the build settings
        // matter here.
        let mut settings = serde_json::Map::new();
        settings.insert("brokers".into(), "unused-at-compile-time:0".into());
        settings.extend(options.as_object().cloned().unwrap_or_default());
        settings.remove("output_dir");
        let config = FlinkConfig::from_json(program, &Json::Object(settings))?;
        let dir = PathBuf::from(dir);
        build_job(
            program,
            config.flink_home.clone(),
            config.connector_dir.clone(),
            &dir.join("job.jar"),
        )?;
        let library = own_library().map_err(flink_error)?;
        std::fs::copy(&library, dir.join("libentiflow_flink.so")).map_err(flink_error)?;
        artifacts.insert("run.sh".into(), run_script(config.kafka.partitions));
        artifacts.insert("app.txt".into(), format!("{}\n", config.app()));
        Ok(artifacts)
    }

    fn start(&self, program: Program, config: &Json) -> Result<Box<dyn Instance>, PluginError> {
        let config = FlinkConfig::from_json(&program, config)?;
        let job = if config.submit {
            Some(submit(&program, &config)?)
        } else {
            admin::ensure_topics(&config.kafka).map_err(|e| PluginError::new("Kafka", e))?;
            None
        };
        let entity_names = program.entities.iter().map(|e| e.name.clone()).collect();
        // Through the ingress topic: the job's failure drills are proven on that path; the
        // Kafka workers take the direct one.
        let front = match FrontDoor::connect(&config.kafka, std::sync::Arc::new(program), false) {
            Ok(f) => f,
            Err(e) => {
                if let Some(job) = job {
                    let _ = job.cancel();
                }
                return Err(e);
            }
        };
        Ok(Box::new(FlinkInstance {
            front,
            job,
            entity_names,
        }))
    }
}

impl Instance for FlinkInstance {
    fn invoke(
        &mut self,
        batch: Vec<Result<Invocation, Invalid>>,
    ) -> Result<Vec<InvocationResult>, PluginError> {
        self.front.invoke(batch)
    }

    fn dump_state(&mut self) -> Result<Json, PluginError> {
        self.front.dump_state(&self.entity_names)
    }

    fn shutdown(&mut self) -> Result<(), PluginError> {
        match self.job.take() {
            Some(job) => job.cancel().map_err(flink_error),
            None => Ok(()),
        }
    }
}

impl Drop for FlinkInstance {
    fn drop(&mut self) {
        if let Some(job) = self.job.take() {
            let _ = job.cancel();
        }
    }
}

runtime_common::export_backend!(FlinkBackend);
