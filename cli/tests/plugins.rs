//! Backends as plugins, end to end: discovery and rejection (`entiflow backends`), the
//! conformance command on the native engine linked in, on its plugin build and on a backend
//! built outside this workspace, faulty plugins (a panic, an old ABI, a file that is no plugin),
//! and `run` on a plugin. (`cargo xtask compile` has a test binary of its own: it rebuilds the
//! `entiflow` binary, which must not happen while these tests run it.)
//!
//! The plugin crates are built here with cargo (a no-op when they are up to date); the
//! third-party example builds in its own workspace and target directory
//! (`target/third-party-backend`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use support::{bin, cargo_build, check, root, Server};

fn library(dir: &Path, crate_name: &str) -> PathBuf {
    dir.join(format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        crate_name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    ))
}

/// The workspace's plugin files (native, panicking, old ABI), built once per test run.
fn workspace_plugins() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = cargo_build()
            .args([
                "-p",
                "entiflow-native",
                "-p",
                "panicking-backend",
                "-p",
                "old-abi-backend",
            ])
            .output()
            .expect("run cargo");
        check("building the workspace plugins", &out);
        let dir = bin().parent().expect("target dir").to_path_buf();
        for name in ["entiflow-native", "panicking-backend", "old-abi-backend"] {
            assert!(
                library(&dir, name).is_file(),
                "{} was built",
                library(&dir, name).display()
            );
        }
        dir
    })
}

/// The third-party example, built by its own workspace outside this one.
fn third_party_plugin() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        // Plugin lookups by name scan the workspace's plugins too: have them built first.
        workspace_plugins();
        let target = root().join("target/third-party-backend");
        let out = cargo_build()
            .arg("--manifest-path")
            .arg(root().join("examples/third-party-backend/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .output()
            .expect("run cargo");
        check("building examples/third-party-backend", &out);
        let profile = bin()
            .parent()
            .and_then(|d| d.file_name())
            .map(|n| n.to_owned())
            .unwrap_or_else(|| "debug".into());
        library(&target.join(profile), "third-party-backend")
    })
}

