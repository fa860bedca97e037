//! The Kafka backend on a real Kafka-protocol broker (restarted empty for each test by
//! `scripts/services.sh` unless `ENTIFLOW_KAFKA_BROKERS` names one): the core conformance cases
//! (every case with `--ignored`: minutes long), and failure drills with
//! worker processes (`entiflow kafka worker`) killed with SIGKILL in the middle of a load while a
//! front door (`entiflow exec --backend kafka`) waits for every result. After each drill every
//! invocation is answered once, the results and the final state equal the serial engine replaying
//! the invocations in the reported `seq` order, and money is conserved.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use runtime_common::InvocationResult;
use serde_json::Value;
use support::{
    bin, cargo_build, check, check_transfer_drill, fresh_broker, root, transfer_workload, Server,
    CORE_CASES,
};

/// Builds the Kafka plugin (once).
fn build_plugin() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = cargo_build()
            .args(["-p", "entiflow-kafka"])
            .output()
            .expect("cargo");
        check("building the Kafka plugin", &out);
    });
}

/// A fresh broker for one test, the plugin built.
fn brokers() -> String {
    build_plugin();
    fresh_broker()
}

/// One test of this file at a time: a drill's kill must land mid-load, which a broker shared with
/// the conformance suite makes a matter of luck.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("drill.{name}.{}-{nanos}", std::process::id())
}

fn app() -> PathBuf {
    root().join("tests/apps/transfer.py")
}

/// A running `entiflow kafka worker`, killed when dropped.
struct Worker(Child);

impl Worker {
    /// Starts a worker whose standard error goes to a new file in `dir` (for a failed drill).
    fn start(brokers: &str, topics: &str, dir: &Path) -> Worker {
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let log = std::fs::File::create(dir.join(format!("worker-{n}.log"))).expect("worker log");
        let child = Command::new(bin())
            .args(["kafka", "worker"])
            .arg(app())
            .args([
                "--brokers",
                brokers,
                "--topics",
                topics,
                "--partitions",
                "4",
            ])
            .args(["--backend-opt", "session_timeout_ms=2000"])
            .stderr(log)
            .spawn()
            .expect("start a worker");
        Worker(child)
    }

    fn kill9(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A front door (`exec` with no workers of its own) sending `lines`.
fn front_door(brokers: &str, topics: &str, lines: &[String], dir: &Path, name: &str) -> Child {
    let input = dir.join(format!("{name}.jsonl"));
    std::fs::write(&input, lines.join("\n") + "\n").expect("input");
    Command::new(bin())
        .arg("exec")
        .arg(app())
        .arg("--input")
        .arg(&input)
        .arg("--dump-state")
        .arg(dir.join(format!("{name}.state.json")))
        .args(["--backend", "kafka", "--brokers", brokers])
        .args(["--backend-opt", &format!("app={topics}")])
        .args([
            "--backend-opt",
            "workers=0",
            "--backend-opt",
            "partitions=4",
        ])
        .args(["--backend-opt", "timeout_ms=240000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the front door")
}

fn results(child: Child) -> Vec<InvocationResult> {
    let out = child.wait_with_output().expect("front door");
    check("the front door", &out);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            InvocationResult::from_json(&serde_json::from_str(l).expect("JSON")).expect("result")
        })
        .collect()
}

fn state(dir: &Path, name: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{name}.state.json"))).expect("state"),
    )
    .expect("state JSON")
}

/// Runs a drill: creates the accounts, then sends transfers while `disrupt` kills and starts
/// workers; checks the outcome.
fn drill(
    name: &str,
    disrupt: impl FnOnce(&Path, &str, &str, Vec<Worker>) -> Vec<Worker>,
    workers: usize,
) {
    let _turn = one_at_a_time();
    let brokers = brokers();
    let topics = unique(name);
    let dir = tempdir(name);
    let accounts = 6;
    let lines = transfer_workload(accounts, 400, 7);
    let (creates, transfers) = lines.split_at(accounts as usize);
    let started: Vec<Worker> = (0..workers)
        .map(|_| Worker::start(&brokers, &topics, &dir))
        .collect();
    let created = results(front_door(&brokers, &topics, creates, &dir, "creates"));
    let load = front_door(&brokers, &topics, transfers, &dir, "transfers");
    eprintln!("drill {name}: worker logs in {}", dir.display());
    let _alive = disrupt(&dir, &brokers, &topics, started);
    let mut got = created;
    got.extend(results(load));
    let saved: Vec<String> = got.iter().map(|r| r.to_json().to_string()).collect();
    std::fs::write(dir.join("results.jsonl"), saved.join("\n") + "\n").expect("results");
    check_transfer_drill(
        &app(),
        &lines,
        &got,
        &state(&dir, "transfers"),
        accounts as i64,
    );
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(name));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn conformance(cases: &[&str]) {
    let _turn = one_at_a_time();
    let brokers = brokers();
    let out = Command::new(bin())
        .args(["conformance", "--backend", "kafka", "--brokers", &brokers])
        .args(["--backend-opt", "session_timeout_ms=2000"])
        .args(cases.iter().map(|c| root().join(c)))
        .output()
        .expect("conformance");
    check("conformance on Kafka", &out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("cases agree"), "{stdout}");
}

