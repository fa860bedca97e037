//! Developer workflows for the entiflow workspace: `cargo xtask <verb>`.
//!
//! - `test`: everything CI runs: the Rust test suite, the Python package and example tests, and
//!   the conformance suite of every backend.
//! - `compile [--backend NAME] APP.py [-o DIR]`: builds the compiler and the backend's plugin,
//!   loads the plugin and writes the IR and the engine's artifacts. NAME is a backend of the
//!   workspace (`native`, `kafka`, `flink`: the crate in `backends/NAME`), a workspace package
//!   that builds a plugin, a directory holding a plugin crate of its own
//!   workspace (built into `target/<directory name>`), or a plugin file.
//! - `bench`: the criterion benchmarks and the end-to-end load figures (native, and Kafka beside
//!   native on a local broker).
//! - `services up kafka|flink | down [kafka|flink] | status | flink-home | flink-connector`:
//!   local services for tests, run by `scripts/services.sh`. `up kafka` installs and starts a
//!   Kafka-compatible broker (tansu) and prints its bootstrap address, `127.0.0.1:PORT`, as the
//!   last line of stdout; `up flink` installs and starts a local Apache Flink standalone cluster
//!   and prints its REST address the same way. `down` without a service stops both.
//!   `flink-home` prints the FLINK_HOME of the installed Flink and `flink-connector` the
//!   directory holding the Kafka connector jars (`flink-connector-kafka.jar`,
//!   `kafka-clients.jar`), installing them if needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd
        .current_dir(root())
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn test() -> Result<()> {
    run(Command::new("bash").arg("scripts/python-env.sh"))?;
    // Everything, plugins (cdylibs) included: the plugin tests load them.
    run(cargo().args(["build", "--workspace"]))?;
    run(cargo().args(["test", "--workspace"]))?;
    let venv_python = root().join(".venv/bin/python");
    let entiflow_bin = root().join("target/debug/entiflow");
    run(Command::new(&venv_python)
        .args(["-m", "pytest", "-q", "python/tests", "examples"])
        .env("ENTIFLOW_BIN", &entiflow_bin))?;
    Ok(())
}

fn compile(args: &[String]) -> Result<()> {
    let mut backend = "native".to_string();
    let mut output = None;
    let mut app = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--backend" => backend = it.next().context("--backend needs a name")?.clone(),
            "-o" | "--output" => output = Some(it.next().context("-o needs a directory")?.clone()),
            other if app.is_none() => app = Some(other.to_string()),
            other => bail!("unexpected argument {other}"),
        }
    }
    let app = app.context("usage: cargo xtask compile [--backend NAME] APP.py [-o DIR]")?;
    let output = output.unwrap_or_else(|| "target/entiflow-out".into());
    let plugin = build_plugin(&backend)?;
    run(cargo().args(["build", "--quiet", "-p", "entiflow"]))?;
    let bin = root().join("target/debug/entiflow");
    let mut cmd = Command::new(bin);
    cmd.args(["compile", &app, "--backend"]).arg(&plugin).args([
        "-o", &output, "--emit", "ir", "--emit", "ir-text", "--emit", "dot",
    ]);
    run(&mut cmd)
}

/// The file name cargo gives the dynamic library of crate `name` on this platform.
fn library_file(name: &str) -> String {
    format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    )
}

/// The `[package]` name of a manifest.
fn package_name(manifest: &Path) -> Result<String> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line
                .strip_prefix("name")
                .map(str::trim_start)
                .and_then(|l| l.strip_prefix('='))
            {
                return Ok(value.trim().trim_matches('"').to_string());
            }
        }
    }
    bail!("{} has no [package] name", manifest.display())
}

/// Builds the plugin that `backend` names (unless it is a plugin file already) and returns its
/// path.
fn build_plugin(backend: &str) -> Result<PathBuf> {
    let given = root().join(backend);
    if given.is_file() {
        return Ok(given);
    }
    if given.join("Cargo.toml").is_file() {
        // A plugin crate with a workspace of its own: its own target directory.
        let manifest = given.join("Cargo.toml");
        let package = package_name(&manifest)?;
        let dir_name = given
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| package.clone());
        let target = root().join("target").join(dir_name);
        run(cargo()
            .arg("build")
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target))?;
        return Ok(target.join("debug").join(library_file(&package)));
    }
    let package = workspace_backend_package(backend)?;
    let package = package.as_str();
    run(cargo().args(["build", "--quiet", "-p", package])).with_context(|| format!("backend '{backend}' is neither a backend of the workspace (`native`, `kafka`, `flink`), a workspace package, a plugin crate directory nor a plugin file"))?;
    let file = root().join("target/debug").join(library_file(package));
    if !file.is_file() {
        bail!(
            "package {package} built no plugin ({} is missing): is it a cdylib?",
            file.display()
        );
    }
    Ok(file)
}

/// The workspace package that builds the plugin of backend `name`: the package of
/// `backends/<name>` (`kafka` is `entiflow-kafka`), `entiflow-native` for `native-plugin`, or
/// `name` itself (a package named directly).
fn workspace_backend_package(name: &str) -> Result<String> {
    let name = if name == "native-plugin" {
        "native"
    } else {
        name
    };
    let manifest = root().join("backends").join(name).join("Cargo.toml");
    if !name.is_empty() && !name.contains(['/', '\\', '.']) && manifest.is_file() {
        return package_name(&manifest);
    }
    Ok(name.to_string())
}

fn bench() -> Result<()> {
    run(cargo().args(["bench", "--workspace"]))?;
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "entiflow",
        "-p",
        "entiflow-loadgen",
        "-p",
        "entiflow-kafka",
        "-p",
        "entiflow-flink",
    ]))?;
    run(Command::new("python3").arg("scripts/bench_e2e.py"))?;
    run(Command::new("python3").arg("scripts/bench_distributed.py"))
}

fn services(args: &[String]) -> Result<()> {
    run(Command::new("bash").arg("scripts/services.sh").args(args))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("compile") => compile(&args[1..]),
        Some("bench") => bench(),
        Some("services") => services(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <test | compile [--backend NAME] APP.py [-o DIR] | bench \
                 | services <up kafka|flink | down [kafka|flink] | status | flink-home \
                 | flink-connector>>"
            );
            std::process::exit(2);
        }
    }
}
