//! The backend's settings: the Kafka side (brokers, topics, partitions: the Kafka backend's own
//! settings) and the Flink side.

use std::path::PathBuf;

use entiflow_kafka_topics::config::KafkaConfig;
use ir::Program;
use runtime_common::plugin::{config_u64, PluginError};
use serde_json::Value as Json;

/// The JobManager's REST address `services up flink` starts by default.
pub const DEFAULT_JOBMANAGER: &str = "127.0.0.1:18081";

/// How the job's Kafka sink delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Kafka transactions committed with Flink checkpoints.
    ExactlyOnce,
    /// Flushed at checkpoints; repeats are dropped by their receivers.
    AtLeastOnce,
}

impl Delivery {
    /// The job argument's spelling.
    pub fn as_arg(self) -> &'static str {
        match self {
            Delivery::ExactlyOnce => "exactly-once",
            Delivery::AtLeastOnce => "at-least-once",
        }
    }
}

/// Settings of an application on Flink.
#[derive(Debug, Clone)]
pub struct FlinkConfig {
    /// Topics, brokers, partitions, front-door timeout (no embedded workers: the job is the worker).
    pub kafka: KafkaConfig,
    /// The JobManager's REST address (`host:port`).
    pub jobmanager: String,
    /// The Flink distribution whose jars the job is compiled against.
    pub flink_home: Option<PathBuf>,
    /// The directory with `flink-connector-kafka.jar` and `kafka-clients.jar`.
    pub connector_dir: Option<PathBuf>,
    /// A job jar built before (`entiflow compile --backend flink`), used instead of building one.
    pub job_jar: Option<PathBuf>,
    /// Checkpoint interval.
    pub checkpoint_ms: u64,
    /// Where checkpoints go (a URI); default: a directory under the system's temporary directory.
    pub checkpoint_dir: String,
    /// A retained checkpoint or savepoint to start from.
    pub restore_from: Option<String>,
    /// The sink's delivery guarantee.
    pub delivery: Delivery,
    /// Logged records after which a quiescent partition is checkpointed into keyed state.
    pub compact_after: u64,
    /// Whether this instance submits the job (and cancels it at shutdown), or only is a front
    /// door of a job run by someone else (`run.sh` of `entiflow compile --backend flink`).
    pub submit: bool,
}

fn string(config: &Json, name: &str) -> Result<Option<String>, PluginError> {
    match config.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(PluginError::new(
            "InvalidConfig",
            format!("'{name}' must be a string"),
        )),
    }
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