fn entiflow(args: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(root())
        .env_remove("ENTIFLOW_PLUGIN_PATH");
    cmd
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("entiflow-plugins-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn backends_lists_plugins_and_says_why_files_are_rejected() {
    let plugins = workspace_plugins();
    let extra = tempdir("listing");
    std::fs::write(library(&extra, "bogus"), "this is not a dynamic library").unwrap();
    let out = entiflow(&["backends"])
        .env("ENTIFLOW_PLUGIN_PATH", &extra)
        .output()
        .unwrap();
    check("entiflow backends", &out);
    let listing = text(&out);
    assert!(listing.contains("built in"), "{listing}");
    let native_row = listing
        .lines()
        .find(|l| l.starts_with("native-plugin"))
        .unwrap_or_else(|| panic!("the native plugin is listed:\n{listing}"));
    assert!(
        native_row.contains("serializable_transactions")
            && native_row.contains(&library(plugins, "entiflow-native").display().to_string()),
        "{native_row}"
    );
    assert!(
        listing.lines().any(|l| l.starts_with("panicking ")),
        "{listing}"
    );
    let old = listing
        .lines()
        .find(|l| l.contains("libold_abi_backend"))
        .unwrap_or_else(|| panic!("the old-ABI plugin is reported:\n{listing}"));
    assert!(
        old.contains("[ABI version mismatch]")
            && old.contains("old_abi_backend")
            && old.contains("expected 0.1.0, found 0.0.1"),
        "{old}"
    );
    let bogus = listing
        .lines()
        .find(|l| l.contains("libbogus"))
        .unwrap_or_else(|| panic!("the bogus file is reported:\n{listing}"));
    assert!(bogus.contains("[not a plugin]"), "{bogus}");

    let out = entiflow(&["backends", "--json"])
        .env("ENTIFLOW_PLUGIN_PATH", &extra)
        .output()
        .unwrap();
    check("entiflow backends --json", &out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["abi_version"], "0.1.0");
    let backends = doc["backends"].as_array().unwrap();
    assert_eq!(backends[0]["source"], "built-in");
    assert_eq!(
        backends[0]["description"]["capabilities"],
        json!({"serializable_transactions": true, "exactly_once": true, "durability": true, "distributed": false})
    );
    assert!(backends
        .iter()
        .any(|b| b["select"] == "native-plugin" && b["description"]["name"] == "native"));
    let rejected = doc["rejected"].as_array().unwrap();
    assert!(rejected.iter().any(|r| r["kind"] == "ABI version mismatch"));
    assert!(rejected.iter().any(|r| r["kind"] == "not a plugin"
        && r["path"]
            .as_str()
            .unwrap()
            .ends_with(&format!("bogus{}", std::env::consts::DLL_SUFFIX))));
}

fn conformance(backend: &str, env_path: Option<&Path>) -> Output {
    let mut cmd = entiflow(&["conformance", "--backend", backend]);
    if let Some(p) = env_path {
        cmd.env("ENTIFLOW_PLUGIN_PATH", p);
    }
    cmd.output().unwrap()
}

fn assert_all_agree(out: &Output, backend_name: &str) {
    check("conformance", out);
    let report = text(out);
    let summary = report
        .lines()
        .find(|l| l.contains("cases agree"))
        .unwrap_or_else(|| panic!("a summary line:\n{report}"));
    let counts: Vec<usize> = summary
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .take(2)
        .collect();
    assert!(
        counts.len() == 2 && counts[0] == counts[1] && counts[0] >= 20,
        "every case agrees: {summary}"
    );
    assert!(summary.contains(&format!("'{backend_name}'")), "{summary}");
    assert!(!report.contains("FAIL"), "{report}");
}

#[test]
fn conformance_of_the_native_engine_linked_in() {
    assert_all_agree(&conformance("native", None), "native");
}

#[test]
fn conformance_of_the_native_engine_as_a_plugin() {
    workspace_plugins();
    let out = conformance("native-plugin", None);
    assert_all_agree(&out, "native");
    assert!(
        text(&out).contains("libentiflow_native"),
        "the plugin file ran"
    );
}

#[test]
fn conformance_of_a_backend_built_outside_the_workspace() {
    let plugin = third_party_plugin();
    assert_all_agree(&conformance(plugin.to_str().unwrap(), None), "serial");
    // Found by name on the plugin path, it gives the native engine's output byte for byte.
    let case = root().join("examples/bank");
    let dir = tempdir("third-party");
    let run = |backend: &str, state: &Path| {
        let out = entiflow(&[
            "exec",
            case.join("app.py").to_str().unwrap(),
            "--input",
            case.join("invocations.jsonl").to_str().unwrap(),
            "--dump-state",
            state.to_str().unwrap(),
            "--backend",
            backend,
        ])
        .env("ENTIFLOW_PLUGIN_PATH", plugin.parent().unwrap())
        .output()
        .unwrap();
        check(&format!("exec --backend {backend}"), &out);
        out.stdout
    };
    let serial = run("serial", &dir.join("serial.json"));
    let native = run("native", &dir.join("native.json"));
    assert_eq!(
        String::from_utf8_lossy(&serial),
        String::from_utf8_lossy(&native)
    );
    assert_eq!(
        std::fs::read(dir.join("serial.json")).unwrap(),
        std::fs::read(dir.join("native.json")).unwrap()
    );
}

#[test]
fn a_panicking_plugin_is_an_error_not_a_crash() {
    let plugin = library(workspace_plugins(), "panicking-backend");
    let shop = root().join("examples/shop");
    let out = entiflow(&[
        "exec",
        shop.join("app.py").to_str().unwrap(),
        "--input",
        shop.join("invocations.jsonl").to_str().unwrap(),
        "--backend",
        "panicking",
    ])
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a clean exit, not a signal: {}",
        text(&out)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("an error line:\n{err}"));
    assert!(
        line.contains("backend 'panicking'")
            && line.contains(&plugin.display().to_string())
            && line.contains("Panic: the backend panicked in invoke(): deliberate panic in invoke"),
        "{line}"
    );

    // The conformance command reports it per case, and says the backend promises no serial outcome.
    let out = conformance(plugin.to_str().unwrap(), None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("FAIL") && report.contains("backend error: Panic"),
        "{report}"
    );
    assert!(
        report.contains("declares serializable_transactions: false"),
        "{report}"
    );
    assert!(report.lines().any(|l| l.starts_with("0/")), "{report}");
}

