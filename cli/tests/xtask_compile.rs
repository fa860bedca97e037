//! `cargo xtask compile --backend NAME APP.py -o DIR` end to end: it builds the compiler and
//! the backend's plugin (named as a user names it: `native`, `kafka`), loads the plugin and
//! writes the IR and the engine's artifacts.
//!
//! A test binary of its own: it rebuilds `target/debug/entiflow`, which the other command-line
//! tests run, and test binaries never run at the same time.

mod support;

use std::process::Command;

use support::root;

/// Runs `cargo xtask compile --backend BACKEND examples/shop/app.py -o DIR`, checks that it
/// loaded `plugin_file` and wrote the IR, its text and the dataflow graph, and returns DIR.
fn xtask_compile(backend: &str, plugin_file: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "entiflow-xtask-compile-{backend}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root())
        .args([
            "xtask",
            "compile",
            "--backend",
            backend,
            "examples/shop/app.py",
            "-o",
            dir.to_str().unwrap(),
        ])
        .output()
        .expect("run cargo xtask");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "cargo xtask compile failed:\n{log}");
    assert!(
        log.contains(&format!("{plugin_file}{}", std::env::consts::DLL_SUFFIX)),
        "the plugin file was loaded: {log}"
    );
    let program =
        ir::Program::from_json(&std::fs::read(dir.join("app.ir.json")).unwrap()).expect("valid IR");
    assert_eq!(program.name, "app");
    assert!(program.entity("User").is_some());
    for file in ["app.ir.txt", "app.dot"] {
        assert!(
            std::fs::metadata(dir.join(file))
                .map(|m| m.len() > 0)
                .unwrap_or(false),
            "{file} written"
        );
    }
    dir
}

#[test]
fn xtask_compile_builds_loads_and_writes_artifacts() {
    let dir = xtask_compile("native", "libentiflow_native");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn xtask_compile_for_kafka_writes_the_deployment_plan() {
    let dir = xtask_compile("kafka", "libentiflow_kafka");
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("kafka.json")).unwrap()).unwrap();
    assert_eq!(plan["app"], "entiflow.app");
    assert_eq!(plan["consumer_group"], "entiflow.app.workers");
    let topics: Vec<(String, u64, String)> = plan["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["partitions"].as_u64().unwrap(),
                t["cleanup_policy"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("entiflow.app.ingress", 4, "delete"),
        ("entiflow.app.internal", 4, "delete"),
        ("entiflow.app.egress", 1, "delete"),
        ("entiflow.app.dead-letter", 1, "compact"),
        ("entiflow.app.snapshots", 4, "compact"),
    ]
    .map(|(n, p, c)| (n.to_string(), p, c.to_string()));
    assert_eq!(topics, expected);
    let script = std::fs::read_to_string(dir.join("worker.sh")).unwrap();
    assert!(
        script.contains("kafka worker \"$app_file\" --brokers \"$BROKERS\" --partitions 4 --topics entiflow.app"),
        "{script}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
