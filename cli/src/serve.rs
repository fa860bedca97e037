//! `entiflow run`: the HTTP front door of the embedded native engine or of a backend plugin.
//!
//! HTTP handlers parse invocations and hand them to one engine thread over a channel. The engine
//! thread drains whatever has queued up into one epoch (group commit): with `--data-dir` the
//! epoch is logged and fsynced once, then executed, then every waiting client gets its reply.
//! With a plugin, the engine thread owns the plugin's instance and sends it each epoch as one
//! batch; entity reads are answered from the plugin's state dump.

use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json as AxumJson, Router};
use entiflow_native::{DurabilityConfig, DurableEngine, EngineConfig, Executor, LogSyncer, Stats};
use ir::Program;
use runtime_common::contract::{
    client_json, invocation_from_json, is_blank_line, json_array_items, Invalid,
};
use runtime_common::plugin::{LoadedBackend, RunningBackend};
use runtime_common::{Invocation, InvocationResult};
use serde_json::{json, Value as Json};
use tokio::sync::oneshot;

use crate::compile::load_program;

/// The most invocations one epoch takes from the queue.
const MAX_EPOCH: usize = 4096;

enum Job {
    Batch(
        Vec<Result<Invocation, Invalid>>,
        oneshot::Sender<Result<Vec<InvocationResult>, String>>,
    ),
    Get(String, String, oneshot::Sender<ReadReply>),
}

/// What a read of one entity gets: its state (`None`: absent), or why the engine could not
/// read it (the client gets 503; the engine keeps serving).
type ReadReply = Result<Option<Json>, String>;

const BUCKETS_US: [u64; 14] = [
    50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000,
];

/// Counters exported at `/metrics`.
#[derive(Default)]
struct Metrics {
    committed: AtomicU64,
    aborted: AtomicU64,
    invalid: AtomicU64,
    deduplicated: AtomicU64,
    reexecuted: AtomicU64,
    epoch_invocations: AtomicU64,
    epoch_size_buckets: [AtomicU64; EPOCH_BUCKETS.len() + 1],
    latency_buckets: [AtomicU64; 15],
    latency_sum_us: AtomicU64,
}

/// Upper bounds of the epoch size histogram's buckets (invocations).
const EPOCH_BUCKETS: [u64; 12] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

impl Metrics {
    /// Counts an epoch of `size` invocations.
    fn observe_epoch(&self, size: u64) {
        self.epoch_invocations.fetch_add(size, Ordering::Relaxed);
        let bucket = EPOCH_BUCKETS
            .iter()
            .position(|b| size <= *b)
            .unwrap_or(EPOCH_BUCKETS.len());
        self.epoch_size_buckets[bucket].fetch_add(1, Ordering::Relaxed);
    }

    fn observe(&self, started: Instant) {
        let us = started.elapsed().as_micros() as u64;
        let bucket = BUCKETS_US
            .iter()
            .position(|b| us <= *b)
            .unwrap_or(BUCKETS_US.len());
        self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us.fetch_add(us, Ordering::Relaxed);
    }

    /// Adds what the engine counted during one epoch of `size` invocations.
    fn record(&self, before: &Stats, after: &Stats, size: u64) {
        let add = |counter: &AtomicU64, a: u64, b: u64| {
            counter.fetch_add(b.saturating_sub(a), Ordering::Relaxed);
        };
        add(&self.committed, before.committed, after.committed);
        add(&self.aborted, before.aborted, after.aborted);
        add(&self.invalid, before.invalid, after.invalid);
        add(&self.deduplicated, before.deduplicated, after.deduplicated);
        add(&self.reexecuted, before.reexecuted, after.reexecuted);
        self.observe_epoch(size);
    }

