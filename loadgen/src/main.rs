//! `entiflow-loadgen`: drives `entiflow run` with a transfer workload over HTTP and reports
//! throughput and latency percentiles.
//!
//! - Closed loop (default): `--connections` clients, each sending its next request as soon as the
//!   previous reply arrives.
//! - Open loop (`--rate R`): requests are scheduled at a fixed rate regardless of replies, and
//!   latency is measured from the scheduled send time, so queueing delay is not hidden (a
//!   request the timer sends late because of its millisecond granularity counts from the send).
//!
//! The app must have an `Account` entity with `transfer(amount, to)` (see `tests/apps/transfer.py`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use clap::Parser;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::sync::Mutex;

/// Load generator for `entiflow run`.
#[derive(Parser, Clone)]
struct Args {
    /// Base URL of the server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Number of accounts (created before the run).
    #[arg(long, default_value_t = 10_000)]
    accounts: u64,
    /// Seconds of measured load.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of warm-up before measuring.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Open loop at this many requests per second (closed loop when absent).
    #[arg(long)]
    rate: Option<f64>,
    /// Label printed with the results.
    #[arg(long, default_value = "run")]
    label: String,
}

struct Target {
    host: String,
    authority: String,
}

fn parse_url(url: &str) -> Result<Target> {
    let rest = url
        .strip_prefix("http://")
        .context("only http:// URLs are supported")?;
    let authority = rest.trim_end_matches('/').to_string();
    Ok(Target {
        host: authority.clone(),
        authority,
    })
}

async fn connect(target: &Target) -> Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(&target.host)
        .await
        .with_context(|| format!("connect {}", target.host))?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

async fn post(
    sender: &mut SendRequest<Full<Bytes>>,
    target: &Target,
    path: &str,
    body: String,
) -> Result<Bytes> {
    sender.ready().await?;
    let req = hyper::Request::post(path)
        .header("host", &target.authority)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))?;
    let resp = sender.send_request(req).await?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!("HTTP {status}: {}", String::from_utf8_lossy(&bytes));
    }
    Ok(bytes)
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn transfer(rng: &mut Rng, accounts: u64, id: u64) -> String {
    let from = rng.below(accounts);
    let to = (from + 1 + rng.below(accounts - 1)) % accounts;
    let amount = 1 + rng.below(5);
    format!(
        r#"{{"id":"lg{id}","entity":"Account","key":"a{from}","method":"transfer","args":[{amount},{{"$entity":"Account","key":"a{to}"}}]}}"#
    )
}

struct Stats {
    histogram: Mutex<Histogram<u64>>,
    done: AtomicU64,
    errors: AtomicU64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.accounts < 2 {
        bail!("--accounts must be at least 2");
    }
    let target = Arc::new(parse_url(&args.url)?);
    // Setup: create the accounts (ignoring EntityExists from an earlier run).
    let mut setup = connect(&target).await?;
    for chunk in (0..args.accounts).collect::<Vec<_>>().chunks(1000) {
        let batch: Vec<String> = chunk
            .iter()
            .map(|a| format!(r#"{{"id":"setup-a{a}","create":"Account","args":["a{a}",1000000]}}"#))
            .collect();
        post(
            &mut setup,
            &target,
            "/v1/batch",
            format!("[{}]", batch.join(",")),
        )
        .await?;
    }
    let stats = Arc::new(Stats {
        histogram: Mutex::new(Histogram::new_with_bounds(1, 60_000_000, 3)?),
        done: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });
    let started = Instant::now();
    let measure_from = started + Duration::from_secs_f64(args.warmup);
    let end = measure_from + Duration::from_secs_f64(args.duration);
    let next_id = Arc::new(AtomicU64::new(0));
    let run_tag = started.elapsed().as_nanos() as u64 ^ std::process::id() as u64;
    let mut tasks = Vec::new();
    for c in 0..args.connections {
        let (target, stats, args, next_id) =
            (target.clone(), stats.clone(), args.clone(), next_id.clone());
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(&target).await?;
            let mut rng =
                Rng(0x9E3779B97F4A7C15 ^ (c as u64 + 1).wrapping_mul(0xBF58476D1CE4E5B9) ^ run_tag);
            let interval = args
                .rate
                .map(|r| Duration::from_secs_f64(args.connections as f64 / r));
            let mut scheduled = Instant::now()
                + interval
                    .map(|i| i.mul_f64(c as f64 / args.connections as f64))
                    .unwrap_or_default();
            loop {
                // Open loop: latency counts from the scheduled time, so a late reply that delays
                // this connection's next request is charged to the server. When the request was
                // not yet due, it counts from when the timer fired: the timer has millisecond
                // granularity, and its lateness is the load generator's, not the server's.
                let (due, counted_from) = match interval {
                    Some(i) => {
                        let due = scheduled;
                        scheduled += i;
                        if Instant::now() < due {
                            tokio::time::sleep_until(due.into()).await;
                            (due, Instant::now())
                        } else {
                            (due, due)
                        }
                    }
                    None => {
                        let now = Instant::now();
                        (now, now)
                    }
                };
                if due >= end {
                    return anyhow::Ok(());
                }
                let id = next_id.fetch_add(1, Ordering::Relaxed) ^ (run_tag << 24);
                let body = transfer(&mut rng, args.accounts, id);
                let ok = post(&mut sender, &target, "/v1/invoke", body).await.is_ok();
                let now = Instant::now();
                if due >= measure_from {
                    if ok {
                        let us = now.duration_since(counted_from).as_micros().max(1) as u64;
                        stats.histogram.lock().await.record(us.min(60_000_000))?;
                        stats.done.fetch_add(1, Ordering::Relaxed);
                    } else {
                        stats.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let h = stats.histogram.lock().await;
    let done = stats.done.load(Ordering::Relaxed);
    let mode = match args.rate {
        Some(r) => format!("open loop at {r:.0}/s"),
        None => format!("closed loop, {} connections", args.connections),
    };
    println!(
        "{}: {mode}: {:.0} txn/s, p50 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms, max {:.3} ms, errors {}",
        args.label,
        done as f64 / args.duration,
        h.value_at_quantile(0.5) as f64 / 1000.0,
        h.value_at_quantile(0.99) as f64 / 1000.0,
        h.value_at_quantile(0.999) as f64 / 1000.0,
        h.max() as f64 / 1000.0,
        stats.errors.load(Ordering::Relaxed)
    );
    Ok(())
}
