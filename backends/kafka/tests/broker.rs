//! The Kafka backend in process against a real Kafka-protocol broker (started by
//! `scripts/services.sh up kafka` unless `ENTIFLOW_KAFKA_BROKERS` names one): invocations through
//! the plugin's front door, malformed ingress records, and a dump.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use entiflow_kafka::config::{KafkaConfig, Topics};
use entiflow_kafka::snapshot::Snapshot;
use entiflow_kafka::KafkaBackend;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use runtime_common::contract::parse_invocation;
use runtime_common::plugin::Backend;
use serde_json::{json, Value as Json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The broker's bootstrap address: `ENTIFLOW_KAFKA_BROKERS`, or the local tansu of
/// `scripts/services.sh`, restarted empty once for this file (its memory engine slows down as
/// the topics and transactions of earlier tests accumulate).
fn brokers() -> &'static str {
    static BROKERS: OnceLock<String> = OnceLock::new();
    BROKERS.get_or_init(|| {
        if let Ok(b) = std::env::var("ENTIFLOW_KAFKA_BROKERS") {
            return b;
        }
        let services = |action: &str| {
            let out = Command::new("bash")
                .arg(root().join("scripts/services.sh"))
                .args([action, "kafka"])
                .output()
                .expect("run scripts/services.sh");
            assert!(
                out.status.success(),
                "scripts/services.sh {action} kafka failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).to_string()
        };
        services("down");
        let stdout = services("up");
        stdout.lines().last().expect("address").trim().to_string()
    })
}

fn program() -> ir::Program {
    let path = root().join("tests/apps/transfer.py");
    let source = std::fs::read_to_string(&path).expect("app");
    frontend_python::compile(&source, "transfer.py").expect("compiles")
}

fn unique_app(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("test.{name}.{}-{nanos}", std::process::id())
}

fn start(app: &str) -> Box<dyn runtime_common::plugin::Instance> {
    let config = json!({
        "brokers": brokers(),
        "app": app,
        "partitions": 3,
        "session_timeout_ms": 2000,
        "timeout_ms": 60000,
    });
    KafkaBackend.start(program(), &config).expect("starts")
}

/// Reads every record of partition 0 of `topic` until `want` records were seen (or a timeout).
fn read_topic(topic: &str, want: usize) -> Vec<(Option<String>, Json)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", "reader")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .expect("partition");
    consumer.assign(&tpl).expect("assign");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut records = Vec::new();
    while records.len() < want && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            let key = m.key().map(|k| String::from_utf8_lossy(k).to_string());
            let value = serde_json::from_slice(m.payload().unwrap_or_default()).expect("JSON");
            records.push((key, value));
        }
    }
    records
}

