//! `entiflow conformance`: runs conformance cases through a backend's interface and through the
//! CPython reference (`python -m entiflow.testing`), and compares every result and the final
//! state.
//!
//! A case is a directory with `app.py` and `invocations.jsonl`. Results must agree exactly,
//! except that `InvalidRequest` errors compare by type only (their messages are free-form).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use entiflow_native::EngineConfig;
use ir::Program;
use runtime_common::contract::parse_invocation;
use serde_json::{json, Value as Json};

use crate::backends::{select, Selected};
use crate::compile::load_program;

/// Invocations per batch handed to the backend.
const BATCH: usize = 1024;

fn is_case(dir: &Path) -> bool {
    dir.join("app.py").is_file() && dir.join("invocations.jsonl").is_file()
}

/// The first directory, from the working directory up and then from the executable up, for
/// which `found` says yes.
fn search_up(found: impl Fn(&Path) -> Option<PathBuf>) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok();
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf));
    [cwd, exe_dir]
        .into_iter()
        .flatten()
        .find_map(|start| start.ancestors().find_map(&found))
}

/// The nearest directory holding `examples/` or `tests/conformance/`.
fn project_root() -> Option<PathBuf> {
    search_up(|d| {
        (d.join("examples").is_dir() || d.join("tests/conformance").is_dir())
            .then(|| d.to_path_buf())
    })
}

/// Every case under `examples/` and `tests/conformance/` of the project root.
pub fn default_cases() -> Result<Vec<PathBuf>, String> {
    let root = project_root().ok_or(
        "no case directories given, and no examples/ or tests/conformance/ found from here",
    )?;
    let mut cases = Vec::new();
    for dir in ["examples", "tests/conformance"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| is_case(p))
            .collect();
        found.sort();
        cases.extend(found);
    }
    if cases.is_empty() {
        return Err(format!(
            "no cases (directories with app.py and invocations.jsonl) under {}",
            root.display()
        ));
    }
    Ok(cases)
}

/// The directory holding the reference's pure-Python package (`python/src`), if one is near.
fn python_src() -> Option<PathBuf> {
    search_up(|d| {
        let src = d.join("python/src");
        src.join("entiflow/testing").exists().then_some(src)
    })
}

fn python() -> String {
    std::env::var("ENTIFLOW_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".to_string())
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, String> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "entiflow-conformance-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the reference; results (one per non-blank line) and the final state.
fn reference(app: &Path, input: &Path) -> Result<(Vec<Json>, Json), String> {
    let scratch = Scratch::new()?;
    let state_path = scratch.0.join("state.json");
    let mut cmd = Command::new(python());
    cmd.args(["-m", "entiflow.testing"])
        .arg(app)
        .arg("--input")
        .arg(input)
        .arg("--dump-state")
        .arg(&state_path);
    if let Some(src) = python_src() {
        let mut paths = vec![src];
        if let Some(existing) = std::env::var_os("PYTHONPATH") {
            paths.extend(std::env::split_paths(&existing));
        }
        cmd.env(
            "PYTHONPATH",
            std::env::join_paths(paths).map_err(|e| e.to_string())?,
        );
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run the reference ({}): {e}", python()))?;
    if !out.status.success() {
        return Err(format!(
            "the reference failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let results = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            runtime_common::contract::from_slice_unbounded(l.as_bytes())
                .map_err(|e| format!("the reference printed a result that is not JSON: {e}"))
        })
        .collect::<Result<Vec<Json>, String>>()?;
    let state_text = std::fs::read_to_string(&state_path)
        .map_err(|e| format!("the reference wrote no state dump: {e}"))?;
    let state = runtime_common::contract::from_slice_unbounded(state_text.as_bytes())
        .map_err(|e| format!("the reference's state dump is not JSON: {e}"))?;
    Ok((results, state))
}

/// Runs the case's invocations through the backend; results and the final state.
fn through_backend(
    backend: &Selected,
    program: Program,
    lines: &[String],
    workers: usize,
    config: &Json,
) -> Result<(Vec<Json>, Json), String> {
    match backend {
        Selected::Native => {
            let program = Rc::new(program);
            let mut engine =
                crate::exec::native_executor(&program, EngineConfig::default(), workers);
            let mut results = Vec::with_capacity(lines.len());
            for chunk in lines.chunks(BATCH) {
                let batch = chunk
                    .iter()
                    .map(|l| parse_invocation(l, &program))
                    .collect();
                results.extend(engine.execute(batch).iter().map(|r| r.to_json()));
            }
            Ok((results, engine.dump_state()))
        }
        Selected::Plugin(plugin) => {
            let failed = |e: runtime_common::plugin::PluginError| format!("backend error: {e}");
            let mut running = plugin.start(&program, config).map_err(failed)?;
            let mut results = Vec::with_capacity(lines.len());
            for chunk in lines.chunks(BATCH) {
                results.extend(
                    running
                        .invoke_lines(chunk)
                        .map_err(failed)?
                        .iter()
                        .map(|r| r.to_json()),
                );
            }
            let state = running.dump_state().map_err(failed)?;
            running.shutdown().map_err(failed)?;
            Ok((results, state))
        }
    }
}

fn normalize(result: Json) -> Json {
    let invalid = result
        .get("error")
        .and_then(|e| e.get("type"))
        .and_then(Json::as_str)
        == Some("InvalidRequest");
    if invalid {
        json!({"id": result.get("id").cloned().unwrap_or(Json::Null), "error": {"type": "InvalidRequest"}})
    } else {
        result
    }
}

fn sorted(j: &Json) -> String {
    fn canon(j: &Json) -> Json {
        match j {
            Json::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Json::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), canon(&m[k])))
                        .collect(),
                )
            }
            Json::Array(a) => Json::Array(a.iter().map(canon).collect()),
            other => other.clone(),
        }
    }
    canon(j).to_string()
}

