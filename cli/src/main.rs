//! `entiflow`: check, compile and run Python stateful entities.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod compile;
mod exec;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Compile Python stateful entities into transactional dataflows and run them.
#[derive(Parser)]
#[command(name = "entiflow", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output format of `check`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    /// Rendered like rustc and ruff.
    Human,
    /// One JSON document for tools.
    Json,
}

/// What `compile` emits.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Emit {
    /// The IR as JSON (`<app>.ir.json`).
    Ir,
    /// The IR as readable text (`<app>.ir.txt`).
    IrText,
    /// The dataflow graph in Graphviz DOT (`<app>.dot`).
    Dot,
}

#[derive(Subcommand)]
enum Command {
    /// Check a program; print every error found.
    Check {
        /// The Python program.
        app: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: CheckFormat,
    },
    /// Compile a program to IR (JSON, text) or a dataflow graph (DOT).
    Compile {
        /// The Python program.
        app: PathBuf,
        /// Output directory.
        #[arg(short, long, default_value = ".")]
        output: PathBuf,
        /// What to emit (repeatable).
        #[arg(long, value_enum, default_values = ["ir"])]
        emit: Vec<Emit>,
        /// Backend: only `native` is built in.
        #[arg(long, default_value = "native")]
        backend: String,
    },
    /// Run a file of JSONL invocations through the embedded engine; print results in input order.
    Exec {
        /// The Python program.
        app: PathBuf,
        /// JSONL invocations (`-` for standard input).
        #[arg(long, default_value = "-")]
        input: String,
        /// Write the final state dump here.
        #[arg(long)]
        dump_state: Option<PathBuf>,
        /// Worker threads (the native engine executes each epoch on one thread; see README).
        #[arg(long, default_value_t = 1)]
        workers: usize,
        /// Make the run durable in this directory (recovers what it holds first).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Invocations per epoch.
        #[arg(long, default_value_t = 1024)]
        epoch_size: usize,
        /// Backend: only `native` is built in.
        #[arg(long, default_value = "native")]
        backend: String,
    },
    /// Serve the program over HTTP.
    Run {
        /// The Python program.
        app: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Make the service durable in this directory.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Take a snapshot every this many epochs (with --data-dir) ...
        #[arg(long, default_value_t = 100_000)]
        snapshot_every: u64,
        /// ... or when the log reaches this many MiB.
        #[arg(long, default_value_t = 64)]
        snapshot_log_mib: u64,
        /// How many invocation ids to remember for deduplication.
        #[arg(long, default_value_t = 1_000_000)]
        dedup_window: usize,
        /// Threads serving HTTP (the engine and the log syncer have their own).
        #[arg(long, default_value_t = 1)]
        http_threads: usize,
        /// Backend: only `native` is built in.
        #[arg(long, default_value = "native")]
        backend: String,
    },
}

fn check_backend(name: &str) -> Result<(), String> {
    if name == "native" {
        Ok(())
    } else {
        Err(format!("unknown backend '{name}': this build provides `native`"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check { app, format } => return compile::check(&app, format),
        Command::Compile { app, output, emit, backend } => check_backend(&backend).and_then(|_| compile::compile(&app, &output, &emit)),
        Command::Exec { app, input, dump_state, workers, data_dir, epoch_size, backend } => {
            check_backend(&backend).and_then(|_| exec::exec(&app, &input, dump_state.as_deref(), workers, data_dir, epoch_size))
        }
        Command::Run { app, listen, data_dir, snapshot_every, snapshot_log_mib, dedup_window, http_threads, backend } => {
            let durability = data_dir.map(|dir| entiflow_native::DurabilityConfig { dir, snapshot_every, snapshot_log_bytes: snapshot_log_mib << 20 });
            check_backend(&backend).and_then(|_| serve::run(&app, &listen, durability, dedup_window, http_threads))
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}