    fn render(&self) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, v: &AtomicU64| {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                v.load(Ordering::Relaxed)
            ));
        };
        counter(
            &mut out,
            "entiflow_transactions_committed_total",
            "Transactions committed.",
            &self.committed,
        );
        counter(
            &mut out,
            "entiflow_transactions_aborted_total",
            "Transactions aborted by an exception or a missing entity.",
            &self.aborted,
        );
        counter(
            &mut out,
            "entiflow_requests_invalid_total",
            "Invalid requests rejected.",
            &self.invalid,
        );
        counter(
            &mut out,
            "entiflow_transactions_reexecuted_total",
            "Transactions run again after touching a key outside their predicted footprint (parallel epochs).",
            &self.reexecuted,
        );
        counter(
            &mut out,
            "entiflow_requests_deduplicated_total",
            "Invocations answered from the deduplication table.",
            &self.deduplicated,
        );
        let epoch_bounds: Vec<String> = EPOCH_BUCKETS.iter().map(|b| b.to_string()).collect();
        histogram(
            &mut out,
            "entiflow_epoch_size",
            "Invocations per epoch.",
            &epoch_bounds,
            &self.epoch_size_buckets,
            self.epoch_invocations.load(Ordering::Relaxed).to_string(),
        );
        let latency_bounds: Vec<String> = BUCKETS_US
            .iter()
            .map(|b| (*b as f64 / 1e6).to_string())
            .collect();
        histogram(
            &mut out,
            "entiflow_request_latency_seconds",
            "Time from request arrival to reply.",
            &latency_bounds,
            &self.latency_buckets,
            (self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6).to_string(),
        );
        out
    }
}

/// Renders a Prometheus histogram: `counts` per bucket (one more than `bounds`: the last is
/// `+Inf`), cumulated; its count is their total.
fn histogram(
    out: &mut String,
    name: &str,
    help: &str,
    bounds: &[String],
    counts: &[AtomicU64],
    sum: String,
) {
    out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} histogram\n"));
    let mut cumulative = 0;
    for (i, count) in counts.iter().enumerate() {
        cumulative += count.load(Ordering::Relaxed);
        let le = bounds.get(i).map_or("+Inf", String::as_str);
        out.push_str(&format!("{name}_bucket{{le=\"{le}\"}} {cumulative}\n"));
    }
    out.push_str(&format!("{name}_sum {sum}\n{name}_count {cumulative}\n"));
}

struct Shared {
    program: Arc<Program>,
    jobs: mpsc::Sender<Job>,
    metrics: Arc<Metrics>,
    /// How long `/healthz` waits for the engine (none: as long as the engine takes).
    health_timeout: Option<std::time::Duration>,
}

/// Clients waiting for an epoch's results: how many results each expects, and where to send them.
type Waiting = Vec<(
    usize,
    oneshot::Sender<Result<Vec<InvocationResult>, String>>,
)>;

/// Replies waiting for their epoch to become durable.
enum Release {
    Batch(Waiting, Vec<InvocationResult>),
    Read(oneshot::Sender<ReadReply>, Option<Json>),
}

fn release(item: Release) {
    match item {
        Release::Batch(waiting, results) => {
            let mut it = results.into_iter();
            for (n, reply) in waiting {
                let _ = reply.send(Ok(it.by_ref().take(n).collect()));
            }
        }
        Release::Read(reply, value) => {
            let _ = reply.send(Ok(value));
        }
    }
}

/// Releases replies once the log holding their epochs is on stable storage; one fsync covers
/// every epoch written while the previous one ran (pipelined group commit).
fn syncer_thread(syncer: LogSyncer, queue: mpsc::Receiver<Release>) {
    while let Ok(first) = queue.recv() {
        let mut items = vec![first];
        while let Ok(more) = queue.try_recv() {
            items.push(more);
        }
        if let Err(e) = syncer.sync() {
            eprintln!("error: cannot sync the log: {e}; stopping");
            std::process::exit(1);
        }
        items.into_iter().for_each(release);
    }
}

/// The native engine as `run` holds it: in memory, or durable with a syncer releasing replies.
enum Native {
    Memory(Box<dyn Executor>),
    Durable(Box<DurableEngine>, mpsc::Sender<Release>),
}

impl Native {
    fn engine(&self) -> &dyn Executor {
        match self {
            Native::Memory(e) => e.as_ref(),
            Native::Durable(d, _) => d.engine(),
        }
    }

    /// Hands results (or a read) to the clients: at once in memory, after the fsync otherwise.
    fn release(&self, item: Release) {
        match self {
            Native::Memory(_) => release(item),
            Native::Durable(_, syncer) => {
                let _ = syncer.send(item);
            }
        }
    }
}

