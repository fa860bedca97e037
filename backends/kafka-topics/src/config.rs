//! The backend's settings (the plugin's start configuration) and the names of its topics.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ir::Program;
use runtime_common::plugin::{config_u64, PluginError};
use serde_json::Value as Json;

/// How long a consumer lets the broker wait for records (`fetch.wait.max.ms`). Short, because a
/// broker that does not answer a waiting fetch as soon as records arrive (tansu) adds the whole
/// wait to every hop; not shorter, because such a broker also gives up looking for the records
/// of a long partition after this long and answers with none (at 2 ms, reading deep into a
/// partition of a few thousand records took 4 s for 500 records instead of 0.03 s, and a worker
/// rebuilding partitions fell behind for good under load).
pub const FETCH_WAIT_MAX_MS: &str = "5";

/// Settings of a running application on Kafka.
#[derive(Debug, Clone)]
pub struct KafkaConfig {
    /// Bootstrap servers (`host:port[,host:port...]`).
    pub brokers: String,
    /// Topic names.
    pub topics: Topics,
    /// Partitions of the ingress and internal topics (entity state is split in as many parts).
    pub partitions: u32,
    /// Worker threads this process runs (0: a front door only).
    pub workers: usize,
    /// Whether this process is a front door (sends invocations, collects results).
    pub front_door: bool,
    /// How long a front door waits for all results of a batch.
    pub timeout: Duration,
    /// Invocation ids each partition remembers for deduplication.
    pub dedup_window: usize,
    /// The consumer group session timeout (a dead worker's partitions move after it).
    pub session_timeout_ms: u32,
    /// Messages processed per Kafka transaction at most.
    pub max_batch: usize,
    /// A partition snapshot is written after this many records of a partition's input (at the
    /// next moment nothing is in flight there); 0: never (restore replays the whole input).
    pub snapshot_every: u64,
    /// How long a worker keeps a transaction open (receivers read uncommitted records, so a
    /// commit bounds the replay after a crash, not the latency of a hop).
    pub commit_interval: Duration,
    /// librdkafka settings for every client (`librdkafka.<name>` entries of the configuration).
    pub librdkafka: Vec<(String, String)>,
    /// The most interpreter steps (blocks) a transaction may run, over every partition it
    /// reaches. Every process of an application must use the same limit: a replay decides by it.
    pub max_steps: u64,
}

/// The topics of one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    /// The prefix every name below starts with (the application's name on the broker).
    pub app: String,
    /// Client invocations (any partition; records carry the reply address).
    pub ingress: String,
    /// Calls, replies and control messages between partitions, one partition per state part.
    pub internal: String,
    /// Results for clients (the default reply topic).
    pub egress: String,
    /// Ingress records that could not be answered (malformed, with no reply address).
    pub dead_letter: String,
    /// Snapshots of partition state (compacted; one topic partition per state partition).
    pub snapshots: String,
}

impl Topics {
    /// The topics of application `app`.
    pub fn for_app(app: &str) -> Topics {
        Topics {
            app: app.to_string(),
            ingress: format!("{app}.ingress"),
            internal: format!("{app}.internal"),
            egress: format!("{app}.egress"),
            dead_letter: format!("{app}.dead-letter"),
            snapshots: format!("{app}.snapshots"),
        }
    }

    /// Whether `topic` is one the application's workers read or keep state in (ingress,
    /// internal, dead letters, snapshots): results must never be written there.
    pub fn is_own_input(&self, topic: &str) -> bool {
        [
            &self.ingress,
            &self.internal,
            &self.dead_letter,
            &self.snapshots,
        ]
        .iter()
        .any(|own| own.as_str() == topic)
    }
}

/// A topic of an application as the backend creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    /// What the topic carries: `ingress`, `internal`, `egress`, `dead-letter` or `snapshots`.
    pub role: &'static str,
    /// The topic's name.
    pub name: String,
    /// Its partition count.
    pub partitions: u32,
    /// Whether it is compacted (`cleanup.policy=compact`) rather than kept by retention.
    pub compacted: bool,
}

fn str_of<'a>(config: &'a Json, name: &str) -> Result<Option<&'a str>, PluginError> {
    match config.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(_) => Err(PluginError::new(
            "InvalidConfig",
            format!("'{name}' must be a string"),
        )),
    }
}

