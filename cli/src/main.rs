//! `entiflow`: check, compile and run Python stateful entities.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod backends;
mod compile;
mod conformance;
mod exec;
mod kafka;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::backends::Selected;

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

/// Settings passed to a backend plugin's start configuration.
#[derive(Args, Clone, Default)]
pub struct BackendArgs {
    /// The cluster of a distributed backend (`host:port[,host:port...]`), e.g. the Kafka brokers.
    #[arg(long)]
    brokers: Option<String>,
    /// The JobManager's REST address of the Flink backend (`host:port`; default: the local
    /// cluster, 127.0.0.1:18081).
    #[arg(long)]
    jobmanager: Option<String>,
    /// A start-configuration setting of the backend plugin (repeatable); VALUE is JSON when it
    /// parses as JSON, else a string. See the backend's documentation for its settings.
    #[arg(long = "backend-opt", value_name = "KEY=VALUE")]
    backend_opts: Vec<String>,
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
        /// Backend: `native` (built in), `native-plugin` (the native engine's plugin build), the
        /// name of a plugin listed by `entiflow backends`, or the path of a plugin file.
        #[arg(long, default_value = "native")]
        backend: String,
        /// A build setting of the backend plugin (repeatable), e.g. `flink_home=DIR`.
        #[arg(long = "backend-opt", value_name = "KEY=VALUE")]
        backend_opts: Vec<String>,
    },
    /// Run a file of JSONL invocations through a backend; print results in input order.
    Exec {
        /// The Python program.
        app: PathBuf,
        /// JSONL invocations (`-` for standard input).
        #[arg(long, default_value = "-")]
        input: String,
        /// Write the final state dump here.
        #[arg(long)]
        dump_state: Option<PathBuf>,
        /// Engine worker threads: 1 runs each epoch serially in input order; more partition the
        /// state by key and run each epoch's transactions in parallel (deterministic, serializable).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
        workers: u16,
        /// Make the run durable in this directory (recovers what it holds first).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Invocations per epoch, at most (an epoch also ends once its lines reach 4 MiB).
        #[arg(long, default_value_t = 1024)]
        epoch_size: usize,
        /// How many invocation ids to remember for deduplication; with --data-dir the default is
        /// every id of the input, so that running the same input again after a crash applies
        /// none of them twice.
        #[arg(long)]
        dedup_window: Option<usize>,
        /// The most interpreter steps (blocks) one transaction may run before it fails with
        /// StepLimitExceeded (a loop that never ends must not stop the engine).
        #[arg(long, default_value_t = runtime_common::interp::DEFAULT_STEP_LIMIT,
              value_parser = clap::value_parser!(u64).range(1..))]
        max_steps: u64,
        /// Backend: `native` (built in), `native-plugin` (the native engine's plugin build), the
        /// name of a plugin listed by `entiflow backends`, or the path of a plugin file.
        #[arg(long, default_value = "native")]
        backend: String,
        #[command(flatten)]
        backend_args: BackendArgs,
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
        /// How many invocation ids to remember for deduplication (kept in snapshots).
        #[arg(long, default_value_t = 250_000)]
        dedup_window: usize,
        /// The most interpreter steps (blocks) one transaction may run before it fails with
        /// StepLimitExceeded (a loop that never ends must not stop the engine).
        #[arg(long, default_value_t = runtime_common::interp::DEFAULT_STEP_LIMIT,
              value_parser = clap::value_parser!(u64).range(1..))]
        max_steps: u64,
        /// Threads serving HTTP (the engine and the log syncer have their own).
        #[arg(long, default_value_t = 1)]
        http_threads: usize,
        /// Engine worker threads: 1 runs each epoch serially in input order; more partition the
        /// state by key and run each epoch's transactions in parallel (deterministic, serializable).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
        workers: u16,
        /// Backend: `native` (built in), `native-plugin` (the native engine's plugin build), the
        /// name of a plugin listed by `entiflow backends`, or the path of a plugin file.
        #[arg(long, default_value = "native")]
        backend: String,
        #[command(flatten)]
        backend_args: BackendArgs,
    },
    /// List the built-in backend and the backend plugins found, and the plugin files rejected.
    ///
    /// Plugins are searched in the directories of ENTIFLOW_PLUGIN_PATH (colon-separated), next to
    /// this executable, and in the cargo target directories beside it (debug, release).
    Backends {
        /// Print one JSON document instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run conformance cases through a backend and compare with the CPython reference.
    ///
    /// A case is a directory with app.py and invocations.jsonl; by default every case under
    /// examples/ and tests/conformance/. Every result and the final state must agree, except that
    /// InvalidRequest errors compare by type only. The reference runs as
    /// `python3 -m entiflow.testing` (ENTIFLOW_PYTHON overrides the interpreter). Exits 0 only if
    /// every case agrees.
    Conformance {
        /// The backend, as for `exec`.
        #[arg(long, default_value = "native")]
        backend: String,
        /// Engine worker threads for the built-in native backend, as for `exec`.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
        workers: u16,
        #[command(flatten)]
        backend_args: BackendArgs,
        /// Case directories.
        cases: Vec<PathBuf>,
    },
    /// Commands of the Kafka backend.
    Kafka {
        #[command(subcommand)]
        command: kafka::KafkaCommand,
    },
}