fn engine_thread(
    program: Program,
    durability: Option<DurabilityConfig>,
    engine_config: EngineConfig,
    workers: usize,
    jobs: mpsc::Receiver<Job>,
    metrics: Arc<Metrics>,
    ready: std::sync::mpsc::Sender<Result<(), String>>,
) {
    let program = Rc::new(program);
    let executor = crate::exec::native_executor(&program, engine_config, workers);
    let mut syncer_handle = None;
    let mut native = match durability {
        None => Native::Memory(executor),
        Some(d) => match DurableEngine::open_with(executor, &program, d)
            .and_then(|e| Ok((e.syncer()?, e)))
        {
            Ok((syncer, engine)) => {
                let (tx, rx) = mpsc::channel();
                syncer_handle = Some(std::thread::spawn(move || syncer_thread(syncer, rx)));
                Native::Durable(Box::new(engine), tx)
            }
            Err(e) => {
                let _ = ready.send(Err(format!("cannot open data directory: {e}")));
                return;
            }
        },
    };
    let _ = ready.send(Ok(()));
    while let Ok(first) = jobs.recv() {
        let Drained {
            epoch,
            waiting,
            reads,
        } = drain(first, &jobs, false);
        if !epoch.is_empty() {
            let before = native.engine().stats();
            // Invalid entries are answered without joining the epoch.
            let size = epoch.iter().filter(|i| i.is_ok()).count() as u64;
            let results = match &mut native {
                Native::Memory(e) => Ok(e.execute(epoch)),
                Native::Durable(d, _) => d
                    .execute_unsynced(epoch)
                    .map_err(|e| format!("durability failure: {e}")),
            };
            metrics.record(&before, &native.engine().stats(), size);
            match results {
                Ok(results) => native.release(Release::Batch(waiting, results)),
                Err(e) => {
                    // Those clients get the error (HTTP 503); the backend keeps serving: a
                    // distributed backend's timeout or lost connection is no reason to stop.
                    eprintln!("error: {e}");
                    for (_, reply) in waiting {
                        let _ = reply.send(Err(e.clone()));
                    }
                }
            }
        }
        for (entity, key, reply) in reads {
            let value = native.engine().entity_state(&entity, &key);
            native.release(Release::Read(reply, value));
        }
    }
    if let Native::Durable(mut d, syncer) = native {
        drop(syncer);
        if let Some(h) = syncer_handle {
            let _ = h.join();
        }
        if let Err(e) = d.snapshot() {
            eprintln!("error: final snapshot failed: {e}");
        }
    }
}

/// One epoch's worth of jobs: the invocations, who waits for which results, and the reads.
struct Drained {
    epoch: Vec<Result<Invocation, Invalid>>,
    waiting: Waiting,
    reads: Vec<(String, String, oneshot::Sender<ReadReply>)>,
}

/// Takes what has queued up (at most about [`MAX_EPOCH`] invocations) after `first`. With
/// `skip_abandoned`, jobs whose client has gone (its connection closed, e.g. at shutdown) are
/// dropped: nothing of them ran, and nobody waits for them.
fn drain(first: Job, jobs: &mpsc::Receiver<Job>, skip_abandoned: bool) -> Drained {
    let mut drained = Drained {
        epoch: Vec::new(),
        waiting: Vec::new(),
        reads: Vec::new(),
    };
    let mut next = Some(first);
    while let Some(job) = next {
        match job {
            Job::Batch(_, reply) if skip_abandoned && reply.is_closed() => {}
            Job::Get(_, _, reply) if skip_abandoned && reply.is_closed() => {}
            Job::Batch(batch, reply) => {
                drained.waiting.push((batch.len(), reply));
                drained.epoch.extend(batch);
            }
            Job::Get(entity, key, reply) => drained.reads.push((entity, key, reply)),
        }
        next = if drained.epoch.len() < MAX_EPOCH {
            jobs.try_recv().ok()
        } else {
            None
        };
    }
    drained
}