#[test]
fn a_plugin_of_another_abi_version_is_refused_at_load_time() {
    let plugin = library(workspace_plugins(), "old-abi-backend");
    let out = entiflow(&[
        "exec",
        "examples/shop/app.py",
        "--input",
        "examples/shop/invocations.jsonl",
        "--backend",
        plugin.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&plugin.display().to_string())
            && err.contains("plugin 'old_abi_backend'")
            && err.contains("ABI version mismatch: expected 0.1.0, found 0.0.1"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing ran");
}

#[test]
fn files_and_names_that_are_not_backends_are_clear_errors() {
    let dir = tempdir("bogus");
    let bogus = library(&dir, "bogus");
    std::fs::write(&bogus, "not a library").unwrap();
    let out = entiflow(&[
        "exec",
        "examples/shop/app.py",
        "--input",
        "examples/shop/invocations.jsonl",
        "--backend",
        bogus.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("not an entiflow backend plugin: cannot open it as a dynamic library"),
        "{}",
        text(&out)
    );
    let out = entiflow(&[
        "compile",
        "examples/shop/app.py",
        "--backend",
        "no-such-backend",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("unknown backend 'no-such-backend'"),
        "{}",
        text(&out)
    );
}

#[test]
fn compile_through_a_plugin_writes_the_engine_artifacts() {
    workspace_plugins();
    let dir = tempdir("compile");
    let out = entiflow(&[
        "compile",
        "examples/shop/app.py",
        "--backend",
        "native-plugin",
        "-o",
        dir.to_str().unwrap(),
        "--emit",
        "dot",
    ])
    .output()
    .unwrap();
    check("compile --backend native-plugin", &out);
    let ir = std::fs::read(dir.join("app.ir.json")).expect("the engine's IR artifact");
    let program = ir::Program::from_json(&ir).expect("valid IR");
    assert!(program.entity("Item").is_some());
    assert!(std::fs::read_to_string(dir.join("app.ir.txt"))
        .unwrap()
        .contains("Item"));
    assert!(
        dir.join("app.dot").is_file(),
        "the requested emit is written too"
    );
}

#[test]
fn run_serves_http_through_a_plugin() {
    workspace_plugins();
    let server = Server::start(
        &root().join("examples/shop/app.py"),
        &["--backend", "native-plugin"],
    );
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build();
    let post = |path: &str, body: &str| -> (u16, Value) {
        match agent
            .post(&format!("{}{path}", server.url))
            .send_string(body)
        {
            Ok(r) => (r.status(), r.into_json().unwrap()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_json().unwrap_or(Value::Null)),
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(
        post(
            "/v1/invoke",
            r#"{"id": 1, "create": "Item", "args": ["apple", 5]}"#
        ),
        (
            200,
            json!({"id": 1, "seq": 1, "result": {"$entity": "Item", "key": "apple"}})
        )
    );
    let (code, r) = post(
        "/v1/batch",
        r#"[{"id": 2, "create": "User", "args": ["alice"]}, {"id": 3, "create": 7}, {"id": 4, "entity": "Item", "key": "apple", "method": "update_stock", "args": [10]}]"#,
    );
    assert_eq!(code, 200);
    assert_eq!(r[0]["seq"], 2);
    assert_eq!(r[1]["error"]["type"], "InvalidRequest");
    assert_eq!(r[2]["seq"], 3);
    let state: Value = agent
        .get(&format!("{}/v1/entities/Item/apple", server.url))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        (state["price"].clone(), state["stock"].clone()),
        (json!(5), json!(10)),
        "{state}"
    );
    let metrics = agent
        .get(&format!("{}/metrics", server.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(
        metrics.contains("entiflow_transactions_committed_total 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("entiflow_requests_invalid_total 1"),
        "{metrics}"
    );
}

#[test]
fn the_native_plugin_is_durable_like_the_linked_engine() {
    workspace_plugins();
    let dir = tempdir("durable");
    let data = dir.join("data");
    let case = root().join("examples/bank");
    let (app, input) = (case.join("app.py"), case.join("invocations.jsonl"));
    let out = entiflow(&[
        "exec",
        app.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--backend",
        "native-plugin",
        "--data-dir",
        data.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    check("exec --backend native-plugin --data-dir", &out);
    // The linked engine recovers what the plugin wrote, and so does the plugin itself.
    let empty = dir.join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let recover = |backend: &str, state: &Path| {
        let out = entiflow(&[
            "exec",
            app.to_str().unwrap(),
            "--input",
            empty.to_str().unwrap(),
            "--backend",
            backend,
            "--data-dir",
            data.to_str().unwrap(),
            "--dump-state",
            state.to_str().unwrap(),
        ])
        .output()
        .unwrap();
        check(&format!("recovery with {backend}"), &out);
        std::fs::read_to_string(state).unwrap()
    };
    let linked = recover("native", &dir.join("linked.json"));
    let plugin = recover("native-plugin", &dir.join("plugin.json"));
    let fresh = dir.join("fresh.json");
    check(
        "exec",
        &entiflow(&[
            "exec",
            app.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
            "--dump-state",
            fresh.to_str().unwrap(),
        ])
        .output()
        .unwrap(),
    );
    assert_eq!(linked, std::fs::read_to_string(&fresh).unwrap());
    assert_eq!(plugin, linked);
    // A backend that does not declare durability is not given a data directory.
    let out = entiflow(&[
        "exec",
        app.to_str().unwrap(),
        "--input",
        empty.to_str().unwrap(),
        "--backend",
        "panicking",
        "--data-dir",
        data.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("does not declare durability"),
        "{}",
        text(&out)
    );
}

/// `exec --max-steps` and `--dedup-window` reach a plugin as they reach the linked engine: the
/// output is the same byte for byte.
#[test]
fn exec_settings_reach_the_plugin_as_the_linked_engine() {
    workspace_plugins();
    let dir = tempdir("exec-settings");
    let app = dir.join("app.py");
    std::fs::write(
        &app,
        "from entiflow import entity\n\n@entity\nclass T:\n    def __init__(self, k: str):\n        self.k = k\n        self.v = 0\n    def __key__(self):\n        return self.k\n    def spin(self):\n        while True:\n            self.v += 1\n    def bump(self):\n        self.v += 1\n        return self.v\n",
    )
    .unwrap();
    let input = dir.join("in.jsonl");
    let call = |id: u32, method: &str| {
        format!(r#"{{"id":{id},"entity":"T","key":"a","method":"{method}"}}"#)
    };
    let lines = [
        r#"{"id":1,"create":"T","args":["a"]}"#.to_string(),
        call(2, "spin"),
        call(3, "bump"),
        call(4, "bump"),
        call(5, "bump"),
        call(3, "bump"), // out of a window of 2: runs again
        call(5, "bump"), // in the window: its recorded result
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let run = |backend: &str| {
        let out = entiflow(&[
            "exec",
            app.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
            "--max-steps",
            "1000",
            "--dedup-window",
            "2",
            "--backend",
            backend,
        ])
        .output()
        .unwrap();
        check(&format!("exec --backend {backend}"), &out);
        String::from_utf8(out.stdout).unwrap()
    };
    let linked = run("native");
    assert!(
        linked.contains("more than 1000 steps")
            && linked.contains(r#"{"id":3,"seq":6,"result":4}"#),
        "{linked}"
    );
    assert_eq!(run("native-plugin"), linked);
}
