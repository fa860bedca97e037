//! `entiflow exec`: a file of invocations through the embedded native engine or a backend plugin.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use std::sync::Arc;

use entiflow_native::{
    DurabilityConfig, DurableEngine, Engine, EngineConfig, Executor, ParallelEngine,
};
use indicatif::{ProgressBar, ProgressStyle};
use ir::Program;
use runtime_common::contract::{is_blank_line, parse_invocation, Invalid};
use runtime_common::plugin::LoadedBackend;
use runtime_common::{Invocation, InvocationResult};

use crate::compile::load_program;

/// Opens the input and its size in bytes (0 for standard input), past a UTF-8 byte-order mark
/// if the text starts with one (as editors on some systems write).
fn open_input(input: &str) -> Result<(Box<dyn BufRead + Send>, u64), String> {
    let (mut reader, size): (Box<dyn BufRead + Send>, u64) = if input == "-" {
        (Box::new(std::io::BufReader::new(std::io::stdin())), 0)
    } else {
        let file = std::fs::File::open(input).map_err(|e| format!("cannot read {input}: {e}"))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        (
            Box::new(std::io::BufReader::with_capacity(1 << 20, file)),
            size,
        )
    };
    let start = reader
        .fill_buf()
        .map_err(|e| format!("cannot read {input}: {e}"))?;
    if start.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok((reader, size))
}

/// Runs every invocation of `input` and prints one result per line, in input order.
/// The native engine for `workers` threads: serial for 1, partitioned (parallel epochs) above.
pub fn native_executor(
    program: &Rc<Program>,
    config: EngineConfig,
    workers: usize,
) -> Box<dyn Executor> {
    if workers <= 1 {
        Box::new(Engine::new(program.clone(), config))
    } else {
        Box::new(ParallelEngine::new(
            Arc::new((**program).clone()),
            config,
            workers,
        ))
    }
}