/// Runs one case; the differences found (none when it agrees).
///
/// The reference replays the invocations serially in the order of the `seq` the backend
/// reported (invalid ones, which take no `seq`, first), which is what the contract promises: the
/// results and final state equal a serial execution in ascending `seq` order.
fn run_case(backend: &Selected, case: &Path, workers: usize, config: &Json) -> Vec<String> {
    let app = case.join("app.py");
    let input = case.join("invocations.jsonl");
    let program = match load_program(&app) {
        Ok(p) => p,
        Err(e) => return vec![format!("the program does not compile:\n{e}")],
    };
    let text = match std::fs::read_to_string(&input) {
        Ok(t) => t,
        Err(e) => return vec![format!("cannot read {}: {e}", input.display())],
    };
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let (got, got_state) = match through_backend(backend, program, &lines, workers, config) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    // Serial order: by reported seq (stable, so lines without one keep their relative order).
    let mut order: Vec<usize> = (0..lines.len().min(got.len())).collect();
    order.sort_by_key(|&i| got[i].get("seq").and_then(Json::as_u64).unwrap_or(0));
    let lines: Vec<String> = order.iter().map(|&i| lines[i].clone()).collect();
    let got: Vec<Json> = order.iter().map(|&i| got[i].clone()).collect();
    let scratch = match Scratch::new() {
        Ok(s) => s,
        Err(e) => return vec![e],
    };
    let serial_input = scratch.0.join("serial.jsonl");
    if let Err(e) = std::fs::write(&serial_input, lines.join("\n")) {
        return vec![format!("cannot write {}: {e}", serial_input.display())];
    }
    let (want, want_state) = match reference(&app, &serial_input) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let mut problems = Vec::new();
    if got.len() != want.len() {
        problems.push(format!(
            "{} results from the backend, {} from the reference",
            got.len(),
            want.len()
        ));
    }
    for (i, (g, w)) in got.into_iter().zip(want).enumerate() {
        let (g, w) = (normalize(g), normalize(w));
        if g != w {
            // Numbered as in the input (non-blank lines), whatever the serial order.
            problems.push(format!(
                "line {}: {}\n    backend:   {g}\n    reference: {w}",
                order.get(i).map_or(i, |at| *at) + 1,
                lines.get(i).map(String::as_str).unwrap_or("")
            ));
        }
    }
    if got_state != want_state {
        problems.push(format!(
            "final state differs\n    backend:   {}\n    reference: {}",
            sorted(&got_state),
            sorted(&want_state)
        ));
    }
    problems
}

/// `entiflow conformance`: `Ok(true)` when every case agrees.
pub fn conformance(
    backend_name: &str,
    cases: Vec<PathBuf>,
    workers: usize,
    args: &crate::BackendArgs,
) -> Result<bool, String> {
    let backend = select(backend_name)?;
    // Every case starts from empty state, whatever the backend keeps between runs.
    let mut config = args.config()?;
    if matches!(backend, Selected::Native) && !config.is_empty() {
        return Err("--brokers and --backend-opt configure backend plugins".into());
    }
    config.insert("fresh_state".into(), true.into());
    if workers != 1 {
        config.insert("workers".into(), workers.into());
    }
    let config = Json::Object(config);
    let description = backend.description();
    let cases = if cases.is_empty() {
        default_cases()?
    } else {
        cases
    };
    for case in &cases {
        if !is_case(case) {
            return Err(format!(
                "{} is not a case: it needs app.py and invocations.jsonl",
                case.display()
            ));
        }
    }
    println!("conformance of backend {} against the CPython reference ({} -m entiflow.testing), {} cases", backend.label(), python(), cases.len());
    let caps = description.capabilities;
    println!(
        "declared capabilities: {}",
        if caps.names().is_empty() {
            "none".to_string()
        } else {
            caps.names().join(", ")
        }
    );
    if !caps.serializable_transactions {
        println!(
            "note: backend '{}' declares serializable_transactions: false, so it promises no serial outcome; it is run and compared against the serial reference anyway, and every difference counts as a failure",
            description.name
        );
    }
    let mut failed = 0;
    for case in &cases {
        let problems = run_case(&backend, case, workers, &config);
        if problems.is_empty() {
            println!("ok   {}", case.display());
        } else {
            failed += 1;
            println!("FAIL {}", case.display());
            for p in problems {
                println!("  {p}");
            }
        }
    }
    let agree = cases.len() - failed;
    println!(
        "{agree}/{} cases agree with the reference on backend '{}'",
        cases.len(),
        description.name
    );
    if !caps.serializable_transactions {
        println!("note: agreement here is observed behaviour of this run, not a guarantee: '{}' declares serializable_transactions: false", description.name);
    }
    Ok(failed == 0)
}