/// Runs one epoch on a plugin instance: invalid entries are answered here, the rest cross as
/// one batch.
fn plugin_epoch(
    instance: &mut RunningBackend,
    epoch: Vec<Result<Invocation, Invalid>>,
) -> Result<Vec<InvocationResult>, String> {
    let mut lines = Vec::new();
    let mut slots = Vec::with_capacity(epoch.len());
    for entry in epoch {
        match entry {
            Ok(inv) => {
                lines.push(inv.to_json().to_string());
                slots.push(None);
            }
            Err((id, message)) => slots.push(Some(InvocationResult {
                id,
                seq: None,
                outcome: Err(runtime_common::ErrorReport::new("InvalidRequest", message)),
            })),
        }
    }
    let mut results = if lines.is_empty() {
        Vec::new()
    } else {
        instance
            .invoke_lines(&lines)
            .map_err(|e| format!("backend '{}' failed: {e}", instance.name()))?
    }
    .into_iter();
    slots
        .into_iter()
        .map(|slot| {
            slot.or_else(|| results.next())
                .ok_or_else(|| format!("backend '{}' returned too few results", instance.name()))
        })
        .collect()
}

fn plugin_engine_thread(
    backend: LoadedBackend,
    program: Program,
    config: Json,
    jobs: mpsc::Receiver<Job>,
    metrics: Arc<Metrics>,
    ready: std::sync::mpsc::Sender<Result<(), String>>,
    drained: mpsc::Sender<()>,
) {
    let mut instance = match backend.start(&program, &config) {
        Ok(i) => i,
        Err(e) => {
            let _ = ready.send(Err(format!(
                "backend '{}' ({}) failed to start: {e}",
                backend.description().name,
                backend.path().display()
            )));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    while let Ok(first) = jobs.recv() {
        let Drained {
            epoch,
            waiting,
            reads,
        } = drain(first, &jobs, true);
        if !epoch.is_empty() {
            let size = epoch.iter().filter(|i| i.is_ok()).count() as u64;
            match plugin_epoch(&mut instance, epoch) {
                Ok(results) => {
                    for r in &results {
                        let counter = match &r.outcome {
                            Ok(_) => &metrics.committed,
                            Err(e) if e.kind == "InvalidRequest" => &metrics.invalid,
                            Err(_) => &metrics.aborted,
                        };
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                    metrics.observe_epoch(size);
                    release(Release::Batch(waiting, results));
                }
                Err(e) => {
                    // Those clients get the error (HTTP 503); the backend keeps serving: a
                    // distributed backend's timeout or lost connection is no reason to stop.
                    eprintln!("error: {e}");
                    for (_, reply) in waiting {
                        let _ = reply.send(Err(e.clone()));
                    }
                }
            }
        }
        if !reads.is_empty() {
            match instance.dump_state() {
                Ok(state) => {
                    for (entity, key, reply) in reads {
                        let value = state
                            .get(&entity)
                            .and_then(|records| records.get(&key))
                            .cloned();
                        let _ = reply.send(Ok(value));
                    }
                }
                Err(e) => {
                    // As for invocations: those readers get the error, the backend keeps serving.
                    let e = format!(
                        "backend '{}' could not read its state: {e}",
                        instance.name()
                    );
                    eprintln!("error: {e}");
                    for (_, _, reply) in reads {
                        let _ = reply.send(Err(e.clone()));
                    }
                }
            }
        }
    }
    // Every job is answered or abandoned: the server waits for the backend's own shutdown
    // (within the grace period: a second signal says it is over).
    let _ = drained.send(());
    if let Err(e) = instance.shutdown() {
        eprintln!("error: backend shutdown failed: {e}");
    }
    let _ = drained.send(());
}

/// A request rejected before it reached the engine: counted, timed and answered 400.
fn rejected(shared: &Shared, started: Instant, id: Json, message: String) -> Response {
    shared.metrics.invalid.fetch_add(1, Ordering::Relaxed);
    shared.metrics.observe(started);
    invalid_response(id, message)
}

fn invalid_response(id: Json, message: String) -> Response {
    let result = InvocationResult {
        id,
        seq: None,
        outcome: Err(runtime_common::ErrorReport::new("InvalidRequest", message)),
    };
    (StatusCode::BAD_REQUEST, AxumJson(result.to_json())).into_response()
}

async fn submit(
    shared: &Shared,
    batch: Vec<Result<Invocation, Invalid>>,
) -> Result<Vec<InvocationResult>, Response> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let (tx, rx) = oneshot::channel();
    if shared.jobs.send(Job::Batch(batch, tx)).is_err() {
        return Err(engine_stopped());
    }
    match rx.await {
        Ok(Ok(r)) => Ok(r),
        // Nothing of the batch ran (e.g. the log could not be written: disk full); the
        // client may send it again.
        Ok(Err(e)) => Err(http_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            e.to_string(),
        )),
        Err(_) => Err(engine_stopped()),
    }
}

/// The largest request body accepted (a batch of about 200k transfers).
const MAX_BODY_BYTES: usize = 64 << 20;

/// 503 when the engine thread is gone (shutting down).
fn engine_stopped() -> Response {
    http_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "Unavailable",
        "the engine stopped".into(),
    )
}