impl FlinkConfig {
    /// Reads the start configuration: every setting of the Kafka backend except `workers` and
    /// `role` (the job does the work), and
    /// - `jobmanager`: REST address (default [`DEFAULT_JOBMANAGER`], or `ENTIFLOW_FLINK_JOBMANAGER`);
    /// - `flink_home` (default `FLINK_HOME`), `flink_connector` (default `ENTIFLOW_FLINK_CONNECTOR`):
    ///   what a job is compiled against; `job_jar`: a job built before;
    /// - `checkpoint_ms` (default 1000), `checkpoint_dir`, `restore_from`,
    ///   `delivery` (`exactly-once`, the default, or `at-least-once`), `compact_after` (256);
    /// - `submit` (default true): false makes a front door of a job that runs already.
    pub fn from_json(program: &Program, config: &Json) -> Result<FlinkConfig, PluginError> {
        let mut kafka_side = config.clone();
        if let Some(o) = kafka_side.as_object_mut() {
            if o.contains_key("workers") || o.contains_key("role") {
                return Err(PluginError::new(
                    "InvalidConfig",
                    "'workers' and 'role' are Kafka backend settings; on Flink the job does the work",
                ));
            }
            o.insert("workers".into(), 0.into());
        }
        let kafka = KafkaConfig::from_json(program, &kafka_side)?;
        if kafka.max_steps != runtime_common::interp::DEFAULT_STEP_LIMIT {
            return Err(PluginError::new(
                "InvalidConfig",
                format!(
                    "the Flink job runs transactions with the default step limit ({}); \
                     'max_steps' cannot be changed",
                    runtime_common::interp::DEFAULT_STEP_LIMIT
                ),
            ));
        }
        let jobmanager = string(config, "jobmanager")?
            .or_else(|| std::env::var("ENTIFLOW_FLINK_JOBMANAGER").ok())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_JOBMANAGER.to_string());
        let delivery = match string(config, "delivery")?.as_deref() {
            None | Some("exactly-once") => Delivery::ExactlyOnce,
            Some("at-least-once") => Delivery::AtLeastOnce,
            Some(other) => {
                return Err(PluginError::new(
                    "InvalidConfig",
                    format!(
                        "'delivery' must be \"exactly-once\" or \"at-least-once\", not '{other}'"
                    ),
                ))
            }
        };
        let app = kafka.topics.app.clone();
        let checkpoint_dir = string(config, "checkpoint_dir")?.unwrap_or_else(|| {
            let dir = std::env::temp_dir()
                .join("entiflow-flink")
                .join(&app)
                .join("checkpoints");
            format!("file://{}", dir.display())
        });
        Ok(FlinkConfig {
            kafka,
            jobmanager,
            flink_home: string(config, "flink_home")?
                .map(PathBuf::from)
                .or_else(|| env_path("FLINK_HOME")),
            connector_dir: string(config, "flink_connector")?
                .map(PathBuf::from)
                .or_else(|| env_path("ENTIFLOW_FLINK_CONNECTOR")),
            job_jar: string(config, "job_jar")?.map(PathBuf::from),
            checkpoint_ms: config_u64(config, "checkpoint_ms")?.unwrap_or(1000).max(10),
            checkpoint_dir,
            restore_from: string(config, "restore_from")?,
            delivery,
            compact_after: config_u64(config, "compact_after")?.unwrap_or(256).max(1),
            submit: match config.get("submit") {
                None | Some(Json::Null) => true,
                Some(Json::Bool(b)) => *b,
                Some(_) => {
                    return Err(PluginError::new(
                        "InvalidConfig",
                        "'submit' must be true or false",
                    ))
                }
            },
        })
    }

    /// The topic prefix.
    pub fn app(&self) -> &str {
        &self.kafka.topics.app
    }

    /// The job's program arguments.
    pub fn job_args(&self) -> Vec<String> {
        [
            ("brokers", self.kafka.brokers.clone()),
            ("app", self.app().to_string()),
            ("partitions", self.kafka.partitions.to_string()),
            ("checkpoint-ms", self.checkpoint_ms.to_string()),
            ("checkpoint-dir", self.checkpoint_dir.clone()),
            ("delivery", self.delivery.as_arg().to_string()),
            ("dedup-window", self.kafka.dedup_window.to_string()),
            ("compact-after", self.compact_after.to_string()),
        ]
        .into_iter()
        .flat_map(|(k, v)| [format!("--{k}"), v])
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn program() -> Program {
        frontend_python::compile(
            "from entiflow import entity\n\n@entity\nclass A:\n    def __init__(self, k: str):\n        self.k = k\n    def __key__(self):\n        return self.k\n",
            "a.py",
        )
        .expect("compiles")
    }

    #[test]
    fn defaults_and_job_arguments() {
        let c = FlinkConfig::from_json(&program(), &json!({"brokers": "h:1", "app": "x"}))
            .expect("valid");
        assert_eq!(c.app(), "x");
        assert_eq!(c.kafka.workers, 0, "the job is the worker");
        assert_eq!(c.delivery, Delivery::ExactlyOnce);
        assert!(c.submit);
        let args = c.job_args();
        let at = |name: &str| {
            let i = args.iter().position(|a| a == name).expect(name);
            args[i + 1].clone()
        };
        assert_eq!(at("--brokers"), "h:1");
        assert_eq!(at("--app"), "x");
        assert_eq!(at("--partitions"), "4");
        assert_eq!(at("--delivery"), "exactly-once");
        assert!(at("--checkpoint-dir").starts_with("file://"));
    }

    #[test]
    fn bad_settings_are_named() {
        let p = program();
        for (config, needle) in [
            (json!({"brokers": "h:1", "delivery": "twice"}), "'delivery'"),
            (json!({"brokers": "h:1", "workers": 2}), "'workers'"),
            (json!({"brokers": "h:1", "submit": "yes"}), "'submit'"),
            (json!({"brokers": "h:1", "jobmanager": 5}), "'jobmanager'"),
            (json!({}), "--brokers"),
        ] {
            let e = FlinkConfig::from_json(&p, &config).expect_err("invalid");
            assert!(e.to_string().contains(needle), "{e} should name {needle}");
        }
    }
}
