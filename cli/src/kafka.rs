//! `entiflow kafka ...`: commands of the Kafka backend plugin.

use std::path::PathBuf;

use clap::Subcommand;

use crate::backends::{select, Selected};
use crate::compile::load_program;

/// Commands of the Kafka backend.
#[derive(Subcommand)]
pub enum KafkaCommand {
    /// Run workers for an application: they join its consumer group, take over partitions of
    /// its state and process them until SIGTERM or Ctrl-C. Start as many as needed, anywhere
    /// the brokers are reachable.
    Worker {
        /// The Python program.
        app: PathBuf,
        /// The Kafka brokers (`host:port[,host:port...]`).
        #[arg(long)]
        brokers: String,
        /// Worker threads in this process (each a member of the group).
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Partitions of the application's state (must match the application's topics).
        #[arg(long, default_value_t = 4)]
        partitions: u32,
        /// The application's topic prefix (default `entiflow.<program name>`).
        #[arg(long)]
        topics: Option<String>,
        /// Other settings of the Kafka backend (`KEY=VALUE`, repeatable).
        #[arg(long = "backend-opt", value_name = "KEY=VALUE")]
        backend_opts: Vec<String>,
    },
}

/// Runs a `kafka` subcommand.
pub fn run(command: KafkaCommand) -> Result<(), String> {
    match command {
        KafkaCommand::Worker {
            app,
            brokers,
            threads,
            partitions,
            topics,
            backend_opts,
        } => {
            let Selected::Plugin(plugin) = select("kafka")? else {
                return Err("the Kafka backend plugin is not installed".into());
            };
            let program = load_program(&app)?;
            let args = crate::BackendArgs {
                jobmanager: None,
                brokers: Some(brokers),
                backend_opts,
            };
            let mut config = args.config()?;
            config.insert("role".into(), "worker".into());
            config.insert("workers".into(), threads.max(1).into());
            config.insert("partitions".into(), partitions.into());
            if let Some(t) = topics {
                config.insert("app".into(), t.into());
            }
            let running = plugin
                .start(&program, &serde_json::Value::Object(config))
                .map_err(|e| format!("cannot start Kafka workers: {e}"))?;
            eprintln!(
                "entiflow: {} Kafka worker thread(s) for {} running; stop with SIGTERM or Ctrl-C",
                threads.max(1),
                app.display()
            );
            wait_for_signal()?;
            eprintln!("entiflow: stopping workers (committing and leaving the group)");
            running
                .shutdown()
                .map_err(|e| format!("workers failed to stop: {e}"))
        }
    }
}

fn wait_for_signal() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(crate::serve::shutdown_signal());
    Ok(())
}