pub fn exec(
    app: &Path,
    input: &str,
    dump_state: Option<&Path>,
    workers: usize,
    data_dir: Option<PathBuf>,
    epoch_size: usize,
    config: EngineConfig,
) -> Result<(), String> {
    let program = Rc::new(load_program(app)?);
    let (mut reader, size) = open_input(input)?;
    let dump_file = dump_state.map(create_dump_file).transpose()?;
    let progress = ProgressBar::new(size);
    if size < 1 << 20 {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    progress.set_style(
        ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} of invocations ({binary_bytes_per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout());
    let program_for_parsing = std::sync::Arc::new((*program).clone());
    let epoch_size = epoch_size.max(1);
    let executor = native_executor(&program, config, workers);
    let mut durable = None;
    let mut engine = None;
    match data_dir {
        Some(dir) => {
            durable = Some(
                DurableEngine::open_with(executor, &program, DurabilityConfig::new(dir))
                    .map_err(|e| format!("cannot open data directory: {e}"))?,
            )
        }
        None => engine = Some(executor),
    }
    // Three stages on their own threads: read and parse epochs, execute them, write results.
    let (parsed_tx, parsed_rx) =
        std::sync::mpsc::sync_channel::<(Vec<Result<Invocation, Invalid>>, usize)>(4);
    let parse_program = program_for_parsing.clone();
    let input_name = input.to_string();
    let parser = std::thread::Builder::new()
        .name("entiflow-parser".into())
        .stack_size(runtime_common::contract::DEEP_STACK_BYTES)
        .spawn(move || -> Result<(), String> {
            let mut line = Vec::new();
            loop {
                let mut batch = Vec::with_capacity(epoch_size);
                let mut bytes = 0;
                while batch.len() < epoch_size && bytes < EPOCH_BYTES {
                    line.clear();
                    let n = reader
                        .read_until(b'\n', &mut line)
                        .map_err(|e| format!("cannot read {input_name}: {e}"))?;
                    if n == 0 {
                        break;
                    }
                    bytes += n;
                    if is_blank_line(&line) {
                        continue;
                    }
                    // Line by line: a line that is not UTF-8 is one invalid invocation.
                    batch.push(match std::str::from_utf8(&line) {
                        Ok(text) => parse_invocation(text, &parse_program),
                        Err(e) => Err((
                            serde_json::Value::Null,
                            format!("malformed JSON: invalid UTF-8: {e}"),
                        )),
                    });
                }
                if batch.is_empty() {
                    return Ok(());
                }
                if parsed_tx.send((batch, bytes)).is_err() {
                    return Ok(());
                }
            }
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    let (results_tx, results_rx) =
        std::sync::mpsc::sync_channel::<(Vec<InvocationResult>, usize)>(4);
    let writer = std::thread::Builder::new()
        .name("entiflow-writer".into())
        .stack_size(runtime_common::contract::DEEP_STACK_BYTES)
        .spawn(move || -> Result<(), String> {
            for (results, bytes) in results_rx {
                for r in results {
                    r.write_json(&mut out).map_err(|e| e.to_string())?;
                    out.write_all(b"\n").map_err(|e| e.to_string())?;
                }
                progress.inc(bytes as u64);
            }
            progress.finish_and_clear();
            out.flush().map_err(|e| e.to_string())
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    for (batch, bytes) in parsed_rx {
        let results = match &mut durable {
            Some(d) => d
                .execute(batch)
                .map_err(|e| format!("cannot write the log: {e}"))?,
            None => match &mut engine {
                Some(e) => e.execute(batch),
                None => Vec::new(),
            },
        };
        if results_tx.send((results, bytes)).is_err() {
            break;
        }
    }
    drop(results_tx);
    parser
        .join()
        .map_err(|_| "the input reader panicked".to_string())??;
    writer
        .join()
        .map_err(|_| "the output writer panicked".to_string())??;
    if let Some(d) = &mut durable {
        // A finished run is a clean shutdown: a snapshot covers the log, which is then removed.
        d.snapshot()
            .map_err(|e| format!("cannot write the snapshot: {e}"))?;
    }
    if let (Some(path), Some(file)) = (dump_state, dump_file) {
        let state = match &durable {
            Some(d) => d.engine().dump_state(),
            None => engine.as_ref().map(|e| e.dump_state()).unwrap_or_default(),
        };
        write_dump(path, file, &state)?;
    }
    Ok(())
}

/// Creates (or empties) the `--dump-state` file before anything runs, so that a path that
/// cannot be written is refused before any transaction changes state.
fn create_dump_file(path: &Path) -> Result<std::fs::File, String> {
    std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes the state dump into the file made by [`create_dump_file`].
fn write_dump(path: &Path, file: std::fs::File, state: &serde_json::Value) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut w = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, state).map_err(|e| failed(e.into()))?;
    w.write_all(b"\n").map_err(failed)?;
    w.flush().map_err(failed)
}

/// The start configuration `exec` and `run` give a plugin: only what was asked for.
pub fn plugin_config(
    backend: &LoadedBackend,
    workers: usize,
    data_dir: Option<&Path>,
    args: &crate::BackendArgs,
) -> Result<serde_json::Value, String> {
    let mut config = args.config()?;
    if workers != 1 {
        config.insert("workers".into(), workers.into());
    }
    if let Some(dir) = data_dir {
        if !backend.description().capabilities.durability {
            return Err(format!(
                "backend '{}' does not declare durability; run it without --data-dir",
                backend.description().name
            ));
        }
        config.insert("data_dir".into(), dir.display().to_string().into());
    }
    Ok(serde_json::Value::Object(config))
}

/// An epoch also ends once its lines reach this many bytes: parsed invocations take many times
/// the room of their JSON text (a 45 KB line of nested dicts about 25 times), so an epoch of
/// 1,024 huge lines would hold gigabytes. Only the input decides where epochs end, so runs stay
/// deterministic.
const EPOCH_BYTES: usize = 4 << 20;

/// `exec` through a backend plugin: epochs of input lines cross to the plugin as JSONL batches.
pub fn exec_plugin(
    backend: &LoadedBackend,
    app: &Path,
    input: &str,
    dump_state: Option<&Path>,
    (workers, data_dir): (usize, Option<PathBuf>),
    (epoch_size, dedup_window, max_steps): (usize, Option<usize>, u64),
    args: &crate::BackendArgs,
) -> Result<(), String> {
    let program = load_program(app)?;
    let dump_file = dump_state.map(create_dump_file).transpose()?;
    let mut config = plugin_config(backend, workers, data_dir.as_deref(), args)?;
    if let Some(c) = config.as_object_mut() {
        // As the linked engine: with a data directory, every id of the input is remembered.
        let window = dedup_window.or(data_dir.is_some().then_some(usize::MAX));
        if let Some(window) = window {
            c.insert("dedup_window".into(), window.into());
        }
        c.insert("max_steps".into(), max_steps.into());
    }
    let name = backend.description().name.clone();
    let failed = |e: runtime_common::plugin::PluginError| {
        format!(
            "backend '{name}' ({}) failed: {e}",
            backend.path().display()
        )
    };
    let mut running = backend.start(&program, &config).map_err(failed)?;
    let (mut reader, _) = open_input(input)?;
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout());
    let epoch_size = epoch_size.max(1);
    let mut line = String::new();
    loop {
        let mut batch = Vec::with_capacity(epoch_size);
        let mut bytes = 0;
        while batch.len() < epoch_size && bytes < EPOCH_BYTES {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .map_err(|e| format!("cannot read {input}: {e}"))?;
            if n == 0 {
                break;
            }
            bytes += n;
            if !is_blank_line(line.as_bytes()) {
                batch.push(line.trim_end_matches(['\n', '\r']).to_string());
            }
        }
        if batch.is_empty() {
            break;
        }
        let results = running.invoke_lines(&batch).map_err(failed)?;
        for r in results {
            r.write_json(&mut out).map_err(|e| e.to_string())?;
            out.write_all(b"\n").map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    if let (Some(path), Some(file)) = (dump_state, dump_file) {
        let state = running.dump_state().map_err(failed)?;
        write_dump(path, file, &state)?;
    }
    running.shutdown().map_err(failed)
}