/// 413 as soon as the headers announce a body over the limit, before any of it is read.
async fn refuse_oversized(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let announced = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    next.run(request).await
}

/// The contract's error for a body over [`MAX_BODY_BYTES`].
fn too_large() -> Response {
    invalid_body(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
    )
}

/// The contract's error for a body that could not be read (too large: 413).
fn unreadable(e: BytesRejection) -> Response {
    let message = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    } else {
        // The innermost cause says what was wrong (e.g. an invalid chunk size).
        let mut cause = e.body_text();
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            cause = inner.to_string();
            source = inner.source();
        }
        format!("cannot read the request body: {cause}")
    };
    invalid_body(e.status(), message)
}

/// An `InvalidRequest` result without an id, with `status`.
fn invalid_body(status: StatusCode, message: String) -> Response {
    let result = InvocationResult {
        id: Json::Null,
        seq: None,
        outcome: Err(runtime_common::ErrorReport::new("InvalidRequest", message)),
    };
    (status, AxumJson(result.to_json())).into_response()
}

async fn invoke(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return unreadable(e),
    };
    let started = Instant::now();
    let rejected = |id: Json, message: String| rejected(&shared, started, id, message);
    let json = match client_json(&body) {
        Ok(j) => j,
        Err((id, message)) => return rejected(id, message),
    };
    let inv = match invocation_from_json(json, &shared.program) {
        Ok(inv) => inv,
        Err((id, message)) => return rejected(id, message),
    };
    let response = match submit(&shared, vec![Ok(inv)]).await {
        Ok(mut results) => match results.pop() {
            Some(r) if matches!(&r.outcome, Err(e) if e.kind == "InvalidRequest") => {
                (StatusCode::BAD_REQUEST, AxumJson(r.to_json())).into_response()
            }
            Some(r) => AxumJson(r.to_json()).into_response(),
            None => http_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "SystemError",
                "the engine gave no result".into(),
            ),
        },
        Err(resp) => resp,
    };
    shared.metrics.observe(started);
    response
}

async fn batch(State(shared): State<Arc<Shared>>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return unreadable(e),
    };
    // A UTF-8 byte order mark starts no invocation (as in `exec`'s input).
    let body = match body.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => Bytes::copy_from_slice(rest),
        None => body,
    };
    let started = Instant::now();
    let is_array = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[');
    let items: Vec<Result<Invocation, Invalid>> = if is_array {
        match json_array_items(&body) {
            Ok(items) => items
                .into_iter()
                .map(|item| invocation_from_json(client_json(item)?, &shared.program))
                .collect(),
            Err(e) => {
                return rejected(
                    &shared,
                    started,
                    Json::Null,
                    format!("malformed JSON array: {e}"),
                )
            }
        }
    } else {
        // JSON lines: each line on its own, so one bad line (bad UTF-8 too) spoils no other.
        // A parse error names the line of the body, not of the line alone.
        body.split(|b| *b == b'\n')
            .enumerate()
            .filter(|(_, l)| !is_blank_line(l))
            .map(|(i, l)| match std::str::from_utf8(l) {
                Ok(text) => runtime_common::contract::parse_invocation(text, &shared.program)
                    .map_err(|(id, m)| {
                        (
                            id,
                            m.replacen(
                                " at line 1 column ",
                                &format!(" at line {} column ", i + 1),
                                1,
                            ),
                        )
                    }),
                Err(e) => Err((
                    Json::Null,
                    format!("malformed JSON: invalid UTF-8 on line {}: {e}", i + 1),
                )),
            })
            .collect()
    };
    let response = match submit(&shared, items).await {
        Ok(results) => AxumJson(Json::Array(
            results.iter().map(InvocationResult::to_json).collect(),
        ))
        .into_response(),
        Err(resp) => resp,
    };
    shared.metrics.observe(started);
    response
}