#[test]
fn invocations_and_dump_through_the_front_door() {
    let app = unique_app("front");
    let mut instance = start(&app);
    let program = program();
    let lines = [
        r#"{"id":"c1","create":"Account","args":["alice",100]}"#,
        r#"{"id":"c2","create":"Account","args":["bob",5]}"#,
        r#"{"id":"c3","create":"Account","args":["bob",7]}"#,
        r#"{"id":"x","entity":"Account","key":"carol","method":"get","args":[]}"#,
        r#"{"id":"y","entity":"Nope","key":"carol","method":"get","args":[]}"#,
    ];
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let results = invoke_lines(&mut instance, &lines);
    let kinds: Vec<String> = results.iter().map(outcome_text).collect();
    assert_eq!(kinds[0], r#"{"$entity":"Account","key":"alice"}"#);
    let bob: Vec<&str> = kinds[1..3].iter().map(String::as_str).collect();
    assert!(
        bob.contains(&"EntityExists") && bob.iter().any(|k| k.contains("bob")),
        "one create of bob wins: {bob:?}"
    );
    assert_eq!(kinds[3], "EntityNotFound");
    assert_eq!(kinds[4], "InvalidRequest");
    assert!(results[4].seq.is_none());
    let transfer = r#"{"id":"t1","entity":"Account","key":"alice","method":"transfer","args":[30,{"$entity":"Account","key":"bob"}]}"#;
    let again = instance
        .invoke(vec![
            parse_invocation(transfer, &program),
            parse_invocation(transfer, &program),
        ])
        .expect("results");
    assert_eq!(
        again[0], again[1],
        "a repeated id is answered from the dedup table"
    );
    let state = instance.dump_state().expect("dump");
    assert_eq!(state["Account"]["alice"]["balance"], 70);
    let bob_balance = state["Account"]["bob"]["balance"].as_i64().expect("bob");
    assert!(bob_balance == 35 || bob_balance == 37, "{state}");
    instance.shutdown().expect("shutdown");
}

#[test]
fn malformed_ingress_records_get_answers_or_dead_letters_and_never_stop_a_worker() {
    let app = unique_app("malformed");
    let mut instance = start(&app);
    let program = program();
    let topics = Topics::for_app(&app);
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .create()
        .expect("producer");
    let bad: [(Option<&str>, &[u8]); 4] = [
        (Some("k-garbage"), b"{not json"),
        (Some("k-wrong"), br#"{"id": 1, "entity": "Account"}"#),
        (None, b"\xff\xfe binary"),
        (Some("k-bytes"), b"\xff\xfe binary"),
    ];
    for (key, payload) in bad {
        let mut record = BaseRecord::<str, [u8]>::to(&topics.ingress)
            .partition(1)
            .payload(payload);
        if let Some(k) = key {
            record = record.key(k);
        }
        producer.send(record).map_err(|e| e.0).expect("send");
    }
    // Headers that cannot be obeyed: a reply topic no topic can have (its reply would fail the
    // worker's transaction on every replay), one of the app's own inputs (the reply would land
    // among its snapshots), a control record of an unknown kind.
    let valid = br#"{"id":"h","entity":"Account","key":"x","method":"get","args":[]}"#;
    let headers: [(&str, &str, &[u8]); 3] = [
        ("k-topic", "entiflow-reply-topic", b"no such topic!"),
        ("k-own", "entiflow-reply-topic", topics.snapshots.as_bytes()),
        ("k-control", "entiflow-control", b"explode"),
    ];
    for (key, name, value) in headers {
        let record = BaseRecord::<str, [u8]>::to(&topics.ingress)
            .partition(1)
            .key(key)
            .headers(OwnedHeaders::new().insert(Header {
                key: name,
                value: Some(value),
            }))
            .payload(valid.as_slice());
        producer.send(record).map_err(|e| e.0).expect("send");
    }
    producer.flush(Duration::from_secs(10)).expect("flush");
    // Valid work after the bad records still runs.
    let results = instance
        .invoke(vec![parse_invocation(
            r#"{"id":"ok","create":"Account","args":["dora",1]}"#,
            &program,
        )])
        .expect("the worker still runs");
    assert!(results[0].outcome.is_ok(), "{:?}", results[0]);
    let egress = read_topic(&topics.egress, 5);
    for key in ["k-garbage", "k-wrong", "k-bytes", "k-control"] {
        let (_, answer) = egress
            .iter()
            .find(|(k, _)| k.as_deref() == Some(key))
            .unwrap_or_else(|| panic!("an answer for {key} in {egress:?}"));
        assert_eq!(answer["error"]["type"], "InvalidRequest", "{answer}");
    }
    let dead = read_topic(&topics.dead_letter, 3);
    assert_eq!(dead.len(), 3, "{dead:?}");
    assert!(dead
        .iter()
        .all(|d| d.1["error"]["type"] == "InvalidRequest"));
    // Each is keyed by its source record, so a repeat after a takeover can be told apart.
    for (key, letter) in &dead {
        let source = format!("{}/{}", letter["partition"], letter["offset"]);
        assert_eq!(key.as_deref(), Some(source.as_str()), "{letter}");
    }
    let bad_topics: Vec<&Json> = dead
        .iter()
        .filter(|d| d.1["error"]["message"].to_string().contains("reply-topic"))
        .map(|d| &d.1)
        .collect();
    assert_eq!(
        bad_topics.len(),
        2,
        "dead letters for the bad reply topics in {dead:?}"
    );
    for letter in bad_topics {
        assert_eq!(
            letter["record"].as_str(),
            std::str::from_utf8(valid).ok(),
            "{letter}"
        );
    }
    instance.shutdown().expect("shutdown");
}

#[test]
fn configuration_errors_are_reported() {
    let program = program();
    let missing = KafkaConfig::from_json(&program, &json!({})).expect_err("brokers required");
    assert!(missing.to_string().contains("--brokers"), "{missing}");
    let bad = KafkaConfig::from_json(&program, &json!({"brokers": "x", "app": "a b"}))
        .expect_err("bad app name");
    assert!(bad.to_string().contains("'app'"), "{bad}");
    let parts = KafkaConfig::from_json(&program, &json!({"brokers": "x", "partitions": 0}))
        .expect_err("bad partitions");
    assert!(parts.to_string().contains("partitions"), "{parts}");
}

/// Invokes `lines` (contract JSON) through the front door.
fn invoke_lines(
    instance: &mut Box<dyn runtime_common::plugin::Instance>,
    lines: &[String],
) -> Vec<runtime_common::InvocationResult> {
    let program = program();
    instance
        .invoke(
            lines
                .iter()
                .map(|l| parse_invocation(l, &program))
                .collect(),
        )
        .expect("results")
}

/// Invokes `lines` and returns the outcomes as JSON text (or the error kind).
fn invoke_all(
    instance: &mut Box<dyn runtime_common::plugin::Instance>,
    lines: &[String],
) -> Vec<String> {
    invoke_lines(instance, lines)
        .iter()
        .map(outcome_text)
        .collect()
}

/// A result's value as JSON text, or its error kind.
fn outcome_text(result: &runtime_common::InvocationResult) -> String {
    match &result.outcome {
        Ok(v) => v.to_string(),
        Err(e) => e.kind.clone(),
    }
}

#[test]
fn a_restarted_worker_restores_partitions_from_the_newest_snapshot_it_may_use() {
    let app = unique_app("snapshots");
    let settings = json!({
        "brokers": brokers(),
        "app": app,
        "partitions": 3,
        "session_timeout_ms": 2000,
        "timeout_ms": 60000,
        "snapshot_every": 3,
        "max_batch": 1,
    });
    let program = program();
    let mut instance = KafkaBackend
        .start(program.clone(), &settings)
        .expect("starts");
    let names: Vec<String> = (0..12).map(|i| format!("acct{i}")).collect();
    let creates: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"id":"c-{n}","create":"Account","args":["{n}",100]}}"#))
        .collect();
    assert!(invoke_all(&mut instance, &creates)
        .iter()
        .all(|r| r.contains("$entity")));
    for round in 0..3 {
        let transfers: Vec<String> = (0..12)
            .map(|i| {
                format!(
                    r#"{{"id":"t{round}-{i}","entity":"Account","key":"{}","method":"transfer","args":[{},{{"$entity":"Account","key":"{}"}}]}}"#,
                    names[i],
                    round + 1,
                    names[(i + 5) % 12]
                )
            })
            .collect();
        invoke_all(&mut instance, &transfers);
    }
    let before = instance.dump_state().expect("dump");
    instance.shutdown().expect("shutdown");
    drop(instance);

    // Every partition wrote snapshots; tamper with the newest one of partition 1 (a balance
    // +1000) and add one past the committed offset (+5000, must be ignored).
    let config = KafkaConfig::from_json(&program, &settings).expect("config");
    let mut newest = Vec::new();
    for p in 0..3 {
        let s = entiflow_kafka::snapshot::latest(&config, p, i64::MAX, |_| true)
            .expect("lookup")
            .unwrap_or_else(|| panic!("no snapshot of partition {p}"));
        assert!(s.offset > 0);
        newest.push(s);
    }
    let balance = program.entities[0]
        .fields
        .iter()
        .position(|f| f.name == "balance")
        .expect("balance field");
    let tampered = |snapshot: &Snapshot, plus: i64, offset: i64| {
        let mut s = snapshot.clone();
        let record = &mut s.checkpoint["records"][0];
        let key = record[1].as_str().expect("key").to_string();
        let old = record[3][balance].as_i64().expect("balance");
        record[3][balance] = json!(old + plus);
        s.offset = offset;
        (key, old, s)
    };
    // A worker takes no snapshot from the last 2 × max_batch offsets before the committed one
    // (the previous owner's last transaction is replayed live). Records may have been committed
    // after the newest snapshot, so the tampered copy claims the newest snapshot's offset when
    // that is old enough (a tie: the later in the log wins) and the newest usable one otherwise.
    // Claiming an earlier offset than its state covers is harmless: the replay of the records
    // in between changes nothing, the checkpoint already counts them (repeats are dropped).
    let usable = committed_offset(&config, 1) - 2;
    let (key, old, plus_1000) = tampered(&newest[1], 1000, newest[1].offset.min(usable));
    let (_, _, too_new) = tampered(&newest[1], 5000, 1 << 40);
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .create()
        .expect("producer");
    for s in [&plus_1000, &too_new] {
        producer
            .send(
                BaseRecord::<str, [u8]>::to(&config.topics.snapshots)
                    .partition(1)
                    .key("1")
                    .payload(&s.to_bytes()),
            )
            .map_err(|e| e.0)
            .expect("send");
    }
    producer.flush(Duration::from_secs(10)).expect("flush");

    let mut instance = KafkaBackend
        .start(program.clone(), &settings)
        .expect("restarts");
    let after = instance.dump_state().expect("dump");
    assert_eq!(
        after["Account"][&key]["balance"],
        json!(old + 1000),
        "partition 1 starts from the tampered snapshot"
    );
    let mut expected = before.clone();
    expected["Account"][&key]["balance"] = json!(old + 1000);
    assert_eq!(after, expected, "the other partitions' state is unchanged");
    let more = invoke_all(
        &mut instance,
        &[format!(
            r#"{{"id":"after","entity":"Account","key":"{}","method":"transfer","args":[1,{{"$entity":"Account","key":"{}"}}]}}"#,
            names[0], names[1]
        )],
    );
    assert!(more[0].parse::<i64>().is_ok(), "{more:?}");
    instance.shutdown().expect("shutdown");
}

