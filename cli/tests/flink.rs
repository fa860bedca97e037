//! The Flink backend on a local Flink cluster and a Kafka-protocol broker, both started by
//! `scripts/services.sh` (the broker restarted empty for each test), unless
//! `ENTIFLOW_KAFKA_BROKERS` / `ENTIFLOW_FLINK_JOBMANAGER` name running ones: the core conformance cases (every case with `--ignored`), and two failure
//! drills on a transfer workload: a TaskManager SIGKILLed in the middle of the load (the job
//! restarts from its last checkpoint on a fresh TaskManager), and the job cancelled in the middle
//! of the load and submitted again from its last retained checkpoint. After each drill every
//! invocation is answered once, the results and the final state equal the serial engine replaying
//! the invocations in the reported `seq` order, and money is conserved.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use runtime_common::InvocationResult;
use serde_json::Value;
use support::{
    bin, cargo_build, check, check_transfer_drill, fresh_broker, root, services_sh,
    transfer_workload, CORE_CASES,
};

/// Where the Flink cluster runs, and what a job is built against.
struct Services {
    jobmanager: String,
    flink_home: String,
    connector: String,
}

/// The Flink cluster; the Flink plugin is built first. Each test takes a fresh broker
/// ([`fresh_broker`]).
fn services() -> &'static Services {
    static SERVICES: OnceLock<Services> = OnceLock::new();
    SERVICES.get_or_init(|| {
        let out = cargo_build()
            .args(["-p", "entiflow-flink"])
            .output()
            .expect("cargo");
        check("building the Flink plugin", &out);
        Services {
            jobmanager: std::env::var("ENTIFLOW_FLINK_JOBMANAGER")
                .unwrap_or_else(|_| services_sh(&["up", "flink"])),
            flink_home: services_sh(&["flink-home"]),
            connector: services_sh(&["flink-connector"]),
        }
    })
}

/// `entiflow` with the Flink toolchain in its environment.
fn entiflow() -> Command {
    let s = services();
    let mut cmd = Command::new(bin());
    cmd.env("FLINK_HOME", &s.flink_home)
        .env("ENTIFLOW_FLINK_CONNECTOR", &s.connector)
        .env("ENTIFLOW_FLINK_JOBMANAGER", &s.jobmanager);
    cmd
}

/// One test of this file at a time: the drills take the cluster's TaskManager away.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("flink-drill.{name}.{}-{nanos}", std::process::id())
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(name));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn app() -> PathBuf {
    root().join("tests/apps/transfer.py")
}

fn conformance(cases: &[&str]) {
    let _turn = one_at_a_time();
    let brokers = fresh_broker();
    let out = entiflow()
        .args(["conformance", "--backend", "flink", "--brokers"])
        .arg(&brokers)
        .args(cases.iter().map(|c| root().join(c)))
        .output()
        .expect("conformance");
    check("conformance on Flink", &out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("cases agree"), "{stdout}");
}

/// The examples and the cases about transactions, contention, remote calls and errors.
#[test]
fn conformance_core_cases_on_flink() {
    conformance(CORE_CASES);
}

/// Every case (several minutes: a job per case).
#[test]
#[ignore = "minutes long: run with --ignored"]
fn conformance_suite_on_flink() {
    conformance(&[]);
}

/// `entiflow exec --backend flink` sending `lines`; `extra` are more arguments.
fn exec(brokers: &str, lines: &[String], dir: &Path, extra: &[&str]) -> Child {
    let input = dir.join("input.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").expect("input");
    entiflow()
        .arg("exec")
        .arg(app())
        .arg("--input")
        .arg(&input)
        .arg("--dump-state")
        .arg(dir.join("state.json"))
        .args(["--backend", "flink", "--brokers", brokers])
        // Generous: after a failover the job redeploys and replays from its checkpoint, which
        // on a busy two-core machine has taken minutes; a stall still fails the drill.
        .args(["--backend-opt", "timeout_ms=480000"])
        .args(["--backend-opt", "checkpoint_ms=500"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start entiflow exec")
}

fn finish(child: Child, dir: &Path) -> (Vec<InvocationResult>, Value) {
    let out = child.wait_with_output().expect("entiflow exec");
    check("entiflow exec on Flink", &out);
    let results = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            InvocationResult::from_json(&serde_json::from_str(l).expect("JSON")).expect("result")
        })
        .collect();
    let state =
        serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).expect("state dump"))
            .expect("state JSON");
    (results, state)
}

fn rest(path: &str) -> Value {
    ureq::get(&format!("http://{}{path}", services().jobmanager))
        .call()
        .expect("Flink REST")
        .into_json()
        .expect("JSON")
}