/// An HTTP-level error as JSON, the shape of an invocation's error.
fn http_error(status: StatusCode, kind: &str, message: String) -> Response {
    (
        status,
        AxumJson(json!({"error": {"type": kind, "message": message}})),
    )
        .into_response()
}

/// 404 for a path the API does not have. The body is read first: a connection whose request
/// body was left unread cannot carry the next request.
async fn no_such_path(uri: axum::http::Uri, body: axum::body::Bytes) -> Response {
    drop(body);
    http_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("no such path: {}", uri.path()),
    )
}

/// 405 for a known path asked with another method (the body is read first, as for 404).
async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
    body: axum::body::Bytes,
) -> Response {
    drop(body);
    http_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("{} does not take {method}", uri.path()),
    )
}

/// `GET /v1/entities/{Entity}/`: the entity whose key is the empty string.
async fn entity_with_empty_key(
    state: State<Arc<Shared>>,
    path: Result<UrlPath<String>, PathRejection>,
) -> Response {
    match path {
        Ok(UrlPath(entity_type)) => entity(state, Ok(UrlPath((entity_type, String::new())))).await,
        Err(e) => bad_path(e),
    }
}

/// 400 for a path whose parts cannot be read (not UTF-8 once percent-decoded).
fn bad_path(e: PathRejection) -> Response {
    http_error(StatusCode::BAD_REQUEST, "InvalidRequest", e.body_text())
}