/// The worker group's committed offset of internal partition `partition`.
fn committed_offset(config: &KafkaConfig, partition: i32) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", config.group_id())
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(&config.topics.internal, partition);
    let committed = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed offsets");
    match committed.elements()[0].offset() {
        Offset::Offset(o) => o,
        other => panic!("partition {partition} has no committed offset: {other:?}"),
    }
}

/// Every message on internal partition `partition` of `topic`, in log order: (channel, body).
fn internal_messages(topic: &str, partition: i32) -> Vec<(Json, Json)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", "channel-reader")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "20")
        .create()
        .expect("consumer");
    let (_, end) = consumer
        .fetch_watermarks(topic, partition, Duration::from_secs(10))
        .expect("watermarks");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, partition, Offset::Beginning)
        .expect("partition");
    consumer.assign(&tpl).expect("assign");
    // The last offsets may be transaction markers, which no record fills: read until the end
    // or until nothing more comes.
    let mut messages = Vec::new();
    let mut next = 0;
    let mut last_record = Instant::now();
    while next < end && last_record.elapsed() < Duration::from_secs(5) {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            last_record = Instant::now();
            next = m.offset() + 1;
            let mut envelope: Json =
                serde_json::from_slice(m.payload().unwrap_or_default()).expect("JSON");
            messages.push((envelope["channel"].take(), envelope["body"].take()));
        }
    }
    messages
}