fn valid_topic_prefix(app: &str) -> bool {
    !app.is_empty()
        && app.len() <= 200
        && app
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// `transaction.timeout.ms` of the workers' transactional producers.
pub const TRANSACTION_TIMEOUT_MS: u64 = 10_000;

/// The longest commit interval: well inside [`TRANSACTION_TIMEOUT_MS`].
const MAX_COMMIT_INTERVAL_MS: u64 = TRANSACTION_TIMEOUT_MS / 2;

impl KafkaConfig {
    /// Reads the start configuration:
    /// - `brokers` (required): bootstrap servers;
    /// - `app`: topic prefix (default `entiflow.<program name>`); `fresh_state: true` appends a
    ///   unique suffix (a run that shares no state with earlier ones);
    /// - `partitions` (default 4), `workers` (default 1), `role` (`"client"`, the default: a
    ///   front door with embedded workers; `"worker"`: workers only);
    /// - `timeout_ms` (default 120000), `dedup_window`, `session_timeout_ms` (default 6000),
    ///   `max_batch` (default 1000), `snapshot_every` (default 10000; 0: no snapshots),
    ///   `commit_interval_ms` (default 1000), `max_steps` (default
    ///   [`runtime_common::interp::DEFAULT_STEP_LIMIT`]; the same in every process of the app);
    /// - `librdkafka.<name>`: a librdkafka setting for every client of the backend.
    pub fn from_json(program: &Program, config: &Json) -> Result<KafkaConfig, PluginError> {
        if !config.is_object() {
            return Err(PluginError::new(
                "InvalidConfig",
                "the configuration must be a JSON object",
            ));
        }
        let brokers = str_of(config, "brokers")?
            .ok_or_else(|| {
                PluginError::new(
                    "InvalidConfig",
                    "the Kafka backend needs the broker address: pass --brokers HOST:PORT",
                )
            })?
            .to_string();
        let default_app = format!(
            "entiflow.{}",
            program
                .name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
        );
        let mut app = str_of(config, "app")?.map_or(default_app, str::to_string);
        if config.get("fresh_state").and_then(Json::as_bool) == Some(true) {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            app = format!("{app}.{}-{nanos}", std::process::id());
        }
        if !valid_topic_prefix(&app) {
            return Err(PluginError::new(
                "InvalidConfig",
                format!("'app' must be 1-200 characters of [A-Za-z0-9._-], not '{app}'"),
            ));
        }
        let role = str_of(config, "role")?.unwrap_or("client");
        let front_door = match role {
            "client" => true,
            "worker" => false,
            other => {
                return Err(PluginError::new(
                    "InvalidConfig",
                    format!("'role' must be \"client\" or \"worker\", not '{other}'"),
                ))
            }
        };
        let partitions = config_u64(config, "partitions")?.unwrap_or(4);
        if !(1..=1024).contains(&partitions) {
            return Err(PluginError::new(
                "InvalidConfig",
                "'partitions' must be between 1 and 1024",
            ));
        }
        let workers = config_u64(config, "workers")?.unwrap_or(1) as usize;
        if !front_door && workers == 0 {
            return Err(PluginError::new(
                "InvalidConfig",
                "a worker process needs at least one worker thread",
            ));
        }
        let commit_interval_ms = config_u64(config, "commit_interval_ms")?.unwrap_or(1000);
        if commit_interval_ms > MAX_COMMIT_INTERVAL_MS {
            return Err(PluginError::new(
                "InvalidConfig",
                format!(
                    "'commit_interval_ms' must be at most {MAX_COMMIT_INTERVAL_MS} (the brokers \
                     abort a transaction open for {TRANSACTION_TIMEOUT_MS} ms), not {commit_interval_ms}"
                ),
            ));
        }
        let max_steps =
            config_u64(config, "max_steps")?.unwrap_or(runtime_common::interp::DEFAULT_STEP_LIMIT);
        if max_steps == 0 {
            return Err(PluginError::new(
                "InvalidConfig",
                "'max_steps' must be at least 1",
            ));
        }
        Ok(KafkaConfig {
            max_steps,
            brokers,
            topics: Topics::for_app(&app),
            partitions: partitions as u32,
            workers,
            front_door,
            timeout: Duration::from_millis(config_u64(config, "timeout_ms")?.unwrap_or(120_000)),
            dedup_window: config_u64(config, "dedup_window")?.unwrap_or(250_000) as usize,
            session_timeout_ms: config_u64(config, "session_timeout_ms")?.unwrap_or(6000) as u32,
            max_batch: config_u64(config, "max_batch")?.unwrap_or(1000).max(1) as usize,
            snapshot_every: config_u64(config, "snapshot_every")?.unwrap_or(10_000),
            commit_interval: Duration::from_millis(commit_interval_ms),
            librdkafka: config
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| {
                    let name = k.strip_prefix("librdkafka.")?;
                    let value = match v {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    Some((name.to_string(), value))
                })
                .collect(),
        })
    }

    /// The topics every process of the application reads and writes: ingress and internal
    /// with one part per state partition, egress and dead letters with one (dead letters
    /// compacted, keyed by their source record).
    pub fn data_topics(&self) -> [TopicSpec; 4] {
        let t = &self.topics;
        let spec = |role, name: &String, partitions, compacted| TopicSpec {
            role,
            name: name.clone(),
            partitions,
            compacted,
        };
        [
            spec("ingress", &t.ingress, self.partitions, false),
            spec("internal", &t.internal, self.partitions, false),
            spec("egress", &t.egress, 1, false),
            spec("dead-letter", &t.dead_letter, 1, true),
        ]
    }

    /// The workers' compacted snapshot topic (one part per state partition).
    pub fn snapshot_topic(&self) -> TopicSpec {
        TopicSpec {
            role: "snapshots",
            name: self.topics.snapshots.clone(),
            partitions: self.partitions,
            compacted: true,
        }
    }

    /// The consumer group of the application's workers.
    pub fn group_id(&self) -> String {
        format!("{}.workers", self.topics.app)
    }
}