async fn entity(
    State(shared): State<Arc<Shared>>,
    path: Result<UrlPath<(String, String)>, PathRejection>,
) -> Response {
    let (entity, key) = match path {
        Ok(UrlPath(parts)) => parts,
        Err(e) => return bad_path(e),
    };
    if shared.program.entity_index(&entity).is_none() {
        return http_error(
            StatusCode::NOT_FOUND,
            "InvalidRequest",
            format!("unknown entity type '{entity}'"),
        );
    }
    let (tx, rx) = oneshot::channel();
    if shared
        .jobs
        .send(Job::Get(entity.clone(), key.clone(), tx))
        .is_err()
    {
        return engine_stopped();
    }
    match rx.await {
        Ok(Ok(Some(state))) => AxumJson(state).into_response(),
        Ok(Err(e)) => http_error(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", e),
        Ok(Ok(None)) => http_error(
            StatusCode::NOT_FOUND,
            "EntityNotFound",
            format!("{entity} '{key}' does not exist"),
        ),
        Err(_) => engine_stopped(),
    }
}

/// Healthy when the engine answers a read (through the log syncer when durable).
async fn health(State(shared): State<Arc<Shared>>) -> Response {
    let (tx, rx) = oneshot::channel();
    if shared
        .jobs
        .send(Job::Get(String::new(), String::new(), tx))
        .is_err()
    {
        return engine_stopped();
    }
    let answer = match shared.health_timeout {
        Some(limit) => match tokio::time::timeout(limit, rx).await {
            Ok(answer) => answer,
            Err(_) => {
                return http_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Unavailable",
                    format!(
                        "the engine did not answer within {} s (busy with a long epoch?)",
                        limit.as_secs()
                    ),
                )
            }
        },
        None => rx.await,
    };
    match answer {
        Ok(Ok(_)) => "ok\n".into_response(),
        Ok(Err(e)) => http_error(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", e),
        Err(_) => engine_stopped(),
    }
}

/// How long `/healthz` waits for the native engine to answer.
const HEALTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

async fn metrics_page(State(shared): State<Arc<Shared>>) -> Response {
    (
        [("content-type", "text/plain; version=0.0.4")],
        shared.metrics.render(),
    )
        .into_response()
}

/// How long open connections may take to finish after SIGTERM or Ctrl-C.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Serves `app` on `listen` until SIGTERM or Ctrl-C, on the native engine or, given a plugin and
/// its start configuration, on the plugin.
pub fn run(
    app: &Path,
    listen: &str,
    durability: Option<DurabilityConfig>,
    engine_config: EngineConfig,
    http_threads: usize,
    workers: usize,
    plugin: Option<(LoadedBackend, Json)>,
) -> Result<(), String> {
    let program = load_program(app)?;
    let shared_program = Arc::new(program.clone());
    let metrics = Arc::new(Metrics::default());
    let (jobs_tx, jobs_rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    let engine_metrics = metrics.clone();
    let on_plugin = plugin.is_some();
    let (draining_tx, drained_rx) = mpsc::channel::<()>();
    let engine = std::thread::Builder::new()
        .name("entiflow-engine".into())
        .stack_size(runtime_common::contract::DEEP_STACK_BYTES)
        .spawn(move || match plugin {
            Some((backend, config)) => plugin_engine_thread(
                backend,
                program,
                config,
                jobs_rx,
                engine_metrics,
                ready_tx,
                draining_tx,
            ),
            None => engine_thread(
                program,
                durability,
                engine_config,
                workers,
                jobs_rx,
                engine_metrics,
                ready_tx,
            ),
        })
        .map_err(|e| e.to_string())?;
    ready_rx
        .recv()
        .map_err(|_| "engine failed to start".to_string())??;
    let shared = Arc::new(Shared {
        program: shared_program,
        jobs: jobs_tx,
        metrics,
        // A backend plugin answers within its own timeout (and says why it could not).
        health_timeout: (!on_plugin).then_some(HEALTH_TIMEOUT),
    });
    let router = Router::new()
        .route("/v1/invoke", post(invoke))
        .route("/v1/batch", post(batch))
        .route("/v1/entities/:entity/:key", get(entity))
        .route("/v1/entities/:entity/", get(entity_with_empty_key))
        .route("/healthz", get(health))
        .route("/metrics", get(metrics_page))
        .fallback(no_such_path)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(refuse_oversized))
        .with_state(shared.clone());
    // One HTTP thread means the thread calling `block_on` serves everything: no hand-offs
    // between an I/O driver thread and a worker.
    let runtime = if http_threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(http_threads)
            .thread_stack_size(runtime_common::contract::DEEP_STACK_BYTES)
            .enable_all()
            .build()
    }
    .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        eprintln!("entiflow: serving {} on http://{local}", app.display());
        let (signalled, on_signal) = oneshot::channel::<()>();
        let server = axum::serve(listener, router).with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = signalled.send(());
        });
        // A client that never finishes its request must not keep the server (and its data
        // directory) for ever: after the grace period the remaining connections are dropped.
        // Whatever was acknowledged is durable already.
        let grace = async move {
            if on_signal.await.is_err() {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            served = server => served.map_err(|e| e.to_string()),
            _ = grace => {
                eprintln!(
                    "entiflow: connections still open {} s after the signal; closing them",
                    SHUTDOWN_GRACE.as_secs()
                );
                Ok(())
            }
        }
    })?;
    // Dropping the runtime drops the connections left and with them their handles on the engine.
    drop(runtime);
    drop(shared);
    if on_plugin {
        // A distributed backend may be waiting (up to its timeout) for results whose clients
        // are gone; what it was sent stays in its own log and completes there, so the process
        // does not wait for it beyond the grace period.
        if let Err(mpsc::RecvTimeoutError::Timeout) = drained_rx.recv_timeout(SHUTDOWN_GRACE) {
            eprintln!(
                "entiflow: the backend is still waiting for results of clients that left; stopping without it"
            );
            return Ok(());
        }
        // Its shutdown (closing its clients of the cluster) gets the same grace.
        if let Err(mpsc::RecvTimeoutError::Timeout) = drained_rx.recv_timeout(SHUTDOWN_GRACE) {
            eprintln!(
                "entiflow: the backend did not finish its shutdown within {} s; stopping without it",
                SHUTDOWN_GRACE.as_secs()
            );
            return Ok(());
        }
    }
    engine
        .join()
        .map_err(|_| "engine thread panicked".to_string())?;
    eprintln!("entiflow: stopped");
    Ok(())
}