/// A worker joins in the middle of a contended load and leaves again (SIGTERM-style stop):
/// partitions move twice while transactions run. Every new owner rebuilds its partitions by
/// replaying their logs, and must send exactly what the previous owner sent: no channel position
/// on any internal partition may carry two different messages. The load finishes with money
/// conserved and one `seq` per invocation.
#[test]
fn partitions_moved_mid_load_are_rebuilt_to_send_exactly_what_they_sent() {
    let app = unique_app("moved");
    let program = program();
    let config = json!({
        "brokers": brokers(),
        "app": app,
        "partitions": 4,
        "session_timeout_ms": 2000,
        "timeout_ms": 240000,
    });
    let mut instance = KafkaBackend
        .start(program.clone(), &config)
        .expect("starts");
    let accounts = 12;
    let creates: Vec<String> = (0..accounts)
        .map(|a| format!(r#"{{"id":"c{a}","create":"Account","args":["a{a}",100]}}"#))
        .collect();
    invoke_all(&mut instance, &creates);
    let settings = KafkaConfig::from_json(&program, &config).expect("config");
    let shared = std::sync::Arc::new(program);
    let extra = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        let worker = entiflow_kafka::worker::spawn_worker(shared, settings, 1);
        std::thread::sleep(Duration::from_secs(6));
        worker.stop();
    });
    let transfers: Vec<String> = (0..1200)
        .map(|t| {
            let (from, to) = (t % accounts, (t * 7 + 3) % accounts);
            let to = if to == from { (to + 1) % accounts } else { to };
            format!(
                r#"{{"id":"t{t}","entity":"Account","key":"a{from}","method":"transfer","args":[{},{{"$entity":"Account","key":"a{to}"}}]}}"#,
                1 + t % 40
            )
        })
        .collect();
    let mut results = Vec::new();
    for chunk in transfers.chunks(100) {
        results.extend(invoke_lines(&mut instance, chunk));
    }
    extra.join().expect("extra worker");
    let mut seqs: Vec<u64> = results.iter().filter_map(|r| r.seq).collect();
    assert_eq!(seqs.len(), transfers.len(), "every transfer has a seq");
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), transfers.len(), "one seq per transfer");
    let state = instance.dump_state().expect("dump");
    let total: i64 = state["Account"]
        .as_object()
        .expect("accounts")
        .values()
        .map(|a| a["balance"].as_i64().expect("balance"))
        .sum();
    assert_eq!(total, 100 * accounts as i64, "money conserved: {state}");
    instance.shutdown().expect("shutdown");
    let topic = Topics::for_app(&app).internal;
    for partition in 0..4 {
        let mut seen: std::collections::HashMap<String, Json> = Default::default();
        for (channel, body) in internal_messages(&topic, partition) {
            if channel.get("ingress").is_some() {
                continue;
            }
            match seen.get(&channel.to_string()) {
                Some(first) => assert_eq!(
                    first, &body,
                    "partition {partition}: two messages at {channel}"
                ),
                None => {
                    seen.insert(channel.to_string(), body);
                }
            }
        }
    }
}
