//! `cargo xtask compile --backend native APP.py -o DIR` end to end: it builds the compiler and
//! the native engine's plugin, loads the plugin and writes the IR and the engine's artifacts.
//!
//! A test binary of its own: it rebuilds `target/debug/entiflow`, which the other command-line
//! tests run, and test binaries never run at the same time.

mod support;

use std::process::Command;

use support::root;

#[test]
fn xtask_compile_builds_loads_and_writes_artifacts() {
    let dir = std::env::temp_dir().join(format!("entiflow-xtask-compile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root())
        .args([
            "xtask",
            "compile",
            "--backend",
            "native",
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
        log.contains(&format!(
            "libentiflow_native{}",
            std::env::consts::DLL_SUFFIX
        )),
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
    let _ = std::fs::remove_dir_all(&dir);
}