/// The id of the running job of application `app`, waiting for it to run.
fn running_job(app: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let jobs = rest("/jobs/overview");
        for job in jobs["jobs"].as_array().into_iter().flatten() {
            if job["name"].as_str() == Some(&format!("entiflow {app}")) && job["state"] == "RUNNING"
            {
                return job["jid"].as_str().expect("jid").to_string();
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("no running job of {app} after 120 s");
}

/// Waits until the job has completed a checkpoint after `after` were completed.
fn wait_checkpoints(job: &str, after: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let completed = rest(&format!("/jobs/{job}/checkpoints"))["counts"]["completed"]
            .as_u64()
            .unwrap_or(0);
        if completed > after {
            return completed;
        }
        assert!(
            Instant::now() < deadline,
            "no checkpoint of job {job} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

const ACCOUNTS: u64 = 6;

/// A TaskManager killed with SIGKILL in the middle of the load: the job fails over to a fresh
/// TaskManager from its last completed checkpoint.
#[test]
fn a_taskmanager_killed_mid_load_loses_and_repeats_nothing() {
    let _turn = one_at_a_time();
    let brokers = fresh_broker();
    let app_name = unique("taskmanager");
    let dir = tempdir("taskmanager");
    let lines = transfer_workload(ACCOUNTS, 1500, 11);
    let mut front = exec(
        &brokers,
        &lines,
        &dir,
        &["--backend-opt", &format!("app={app_name}")],
    );
    let job = running_job(&app_name);
    wait_checkpoints(&job, 1);
    services_sh(&["flink-taskmanager", "kill"]);
    assert!(
        front.try_wait().expect("front door").is_none(),
        "the load still runs when the TaskManager dies"
    );
    services_sh(&["flink-taskmanager", "start"]);
    let (got, state) = finish(front, &dir);
    let failures = rest(&format!("/jobs/{job}/exceptions"))["exceptionHistory"]["entries"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(failures > 0, "the job failed over");
    check_transfer_drill(&app(), &lines, &got, &state, ACCOUNTS as i64);
}

/// The job cancelled in the middle of the load and submitted again (with the `run.sh` of
/// `entiflow compile --backend flink`) from its last retained checkpoint, while a front door
/// that does not own the job waits for every result.
#[test]
fn a_job_cancelled_mid_load_and_restored_from_its_checkpoint_loses_and_repeats_nothing() {
    let _turn = one_at_a_time();
    let s = services();
    let brokers = fresh_broker();
    let app_name = unique("restore");
    let dir = tempdir("restore");
    let built = dir.join("job");
    let out = entiflow()
        .arg("compile")
        .arg(app())
        .args(["--backend", "flink", "-o"])
        .arg(&built)
        .output()
        .expect("entiflow compile");
    check("entiflow compile --backend flink", &out);
    let lines = transfer_workload(ACCOUNTS, 1500, 12);
    // The front door creates the topics and sends everything; no job runs yet.
    let mut front = exec(
        &brokers,
        &lines,
        &dir,
        &[
            "--backend-opt",
            &format!("app={app_name}"),
            "--backend-opt",
            "submit=false",
        ],
    );
    std::thread::sleep(Duration::from_secs(2));
    let checkpoints = format!("file://{}", dir.join("checkpoints").display());
    let submit = |savepoint: &str| {
        let out = Command::new("bash")
            .arg(built.join("run.sh"))
            .env("BROKERS", &brokers)
            .env("JOBMANAGER", &s.jobmanager)
            .env("APP", &app_name)
            .env("CHECKPOINT_DIR", &checkpoints)
            .env("SAVEPOINT", savepoint)
            .output()
            .expect("run.sh");
        check("run.sh", &out);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let first = submit("");
    assert_eq!(running_job(&app_name), first);
    wait_checkpoints(&first, 2);
    assert!(
        front.try_wait().expect("front door").is_none(),
        "the load still runs when the job is cancelled"
    );
    ureq::request(
        "PATCH",
        &format!("http://{}/jobs/{first}?mode=cancel", s.jobmanager),
    )
    .call()
    .expect("cancel");
    let deadline = Instant::now() + Duration::from_secs(60);
    while rest(&format!("/jobs/{first}"))["state"] != "CANCELED" {
        assert!(Instant::now() < deadline, "the job did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
    let retained = rest(&format!("/jobs/{first}/checkpoints"))["latest"]["completed"]
        ["external_path"]
        .as_str()
        .expect("a retained checkpoint")
        .to_string();
    let second = submit(&retained);
    let (got, state) = finish(front, &dir);
    let _ = ureq::request(
        "PATCH",
        &format!("http://{}/jobs/{second}?mode=cancel", s.jobmanager),
    )
    .call();
    check_transfer_drill(&app(), &lines, &got, &state, ACCOUNTS as i64);
}