impl BackendArgs {
    /// The settings as start-configuration entries.
    pub fn config(&self) -> Result<serde_json::Map<String, serde_json::Value>, String> {
        let mut config = serde_json::Map::new();
        if let Some(b) = &self.brokers {
            config.insert("brokers".into(), b.clone().into());
        }
        if let Some(j) = &self.jobmanager {
            config.insert("jobmanager".into(), j.clone().into());
        }
        for opt in &self.backend_opts {
            let Some((key, value)) = opt.split_once('=') else {
                return Err(format!("--backend-opt takes KEY=VALUE, not '{opt}'"));
            };
            let value = serde_json::from_str(value).unwrap_or_else(|_| value.into());
            config.insert(key.to_string(), value);
        }
        Ok(config)
    }

    /// Fails when settings meant for a plugin are given to the built-in native backend.
    fn native_only(&self) -> Result<(), String> {
        if self.brokers.is_some() || self.jobmanager.is_some() || !self.backend_opts.is_empty() {
            return Err(
                "--brokers, --jobmanager and --backend-opt configure backend plugins; the \
                 built-in native backend takes none of them"
                    .into(),
            );
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    // Everything runs on a thread with a deep stack: compiling deeply nested source and
    // running the interpreter on deeply nested values recurse in proportion (see
    // `DEEP_STACK_BYTES`).
    std::thread::Builder::new()
        .name("entiflow".into())
        .stack_size(runtime_common::contract::DEEP_STACK_BYTES)
        .spawn(run)
        .map_or(ExitCode::FAILURE, |t| t.join().unwrap_or(ExitCode::FAILURE))
}

fn run() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check { app, format } => return compile::check(&app, format),
        Command::Compile {
            app,
            output,
            emit,
            backend,
            backend_opts,
        } => {
            let options = BackendArgs {
                brokers: None,
                jobmanager: None,
                backend_opts,
            };
            backends::select(&backend).and_then(|selected| match selected {
                Selected::Native => {
                    options.native_only()?;
                    compile::compile(&app, &output, &emit, None)
                }
                Selected::Plugin(plugin) => {
                    let options = options.config()?;
                    compile::compile(&app, &output, &emit, Some((&plugin, options)))
                }
            })
        }
        Command::Exec {
            app,
            input,
            dump_state,
            workers,
            data_dir,
            epoch_size,
            dedup_window,
            max_steps,
            backend,
            backend_args,
        } => backends::select(&backend).and_then(|selected| match selected {
            Selected::Native => backend_args.native_only().and_then(|()| {
                let config = entiflow_native::EngineConfig {
                    dedup_window: dedup_window.unwrap_or(if data_dir.is_some() {
                        usize::MAX
                    } else {
                        entiflow_native::EngineConfig::default().dedup_window
                    }),
                    max_steps,
                };
                exec::exec(
                    &app,
                    &input,
                    dump_state.as_deref(),
                    workers.into(),
                    data_dir,
                    epoch_size,
                    config,
                )
            }),
            Selected::Plugin(plugin) => exec::exec_plugin(
                &plugin,
                &app,
                &input,
                dump_state.as_deref(),
                (workers.into(), data_dir),
                (epoch_size, dedup_window, max_steps),
                &backend_args,
            ),
        }),
        Command::Run {
            app,
            listen,
            data_dir,
            snapshot_every,
            snapshot_log_mib,
            dedup_window,
            max_steps,
            http_threads,
            workers,
            backend,
            backend_args,
        } => backends::select(&backend).and_then(|selected| match selected {
            Selected::Native => {
                backend_args.native_only()?;
                let durability = data_dir.map(|dir| entiflow_native::DurabilityConfig {
                    dir,
                    snapshot_every,
                    snapshot_log_bytes: snapshot_log_mib << 20,
                });
                serve::run(
                    &app,
                    &listen,
                    durability,
                    entiflow_native::EngineConfig {
                        dedup_window,
                        max_steps,
                    },
                    http_threads,
                    workers.into(),
                    None,
                )
            }
            Selected::Plugin(plugin) => {
                let mut config = exec::plugin_config(
                    &plugin,
                    workers.into(),
                    data_dir.as_deref(),
                    &backend_args,
                )?;
                if let Some(c) = config.as_object_mut() {
                    c.insert("dedup_window".into(), dedup_window.into());
                    c.insert("max_steps".into(), max_steps.into());
                    if data_dir.is_some() {
                        c.insert("snapshot_every".into(), snapshot_every.into());
                        c.insert("snapshot_log_bytes".into(), (snapshot_log_mib << 20).into());
                    }
                }
                serve::run(
                    &app,
                    &listen,
                    None,
                    entiflow_native::EngineConfig {
                        dedup_window,
                        max_steps,
                    },
                    http_threads,
                    1,
                    Some((plugin, config)),
                )
            }
        }),
        Command::Backends { json } => backends::list(json),
        Command::Kafka { command } => kafka::run(command),
        Command::Conformance {
            backend,
            workers,
            backend_args,
            cases,
        } => match conformance::conformance(&backend, cases, workers.into(), &backend_args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // Rendered diagnostics carry their own `error[E...]` headings (maybe colored).
        Err(message) if message.starts_with("error") || message.starts_with('\x1b') => {
            eprintln!("{message}");
            ExitCode::from(1)
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}
