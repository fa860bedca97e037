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
