//! Developer workflows for the entiflow workspace: `cargo xtask <verb>`.
//!
//! - `test`: everything CI runs: the Rust test suite, the Python package and example tests, and
//!   the conformance suite of every backend.
//! - `compile [--backend NAME] APP.py [-o DIR]`: builds the compiler and writes IR and artifacts.
//! - `bench`: the criterion benchmarks and the end-to-end load figures.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd.current_dir(root()).status().with_context(|| format!("cannot start {cmd:?}"))?;
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
    run(cargo().args(["build", "--workspace", "--bins"]))?;
    run(cargo().args(["test", "--workspace"]))?;
    let venv_python = root().join(".venv/bin/python");
    let entiflow_bin = root().join("target/debug/entiflow");
    run(Command::new(&venv_python).args(["-m", "pytest", "-q", "python/tests", "examples"]).env("ENTIFLOW_BIN", &entiflow_bin))?;
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
    run(cargo().args(["build", "--quiet", "-p", "entiflow"]))?;
    let bin = root().join("target/debug/entiflow");
    run(Command::new(bin).args(["compile", &app, "--backend", &backend, "-o", &output, "--emit", "ir", "--emit", "ir-text", "--emit", "dot"]))
}

fn bench() -> Result<()> {
    run(cargo().args(["bench", "--workspace"]))?;
    run(cargo().args(["build", "--release", "-p", "entiflow", "-p", "entiflow-loadgen"]))?;
    run(Command::new("python3").arg("scripts/bench_e2e.py"))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("compile") => compile(&args[1..]),
        Some("bench") => bench(),
        _ => {
            eprintln!("usage: cargo xtask <test | compile [--backend NAME] APP.py [-o DIR] | bench>");
            std::process::exit(2);
        }
    }
}
