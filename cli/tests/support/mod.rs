//! Helpers shared by the command-line tests: paths, workload generation and a server handle.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

/// The `entiflow` binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_entiflow"))
}

/// A tiny deterministic generator (xorshift) so workloads need no extra crates.
pub struct Rng(u64);

impl Rng {
    /// Seeds the generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
            | 1)
    }

    /// The next number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Invocations creating `accounts` accounts with 100 each, then `count` random transfers
/// (some overdrawing, some to a hot account), ids `t0`, `t1`, ...
pub fn transfer_workload(accounts: u64, count: u64, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut lines: Vec<String> = (0..accounts)
        .map(|a| format!(r#"{{"id":"c{a}","create":"Account","args":["a{a}",100]}}"#))
        .collect();
    for t in 0..count {
        let from = if rng.below(4) == 0 {
            0
        } else {
            rng.below(accounts)
        };
        let mut to = rng.below(accounts);
        if to == from {
            to = (to + 1) % accounts;
        }
        let amount = 1 + rng.below(60);
        lines.push(format!(r#"{{"id":"t{t}","entity":"Account","key":"a{from}","method":"transfer","args":[{amount},{{"$entity":"Account","key":"a{to}"}}]}}"#));
    }
    lines
}

/// A running `entiflow run`.
pub struct Server {
    /// The child process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Server {
    /// Starts `entiflow run APP` on a free loopback port with extra arguments; waits until healthy.
    pub fn start(app: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .arg("run")
            .arg(app)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .expect("start entiflow run");
        let stderr = child.stderr.take().expect("stderr");
        let mut reader = BufReader::new(stderr);
        let mut line = String::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = loop {
            line.clear();
            if reader.read_line(&mut line).expect("read stderr") == 0 || Instant::now() > deadline {
                panic!("server did not start: {line}");
            }
            if let Some(rest) = line
                .trim()
                .split("on ")
                .last()
                .filter(|r| r.starts_with("http://"))
            {
                break rest.to_string();
            }
        };
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        Server { child, url }
    }

    /// Sends SIGKILL and waits.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cargo build` in the profile of the binary under test.
pub fn cargo_build() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root()).args(["build", "--quiet"]);
    if bin().parent().is_some_and(|d| d.ends_with("release")) {
        cmd.arg("--release");
    }
    cmd
}

/// Fails the test with the output of a command that did not succeed.
pub fn check(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// After a failure drill on a transfer workload (`tests/apps/transfer.py`, every account
/// created with 100): every line answered once, in order; results and state equal the serial replay in `seq` order;
/// money conserved.
pub fn check_transfer_drill(
    app: &Path,
    lines: &[String],
    got: &[runtime_common::InvocationResult],
    state: &serde_json::Value,
    accounts: i64,
) {
    let program =
        frontend_python::compile(&std::fs::read_to_string(app).expect("app"), "transfer.py")
            .expect("compiles");
    assert_eq!(got.len(), lines.len(), "one result per invocation");
    let mut order: Vec<(u64, usize)> = Vec::new();
    for (i, (line, r)) in lines.iter().zip(got).enumerate() {
        let id: serde_json::Value =
            serde_json::from_str::<serde_json::Value>(line).expect("line")["id"].clone();
        assert_eq!(r.id, id, "results in input order");
        order.push((r.seq.expect("every invocation runs"), i));
    }
    order.sort();
    let seqs: Vec<u64> = order.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        seqs,
        (1..=lines.len() as u64).collect::<Vec<_>>(),
        "each invocation applied exactly once: seq is a permutation of 1..=n"
    );
    let mut serial = entiflow_native::Engine::new(
        std::rc::Rc::new(program.clone()),
        entiflow_native::EngineConfig::default(),
    );
    let replayed = serial.execute(
        order
            .iter()
            .map(|(_, i)| runtime_common::contract::parse_invocation(&lines[*i], &program))
            .collect(),
    );
    for (r, (seq, i)) in replayed.iter().zip(&order) {
        assert_eq!(
            got[*i].outcome, r.outcome,
            "line {i} (seq {seq}): {}",
            lines[*i]
        );
    }
    assert_eq!(
        *state,
        serial.dump_state(),
        "final state equals the serial replay"
    );
    let total: i64 = state["Account"]
        .as_object()
        .expect("accounts")
        .values()
        .map(|a| a["balance"].as_i64().expect("balance"))
        .sum();
    assert_eq!(total, 100 * accounts, "money is conserved");
}

/// A Kafka-protocol broker for one test: `ENTIFLOW_KAFKA_BROKERS` if set, else the local tansu
/// of `scripts/services.sh`, restarted empty (its memory engine slows down as topics and
/// transactions of earlier tests accumulate). Tests that use it take turns.
pub fn fresh_broker() -> String {
    if let Ok(b) = std::env::var("ENTIFLOW_KAFKA_BROKERS") {
        return b;
    }
    services_sh(&["down", "kafka"]);
    services_sh(&["up", "kafka"])
}

/// Runs `scripts/services.sh ARGS`; the last line it prints (an address or a directory).
pub fn services_sh(args: &[&str]) -> String {
    let out = Command::new("bash")
        .arg(root().join("scripts/services.sh"))
        .args(args)
        .output()
        .expect("run scripts/services.sh");
    check(&format!("scripts/services.sh {}", args.join(" ")), &out);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The conformance cases a distributed backend runs in the default test run: the examples and
/// the cases about transactions, contention, remote calls and errors.
pub const CORE_CASES: &[&str] = &[
    "examples/bank",
    "examples/hotel",
    "examples/shop",
    "tests/conformance/transactions",
    "tests/conformance/keys_hot",
    "tests/conformance/remote_errors",
    "tests/conformance/call_chains",
    "tests/conformance/refs_in_collections",
];