/// The examples and the cases about transactions, contention, remote calls and errors.
#[test]
fn conformance_core_cases_on_kafka() {
    conformance(CORE_CASES);
}

/// Every case (a few minutes on the local broker).
#[test]
#[ignore = "minutes long: run with --ignored"]
fn conformance_suite_on_kafka() {
    conformance(&[]);
}

#[test]
fn a_worker_killed_mid_load_and_restarted_loses_and_repeats_nothing() {
    drill(
        "restart",
        |dir, brokers, topics, mut workers| {
            std::thread::sleep(Duration::from_secs(3));
            workers.pop().expect("worker").kill9();
            std::thread::sleep(Duration::from_millis(300));
            vec![Worker::start(brokers, topics, dir)]
        },
        1,
    );
}

#[test]
fn a_surviving_worker_takes_over_the_partitions_of_a_killed_one() {
    drill(
        "takeover",
        |_, _, _, mut workers| {
            std::thread::sleep(Duration::from_secs(4));
            workers.remove(0).kill9();
            workers
        },
        2,
    );
}

/// An HTTP front door (`entiflow run --backend kafka`) with no worker of its own, waiting at most
/// `timeout_ms` for results.
fn run_front_door(brokers: &str, topics: &str, timeout_ms: u64) -> Server {
    Server::start(
        &app(),
        &[
            "--backend",
            "kafka",
            "--brokers",
            brokers,
            "--backend-opt",
            &format!("app={topics}"),
            "--backend-opt",
            "workers=0",
            "--backend-opt",
            "partitions=4",
            "--backend-opt",
            &format!("timeout_ms={timeout_ms}"),
        ],
    )
}

/// `GET` of a URL on a running front door: the status and the body.
fn http_get(url: &str) -> (u16, String) {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build();
    match agent.get(url).call() {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => panic!("GET {url}: {e}"),
    }
}

/// A read the backend cannot answer in time (no worker runs yet) fails that request alone: the
/// `run` front door keeps serving, and answers once a worker has started.
#[test]
fn a_read_that_times_out_fails_alone_and_the_front_door_keeps_serving() {
    let _turn = one_at_a_time();
    let brokers = brokers();
    let topics = unique("read-timeout");
    let dir = tempdir("read-timeout");
    let server = run_front_door(&brokers, &topics, 2000);
    let (status, body) = http_get(&format!("{}/healthz", server.url));
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("Unavailable") && body.contains("Timeout"),
        "{body}"
    );
    let _worker = Worker::start(&brokers, &topics, &dir);
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build();
    let create = r#"{"id":"c1","create":"Account","args":["alice",100]}"#;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let answer = loop {
        let sent = agent
            .post(&format!("{}/v1/invoke", server.url))
            .set("content-type", "application/json")
            .send_string(create);
        match sent {
            Ok(r) => break r.into_string().expect("body"),
            Err(e) if std::time::Instant::now() < deadline => {
                eprintln!("not yet: {e}");
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => panic!("the front door never answered after its read failed: {e}"),
        }
    };
    assert!(
        answer.contains(r#""result":{"$entity":"Account","key":"alice"}"#),
        "{answer}"
    );
    let (status, body) = http_get(&format!("{}/v1/entities/Account/alice", server.url));
    assert_eq!(
        (status, body.contains(r#""balance":100"#)),
        (200, true),
        "{body}"
    );
}

/// SIGTERM stops a `run` front door promptly even while its backend still waits for results
/// (no worker runs): the waiting invocations' clients are gone, and what was sent stays in the
/// backend's log.
#[test]
fn sigterm_does_not_wait_for_results_of_clients_that_left() {
    let _turn = one_at_a_time();
    let brokers = brokers();
    let topics = unique("sigterm");
    let mut server = run_front_door(&brokers, &topics, 600_000);
    for n in 0..3 {
        let url = format!("{}/v1/invoke", server.url);
        std::thread::spawn(move || {
            let agent = ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(600))
                .build();
            let body = format!(r#"{{"id":"c{n}","create":"Account","args":["a{n}",1]}}"#);
            let _ = agent.post(&url).send_string(&body);
        });
        std::thread::sleep(Duration::from_millis(300));
    }
    let signalled = std::time::Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = signalled + Duration::from_secs(60);
    while server.child.try_wait().expect("wait").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "still running 60 s after SIGTERM (the backend's timeout is 600 s)"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
