//! `entiflow exec`: a file of invocations through the embedded native engine.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use entiflow_native::{DurabilityConfig, DurableEngine, Engine, EngineConfig};
use indicatif::{ProgressBar, ProgressStyle};
use runtime_common::contract::parse_invocation;

use crate::compile::load_program;

/// Reads the input's non-blank lines.
fn read_lines(input: &str) -> Result<Vec<String>, String> {
    let reader: Box<dyn BufRead> = if input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(input).map_err(|e| format!("cannot read {input}: {e}"))?))
    };
    let mut lines = Vec::new();
    for line in reader.lines() {
        let line = line.map_err(|e| format!("cannot read {input}: {e}"))?;
        if !line.trim().is_empty() {
            lines.push(line);
        }
    }
    Ok(lines)
}

/// Runs every invocation of `input` and prints one result per line, in input order.
pub fn exec(app: &Path, input: &str, dump_state: Option<&Path>, workers: usize, data_dir: Option<PathBuf>, epoch_size: usize) -> Result<(), String> {
    if workers != 1 {
        return Err("the native engine executes each epoch on one thread in this version; use --workers 1".into());
    }
    let program = Rc::new(load_program(app)?);
    let lines = read_lines(input)?;
    let progress = ProgressBar::new(lines.len() as u64);
    if lines.len() < 10_000 {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    progress.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} invocations ({per_sec}, eta {eta})").unwrap_or_else(|_| ProgressStyle::default_bar()));
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let epoch_size = epoch_size.max(1);
    let mut durable = match data_dir {
        Some(dir) => Some(DurableEngine::open(program.clone(), EngineConfig::default(), DurabilityConfig { dir, snapshot_every: 1000 }).map_err(|e| format!("cannot open data directory: {e}"))?),
        None => None,
    };
    let mut engine = Engine::new(program.clone(), EngineConfig::default());
    for chunk in lines.chunks(epoch_size) {
        let batch = chunk.iter().map(|l| parse_invocation(l, &program)).collect();
        let results = match &mut durable {
            Some(d) => d.execute(batch).map_err(|e| format!("cannot write the log: {e}"))?,
            None => engine.execute(batch),
        };
        for r in results {
            serde_json::to_writer(&mut out, &r.to_json()).map_err(|e| e.to_string())?;
            out.write_all(b"\n").map_err(|e| e.to_string())?;
        }
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();
    out.flush().map_err(|e| e.to_string())?;
    if let Some(path) = dump_state {
        let state = match &durable {
            Some(d) => d.engine().dump_state(),
            None => engine.dump_state(),
        };
        let text = serde_json::to_string_pretty(&state).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
