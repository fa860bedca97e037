//! Creating the application's topics, checking the ones that exist, and client settings.

use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::{BaseProducer, Producer};

use crate::config::{KafkaConfig, TopicSpec};

/// The largest record the backend produces.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// Connection settings shared by every client of the backend (finish a client's settings with
/// [`UserSettings::user_settings`]).
pub fn client_config(config: &KafkaConfig) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &config.brokers)
        .set("socket.timeout.ms", "10000")
        // Results and calls can carry large values (the broker must accept them too).
        .set("message.max.bytes", MAX_MESSAGE_BYTES.to_string())
        .set("log_level", "3");
    if let Ok(contexts) = std::env::var("ENTIFLOW_KAFKA_DEBUG") {
        // librdkafka's own tracing (e.g. "fetch,broker"), on standard error.
        c.set("debug", contexts).set("log_level", "7");
    }
    c
}

/// The user's `librdkafka.*` settings, applied after a client's own so that they win.
pub trait UserSettings {
    /// Applies `config.librdkafka` on top of what is set.
    fn user_settings(&mut self, config: &KafkaConfig) -> &mut Self;
}

impl UserSettings for ClientConfig {
    fn user_settings(&mut self, config: &KafkaConfig) -> &mut Self {
        for (name, value) in &config.librdkafka {
            self.set(name, value);
        }
        self
    }
}

/// Creates the data topics that do not exist yet ([`KafkaConfig::data_topics`]) and checks
/// the partition counts of those that do.
pub fn ensure_topics(config: &KafkaConfig) -> Result<(), String> {
    create_topics(config, &config.data_topics())
}

/// Creates the compacted snapshot topic (one part per state partition) if it does not exist
/// yet, and checks its partition count.
pub fn ensure_snapshot_topic(config: &KafkaConfig) -> Result<(), String> {
    create_topics(config, &[config.snapshot_topic()])
}

/// Creates the topics of `wanted` that do not exist yet and checks the partition counts of
/// those that do.
fn create_topics(config: &KafkaConfig, wanted: &[TopicSpec]) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> = client_config(config)
        .user_settings(config)
        .create()
        .map_err(|e| format!("cannot connect to {}: {e}", config.brokers))?;
    let new: Vec<NewTopic<'_>> = wanted
        .iter()
        .map(|spec| {
            let topic = NewTopic::new(
                &spec.name,
                spec.partitions as i32,
                TopicReplication::Fixed(1),
            );
            if spec.compacted {
                topic.set("cleanup.policy", "compact")
            } else {
                topic
            }
        })
        .collect();
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = futures_executor::block_on(admin.create_topics(new.iter(), &options))
        .map_err(|e| format!("cannot create topics on {}: {e}", config.brokers))?;
    for result in results {
        if let Err((name, code)) = result {
            if code != RDKafkaErrorCode::TopicAlreadyExists {
                return Err(format!("cannot create topic {name}: {code}"));
            }
        }
    }
    // Check what exists (a topic created earlier with another partition count cannot be used).
    let probe: BaseProducer = client_config(config)
        .user_settings(config)
        .create()
        .map_err(|e| format!("cannot connect to {}: {e}", config.brokers))?;
    for spec in wanted {
        let (name, parts) = (spec.name.as_str(), spec.partitions as i32);
        let mut found = 0;
        for _ in 0..50 {
            let metadata = probe
                .client()
                .fetch_metadata(Some(name), Duration::from_secs(5))
                .map_err(|e| format!("cannot read metadata of {name}: {e}"))?;
            found = metadata
                .topics()
                .first()
                .map_or(0, |topic| topic.partitions().len() as i32);
            if found > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if found != parts {
            return Err(format!(
                "topic {name} has {found} partitions, expected {parts} (it was created with \
                 other settings: choose another 'app' name or delete the topic)"
            ));
        }
    }
    Ok(())
}

/// How long [`drain`] waits for acknowledgements.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Waits until every record produced so far is acknowledged, serving delivery reports as they
/// come (a flush that sleeps between polls would add its sleep to every transaction).
pub fn drain(producer: &BaseProducer) -> Result<(), String> {
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    while producer.in_flight_count() > 0 {
        if Instant::now() > deadline {
            return Err(format!(
                "{} records unacknowledged after {DRAIN_TIMEOUT:?}",
                producer.in_flight_count()
            ));
        }
        producer.poll(Duration::from_millis(1));
    }
    Ok(())
}
