//! Durability for the native engines: an input log with group commit, snapshots written in the
//! background, and recovery by snapshot + deterministic replay.
//!
//! Layout of the data directory:
//! - `wal-<first epoch>.jsonl`: log segments, one line per epoch,
//!   `{"epoch": N, "batch": [invocation, ...]}`, a tab and the CRC-32 of the JSON text in eight
//!   hex digits, fsynced before any result of the epoch is released. The epoch's composition is logged, so replay runs the very same batches in the very
//!   same order.
//! - `snapshot.json`: committed state, `seq`, the dedup table and the last epoch it includes,
//!   then a tab and the CRC-32 of the JSON text (checked on recovery; a damaged snapshot is
//!   refused).
//!
//! Taking a snapshot never stalls the engine for long: the engine thread captures the state
//! (shared references to the committed records; a transaction copies a captured record before
//! it changes one in place) and
//! starts a new log segment; then, after each epoch, it encodes the next few hundred captured
//! entities and hands them to a background thread, which streams the snapshot to a temporary
//! file, fsyncs and renames it, and only then deletes the segments it covers. A snapshot whose
//! engine stops before every entity was handed over is abandoned, never renamed into place.
//! Recovery loads the snapshot and replays every later epoch of the remaining segments. A torn
//! last line (a crash during a write) was never acknowledged and is dropped.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use ir::Program;
use runtime_common::contract::{
    drop_deep_json, from_slice_unbounded, invocation_from_json, value_from_tagged, value_to_tagged,
    values_from_tagged, DeepJson, Invalid,
};
use runtime_common::{Invocation, InvocationResult, Value};
use serde_json::{json, Value as Json};

use crate::engine::{Capture, Engine, EngineConfig, Executor, Exported, ExportedRecord};

/// Durability settings.
#[derive(Debug, Clone)]
pub struct DurabilityConfig {
    /// The data directory.
    pub dir: PathBuf,
    /// Take a snapshot after this many epochs ...
    pub snapshot_every: u64,
    /// ... or once the log has grown to this many bytes, whichever comes first.
    pub snapshot_log_bytes: u64,
}

impl DurabilityConfig {
    /// Defaults for `dir`: snapshots every 100 000 epochs or 64 MiB of log.
    pub fn new(dir: PathBuf) -> Self {
        DurabilityConfig {
            dir,
            snapshot_every: 100_000,
            snapshot_log_bytes: 64 << 20,
        }
    }
}

/// A handle that makes everything written to the log so far durable; it may run on another
/// thread than the engine, so fsyncs overlap with execution (pipelined group commit).
pub struct LogSyncer {
    file: Arc<Mutex<File>>,
}

impl LogSyncer {
    /// Waits until every log record written before this call is on stable storage.
    pub fn sync(&self) -> io::Result<()> {
        let file = self
            .file
            .lock()
            .map_err(|_| io::Error::other("log lock poisoned"))?
            .try_clone()?;
        file.sync_data()
    }
}

/// An engine whose every acknowledged epoch survives a crash.
pub struct DurableEngine {
    engine: Box<dyn Executor>,
    config: DurabilityConfig,
    log: File,
    shared_log: Arc<Mutex<File>>,
    epoch: u64,
    since_snapshot: u64,
    log_bytes: u64,
    /// The length of the current segment: everything before it is whole records.
    segment_len: u64,
    /// Set when a failed write could not be cut off: nothing more may be logged.
    log_broken: bool,
    /// Held for the engine's lifetime: one process per data directory.
    _lock: File,
    /// Each entity type's name and field names, for snapshots.
    schema: Vec<(String, Vec<String>)>,
    snapshotter: Option<JoinHandle<io::Result<()>>>,
    encoding: Option<Encoding>,
    /// What `DIR/manifest.json` says (rewritten when a new segment starts).
    manifest: Manifest,
}

/// What the snapshot writer receives: entities (grouped by type, in order), then the end.
enum SnapshotPart {
    Entities(Vec<ExportedRecord>),
    End,
}

/// A snapshot whose entities are still being encoded on the engine thread.
struct Encoding {
    capture: Capture,
    parts: mpsc::Sender<SnapshotPart>,
}

/// Entities encoded per epoch while a snapshot is written (about a third of a millisecond).
const ENCODE_PER_EPOCH: usize = 500;

fn invalid_data(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// Takes the data directory's lock (`DIR/LOCK`): two processes appending to one log would lose
/// each other's acknowledged work.
fn lock_dir(dir: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("LOCK"))?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor this function owns; no memory is involved.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!("{} is in use by another entiflow process", dir.display()),
            ));
        }
    }
    Ok(file)
}

/// What produced a data directory's log: replaying it with another program or another kind of
/// engine would not give the results that were acknowledged.
#[derive(Debug, PartialEq, Eq)]
struct Manifest {
    /// FNV-1a of the program's IR (JSON) without what does not change behaviour: the source
    /// file's path and name and the source spans (the same app run from another directory, or
    /// with comments edited, may replay the log).
    program: String,
    /// `serial` or `parallel-locking` (their serial orders differ).
    engine: String,
    /// The dedup window the log was written with: whether a repeated id is answered from the
    /// table or runs again depends on it, so the log is replayed with it (`None`: not recorded).
    dedup_window: Option<u64>,
    /// The step limit (`--max-steps`) the log was written with: a transaction that ran out of
    /// steps under one limit commits under a higher one (`None`: not recorded).
    max_steps: Option<u64>,
    /// The first epoch of the log segment being written: recovery refuses a directory that lacks
    /// it (a deleted last segment leaves no gap to see; `None`: not recorded).
    segment: Option<u64>,
}

impl Manifest {
    fn of(program: &Program, engine: &str, dedup_window: usize, max_steps: u64) -> Manifest {
        fn strip_spans(j: &mut Json) {
            match j {
                Json::Object(m) => {
                    m.remove("span");
                    m.values_mut().for_each(strip_spans);
                }
                Json::Array(a) => a.iter_mut().for_each(strip_spans),
                _ => {}
            }
        }
        let mut ir = serde_json::to_value(program).unwrap_or_default();
        if let Json::Object(m) = &mut ir {
            m.remove("source_file");
            m.remove("name");
        }
        strip_spans(&mut ir);
        let text = serde_json::to_vec(&ir).unwrap_or_default();
        let hash = text.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        Manifest {
            program: format!("{hash:016x}"),
            engine: engine.to_string(),
            dedup_window: Some(dedup_window as u64),
            max_steps: Some(max_steps),
            segment: None,
        }
    }

    fn read(dir: &Path) -> io::Result<Option<Manifest>> {
        let path = dir.join("manifest.json");
        if !path.exists() {
            return Ok(None);
        }
        let json: Json = serde_json::from_slice(&fs::read(&path)?)
            .map_err(|e| invalid_data(format!("{}: {e}", path.display())))?;
        let field = |name: &str| {
            json.get(name)
                .and_then(Json::as_str)
                .map(str::to_string)
                .ok_or_else(|| invalid_data(format!("{}: missing {name}", path.display())))
        };
        Ok(Some(Manifest {
            program: field("program")?,
            engine: field("engine")?,
            dedup_window: json.get("dedup_window").and_then(Json::as_u64),
            max_steps: json.get("max_steps").and_then(Json::as_u64),
            segment: json.get("segment").and_then(Json::as_u64),
        }))
    }

    fn write(&self, dir: &Path) -> io::Result<()> {
        let tmp = dir.join("manifest.json.tmp");
        let mut f = File::create(&tmp)?;
        serde_json::to_writer(
            &mut f,
            &json!({
                "program": self.program,
                "engine": self.engine,
                "dedup_window": self.dedup_window,
                "max_steps": self.max_steps,
                "segment": self.segment,
            }),
        )?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join("manifest.json"))?;
        sync_dir(dir)
    }

    /// Whether replaying the log this manifest describes under `now` could change its results.
    fn differs(&self, now: &Manifest) -> bool {
        (&self.program, &self.engine) != (&now.program, &now.engine)
            || self.max_steps.is_some_and(|m| Some(m) != now.max_steps)
    }

    fn mismatch(&self, now: &Manifest, dir: &Path) -> String {
        let what = if self.engine != now.engine {
            format!(
                "the {} engine, and this is the {} one (`--workers 1` is serial, more is parallel)",
                self.engine, now.engine
            )
        } else if self.program != now.program {
            "another version of the program".to_string()
        } else {
            format!(
                "a run with `--max-steps {}` (this one has `--max-steps {}`)",
                self.max_steps.unwrap_or_default(),
                now.max_steps.unwrap_or_default()
            )
        };
        format!(
            "{}: its log was written by {what}; replaying it now could change acknowledged \
             results. Restart with what wrote it and stop it cleanly (SIGTERM for `run`, the end of \
             the input for `exec`): a clean shutdown leaves no log to replay",
            dir.display()
        )
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn segment_path(dir: &Path, first_epoch: u64) -> PathBuf {
    dir.join(format!("wal-{first_epoch:020}.jsonl"))
}

/// The log segments in epoch order.
fn segments(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("wal-") && n.ends_with(".jsonl"))
        })
        .collect();
    out.sort();
    Ok(out)
}

impl DurableEngine {
    /// Opens (or creates) a data directory with the serial engine and recovers its state.
    pub fn open(
        program: Rc<Program>,
        engine_config: EngineConfig,
        config: DurabilityConfig,
    ) -> io::Result<Self> {
        let engine = Box::new(Engine::new(program.clone(), engine_config));
        Self::open_with(engine, &program, config)
    }

    /// Opens (or creates) a data directory for any executor and recovers the state it holds.
    pub fn open_with(
        mut engine: Box<dyn Executor>,
        program: &Program,
        config: DurabilityConfig,
    ) -> io::Result<Self> {
        fs::create_dir_all(&config.dir)?;
        let lock = lock_dir(&config.dir)?;
        let started = std::time::Instant::now();
        let manifest = Manifest::of(
            program,
            engine.kind(),
            engine.dedup_window(),
            engine.max_steps(),
        );
        let recorded = Manifest::read(&config.dir)?;
        // The log replays with the window it was written with; the one asked for takes over
        // once a snapshot covers the replayed epochs (below).
        let wanted_window = engine.dedup_window();
        if let Some(w) = recorded.as_ref().and_then(|r| r.dedup_window) {
            engine.set_dedup_window(usize::try_from(w).unwrap_or(usize::MAX));
        }
        if let Some(first) = recorded.as_ref().and_then(|r| r.segment) {
            let path = segment_path(&config.dir, first);
            if !path.exists() {
                return Err(invalid_data(format!(
                    "{} is missing (the log segment being written when the directory was last \
                     used); refusing to recover without it",
                    path.display()
                )));
            }
        }
        let mut epoch = 0;
        let snapshot_path = config.dir.join("snapshot.json");
        if snapshot_path.exists() {
            let bytes = fs::read(&snapshot_path)?;
            let text = snapshot_text(&bytes).ok_or_else(|| {
                invalid_data(format!(
                    "{}: its checksum does not match its contents: the snapshot is damaged; \
                     refusing to recover from it",
                    snapshot_path.display()
                ))
            })?;
            let json: Json = from_slice_unbounded(text)
                .map_err(|e| invalid_data(format!("{}: {e}", snapshot_path.display())))?;
            epoch = restore_snapshot(engine.as_mut(), program, json)
                .map_err(|e| invalid_data(format!("{}: {e}", snapshot_path.display())))?;
        }
        let snapshot_epoch = epoch;
        let all = segments(&config.dir)?;
        for (i, path) in all.iter().enumerate() {
            let bytes = fs::read(path)?;
            let mut start = 0usize;
            while start < bytes.len() {
                let end = bytes[start..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |p| start + p);
                let record = checked_record(&bytes[start..end])
                    .and_then(|text| from_slice_unbounded::<Json>(text).ok());
                let parsed = record.as_ref().and_then(|r| {
                    Some((
                        r.get("epoch").and_then(Json::as_u64)?,
                        r.get("batch").and_then(Json::as_array)?,
                    ))
                });
                let Some((n, batch)) = parsed else {
                    // Only the last record of the last segment may be torn (a crash during its
                    // write, never acknowledged); damage anywhere else loses acknowledged work.
                    let rest_is_blank = bytes[end..].iter().all(u8::is_ascii_whitespace);
                    if i + 1 != all.len() || !rest_is_blank {
                        return Err(invalid_data(format!(
                            "{} is damaged at byte {start} (before its last record); refusing \
                             to recover from it",
                            path.display()
                        )));
                    }
                    eprintln!(
                        "note: dropping the torn last record of {} (never acknowledged)",
                        path.display()
                    );
                    let f = OpenOptions::new().write(true).open(path)?;
                    f.set_len(start as u64)?;
                    f.sync_all()?;
                    break;
                };
                start = end + 1;
                if n <= epoch {
                    continue;
                }
                if n != epoch + 1 {
                    return Err(invalid_data(format!(
                        "{}: the log jumps from epoch {epoch} to epoch {n}: {} is missing; \
                         refusing to recover without it",
                        path.display(),
                        if epoch == snapshot_epoch {
                            "the snapshot covering the epochs before it"
                        } else {
                            "a log segment"
                        }
                    )));
                }
                if epoch == snapshot_epoch {
                    if let Some(recorded) = recorded.as_ref().filter(|r| r.differs(&manifest)) {
                        return Err(invalid_data(recorded.mismatch(&manifest, &config.dir)));
                    }
                }
                // Only valid invocations are logged: one that no longer reads as one is damage
                // (or a program the manifest did not catch), and replaying it as an invalid
                // request would shift every later `seq`.
                let batch = batch
                    .iter()
                    .map(|j| {
                        invocation_from_json(j.clone(), program)
                            .map(Ok)
                            .map_err(|(_, e)| {
                                invalid_data(format!(
                                    "{}: epoch {n} holds an invocation that is not valid for this \
                                 program ({e}); refusing to recover from it",
                                    path.display()
                                ))
                            })
                    })
                    .collect::<io::Result<Vec<Result<Invocation, Invalid>>>>()?;
                engine.execute(batch);
                epoch = n;
            }
        }
        if epoch > snapshot_epoch || snapshot_path.exists() {
            eprintln!(
                "recovered {}: snapshot up to epoch {snapshot_epoch}, {} epochs replayed in {:.1?}",
                config.dir.display(),
                epoch - snapshot_epoch,
                started.elapsed()
            );
        }
        let window_changed = engine.dedup_window() != wanted_window;
        let replayed = epoch > snapshot_epoch;
        // The segment exists before a manifest names it.
        let log = File::create(segment_path(&config.dir, epoch + 1))?;
        sync_dir(&config.dir)?;
        let manifest = Manifest {
            segment: Some(epoch + 1),
            ..manifest
        };
        if !window_changed || !replayed {
            engine.set_dedup_window(wanted_window);
            manifest.write(&config.dir)?;
        }
        let shared_log = Arc::new(Mutex::new(log.try_clone()?));
        let schema = program
            .entities
            .iter()
            .map(|e| {
                let fields = e.fields.iter().map(|f| f.name.clone()).collect();
                (e.name.clone(), fields)
            })
            .collect();
        let mut durable = DurableEngine {
            engine,
            config,
            log,
            shared_log,
            epoch,
            since_snapshot: 0,
            log_bytes: 0,
            segment_len: 0,
            log_broken: false,
            _lock: lock,
            schema,
            snapshotter: None,
            encoding: None,
            manifest,
        };
        if window_changed && replayed {
            // The replayed epochs ran with the recorded window: a snapshot covers them (and
            // removes their segments) before the new window applies to anything logged.
            durable.manifest.dedup_window = Some(durable.engine.dedup_window() as u64);
            durable.snapshot()?;
            durable.engine.set_dedup_window(wanted_window);
            durable.manifest.dedup_window = Some(wanted_window as u64);
            durable.manifest.write(&durable.config.dir)?;
        }
        Ok(durable)
    }

    /// The engine (for reads).
    pub fn engine(&self) -> &dyn Executor {
        self.engine.as_ref()
    }

    /// Logs the batch durably, then runs it. Results may be released when this returns.
    pub fn execute(
        &mut self,
        batch: Vec<Result<Invocation, Invalid>>,
    ) -> io::Result<Vec<InvocationResult>> {
        let results = self.execute_unsynced(batch)?;
        self.log.sync_data()?;
        Ok(results)
    }

    /// A handle to make the log durable from another thread.
    pub fn syncer(&self) -> io::Result<LogSyncer> {
        Ok(LogSyncer {
            file: self.shared_log.clone(),
        })
    }

    /// Writes the batch to the log without waiting for stable storage, then runs it. The
    /// results must not be released (nor reads of the state they produced) before a
    /// [`LogSyncer::sync`] that started after this call has returned.
    pub fn execute_unsynced(
        &mut self,
        batch: Vec<Result<Invocation, Invalid>>,
    ) -> io::Result<Vec<InvocationResult>> {
        let valid: Vec<Json> = batch
            .iter()
            .filter_map(|b| b.as_ref().ok())
            .map(Invocation::to_json)
            .collect();
        if !valid.is_empty() {
            if self.log_broken {
                return Err(io::Error::other(
                    "the log could not be repaired after a failed write; restart to recover",
                ));
            }
            let mut line = serde_json::to_vec(&json!({"epoch": self.epoch + 1, "batch": valid}))
                .map_err(io::Error::other)?;
            let crc = crc32fast::hash(&line);
            line.extend_from_slice(format!("\t{crc:08x}\n").as_bytes());
            if let Err(e) = self.log.write_all(&line) {
                // Cut the partial record off, so later records follow whole ones (recovery
                // reads the log up to its first damaged record). The batch does not run.
                let repaired = self
                    .log
                    .set_len(self.segment_len)
                    .and_then(|_| self.log.seek(SeekFrom::Start(self.segment_len)));
                if repaired.is_err() {
                    self.log_broken = true;
                }
                return Err(e);
            }
            self.epoch += 1;
            self.segment_len += line.len() as u64;
            self.log_bytes += line.len() as u64;
            self.since_snapshot += 1;
        }
        let results = self.engine.execute(batch);
        self.encode_step();
        if self.since_snapshot >= self.config.snapshot_every
            || self.log_bytes >= self.config.snapshot_log_bytes
        {
            // A failed snapshot loses nothing: the log keeps growing and replay stays exact.
            if let Err(e) = self.start_snapshot() {
                eprintln!("warning: snapshot skipped: {e}");
            }
            self.since_snapshot = 0;
            self.log_bytes = 0;
        }
        Ok(results)
    }

    /// Captures the state, starts a new log segment and starts the snapshot writer; the
    /// segments it covers are deleted once it is durable.
    fn start_snapshot(&mut self) -> io::Result<()> {
        if self.encoding.is_some() {
            // Still encoding the previous one: try again later.
            return Ok(());
        }
        if let Some(previous) = self.snapshotter.take() {
            if !previous.is_finished() {
                // Still writing the previous one: try again later rather than wait for it.
                self.snapshotter = Some(previous);
                return Ok(());
            }
            previous
                .join()
                .map_err(|_| io::Error::other("snapshot writer panicked"))??;
        }
        let capture = self.engine.capture().map_err(invalid_data)?;
        let schema = self.schema.clone();
        // The old segment's tail must be durable before the syncer moves to the new one.
        self.log.sync_data()?;
        let new_log = File::create(segment_path(&self.config.dir, self.epoch + 1))?;
        sync_dir(&self.config.dir)?;
        self.manifest.segment = Some(self.epoch + 1);
        self.manifest.write(&self.config.dir)?;
        *self
            .shared_log
            .lock()
            .map_err(|_| io::Error::other("log lock poisoned"))? = new_log.try_clone()?;
        self.log = new_log;
        self.segment_len = 0;
        let dir = self.config.dir.clone();
        let covered = self.epoch;
        let (parts, inbox) = mpsc::channel();
        let (seq, dedup) = (capture.seq, capture.dedup.clone());
        let writer = std::thread::Builder::new()
            .name("entiflow-snapshot".into())
            .stack_size(runtime_common::contract::DEEP_STACK_BYTES);
        self.snapshotter = Some(writer.spawn(move || {
            lower_priority();
            let head = SnapshotHead {
                epoch: covered,
                seq,
                dedup: &dedup,
                schema: &schema,
            };
            write_snapshot(&dir, head, inbox)?;
            for segment in segments(&dir)? {
                let first = segment
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .and_then(|s| s.strip_prefix("wal-"))
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(u64::MAX);
                if first <= covered {
                    fs::remove_file(segment)?;
                }
            }
            sync_dir(&dir)
        })?);
        self.encoding = Some(Encoding { capture, parts });
        self.encode_step();
        Ok(())
    }

    /// Encodes the next entities of the snapshot being written and hands them to its writer.
    fn encode_step(&mut self) {
        let Some(encoding) = &mut self.encoding else {
            return;
        };
        let records = encoding.capture.next_records(ENCODE_PER_EPOCH);
        let part = if records.is_empty() {
            SnapshotPart::End
        } else {
            SnapshotPart::Entities(records)
        };
        let done = matches!(part, SnapshotPart::End);
        // A writer that stopped (an I/O error) reports it when joined.
        if encoding.parts.send(part).is_err() || done {
            self.encoding = None;
        }
    }

    /// Writes a snapshot now and waits for it (at shutdown).
    pub fn snapshot(&mut self) -> io::Result<()> {
        while self.encoding.is_some() {
            self.encode_step();
        }
        if let Some(previous) = self.snapshotter.take() {
            previous
                .join()
                .map_err(|_| io::Error::other("snapshot writer panicked"))??;
        }
        self.start_snapshot()?;
        while self.encoding.is_some() {
            self.encode_step();
        }
        match self.snapshotter.take() {
            Some(handle) => handle
                .join()
                .map_err(|_| io::Error::other("snapshot writer panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for DurableEngine {
    fn drop(&mut self) {
        // A snapshot not fully handed over is abandoned (its writer sees no end).
        self.encoding = None;
        if let Some(handle) = self.snapshotter.take() {
            let _ = handle.join();
        }
    }
}

/// Snapshots are background work: on a busy machine they must not take CPU from the engine and
/// the network threads (that shows up directly as tail latency).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority have no memory-safety preconditions; the call only changes
    // this thread's scheduling priority and a failure is harmless.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}

/// A file writer that makes every `PACE` bytes durable and then pauses, so the log's fsyncs
/// never queue behind one large flush (that would show up as tail latency of every acknowledged
/// request).
struct PacedFile {
    file: File,
    unsynced: usize,
    /// The CRC-32 of everything written so far.
    crc: crc32fast::Hasher,
}

impl PacedFile {
    const PACE: usize = 128 << 10;
}

impl Write for PacedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.crc.update(&buf[..n]);
        self.unsynced += n;
        if self.unsynced >= Self::PACE {
            self.file.sync_data()?;
            self.unsynced = 0;
            std::thread::sleep(std::time::Duration::from_millis(4));
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The JSON text of a snapshot file: followed by a tab and its CRC-32 (as a log line is), which
/// must hold. A snapshot is renamed into place only once complete, so one without a checksum was
/// written by a version that did not add one, and is taken as it is.
fn snapshot_text(bytes: &[u8]) -> Option<&[u8]> {
    let trimmed = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if trimmed.contains(&b'\t') {
        checked_record(trimmed)
    } else {
        Some(trimmed)
    }
}

/// The JSON text of a log line whose checksum holds (see the module doc). `None` for a damaged
/// line, and for one without a checksum: every record is written with one, so a line that lacks
/// it was cut short (or changed).
fn checked_record(line: &[u8]) -> Option<&[u8]> {
    let tab = line.iter().rposition(|b| *b == b'\t')?;
    let (text, crc) = (&line[..tab], &line[tab + 1..]);
    let crc = std::str::from_utf8(crc)
        .ok()
        .filter(|c| c.len() == 8)
        .and_then(|c| u32::from_str_radix(c, 16).ok())?;
    (crc32fast::hash(text) == crc).then_some(text)
}

/// Streams the snapshot to a temporary file (no document is built in memory: a quarter of a
/// million dedup entries would cost hundreds of milliseconds of CPU and allocations that the
/// serving threads feel), makes it durable and renames it into place.
///
/// Layout: `{"epoch": E, "seq": S, "fields": {"Name": [field name, ...]}, "entities": {"Name":
/// [[key, key value, [fields]], ...]}, "dedup": [[id, result], ...]}`. The entities come from `parts`, grouped by type; without
/// [`SnapshotPart::End`] the snapshot is abandoned.
fn write_snapshot(
    dir: &Path,
    head: SnapshotHead<'_>,
    parts: mpsc::Receiver<SnapshotPart>,
) -> io::Result<()> {
    let tmp = dir.join("snapshot.json.tmp");
    let result = write_snapshot_file(&tmp, head, parts);
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    fs::rename(&tmp, dir.join("snapshot.json"))?;
    sync_dir(dir)
}

/// What a snapshot holds besides its entities.
struct SnapshotHead<'a> {
    epoch: u64,
    seq: u64,
    dedup: &'a runtime_common::dedup::DedupSnapshot,
    schema: &'a [(String, Vec<String>)],
}

fn write_snapshot_file(
    tmp: &Path,
    head: SnapshotHead<'_>,
    parts: mpsc::Receiver<SnapshotPart>,
) -> io::Result<()> {
    let file = File::create(tmp)?;
    let paced = PacedFile {
        file,
        unsynced: 0,
        crc: crc32fast::Hasher::new(),
    };
    let mut w = io::BufWriter::with_capacity(PacedFile::PACE, paced);
    write!(
        w,
        r#"{{"epoch":{},"seq":{},"fields":{{"#,
        head.epoch, head.seq
    )?;
    for (i, (name, fields)) in head.schema.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut w, name)?;
        w.write_all(b":")?;
        serde_json::to_writer(&mut w, fields)?;
    }
    w.write_all(br#"},"entities":{"#)?;
    // The entity type whose array is open (it has a record already).
    let mut open: Option<usize> = None;
    loop {
        let records = match parts.recv() {
            Ok(SnapshotPart::Entities(records)) => records,
            Ok(SnapshotPart::End) => break,
            Err(_) => return Err(io::Error::other("snapshot abandoned before its end")),
        };
        for (entity, key, key_value, fields) in &records {
            let (name, _) = head
                .schema
                .get(*entity)
                .ok_or_else(|| invalid_data("snapshot record of an unknown entity type"))?;
            if open == Some(*entity) {
                w.write_all(b",")?;
            } else {
                if open.is_some() {
                    w.write_all(b"],")?;
                }
                serde_json::to_writer(&mut w, name)?;
                w.write_all(b":[")?;
                open = Some(*entity);
            }
            let fields: Vec<DeepJson<'_>> = fields.iter().map(DeepJson).collect();
            serde_json::to_writer(&mut w, &(key, DeepJson(key_value), fields))?;
        }
        records.into_iter().for_each(|(_, _, key_value, fields)| {
            drop_deep_json(key_value);
            fields.into_iter().for_each(drop_deep_json);
        });
    }
    if open.is_some() {
        w.write_all(b"]")?;
    }
    w.write_all(br#"},"dedup":["#)?;
    for (j, (id, result)) in head.dedup.iter().enumerate() {
        if j > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut w, &(&**id, &**result))?;
    }
    w.write_all(b"]}")?;
    let mut paced = w.into_inner().map_err(|e| e.into_error())?;
    let crc = paced.crc.clone().finalize();
    paced.file.write_all(format!("\t{crc:08x}\n").as_bytes())?;
    paced.file.sync_all()
}

/// Where each field of entity type `index` comes from in a snapshot that stored the fields
/// `names`: matched by name (a new version of the program may declare them in another order); a
/// field the snapshot lacks starts unset (reading it raises AttributeError, as for an object made
/// before the attribute existed). A stored field the program no longer declares is refused:
/// restoring would drop its values.
fn field_layout(
    program: &Program,
    index: usize,
    names: &Json,
) -> Result<Vec<Option<usize>>, String> {
    let entity = &program.entities[index];
    let names: Vec<&str> = names
        .as_array()
        .and_then(|a| a.iter().map(Json::as_str).collect())
        .ok_or("bad field names")?;
    if let Some(gone) = names.iter().find(|n| entity.field_index(n).is_none()) {
        return Err(format!(
            "the snapshot holds field `{gone}` of {}, which the program no longer declares; \
             restoring would drop its values. Run the version that wrote it, or keep the field",
            entity.name
        ));
    }
    Ok(entity
        .fields
        .iter()
        .map(|f| names.iter().position(|n| *n == f.name))
        .collect())
}

fn restore_snapshot(
    engine: &mut dyn Executor,
    program: &Program,
    mut json: Json,
) -> Result<u64, String> {
    let epoch = json
        .get("epoch")
        .and_then(Json::as_u64)
        .ok_or("missing epoch")?;
    let seq = json
        .get("seq")
        .and_then(Json::as_u64)
        .ok_or("missing seq")?;
    let mut records = Vec::new();
    // Records are taken out of the document, not cloned: a field may nest millions of levels
    // deep, and a clone of it would recurse as deep.
    let mut entities = json
        .get_mut("entities")
        .map(Json::take)
        .ok_or("missing entities")?;
    let entities = entities.as_object_mut().ok_or("missing entities")?;
    let stored_fields = json.get("fields").and_then(Json::as_object);
    for (name, list) in entities.iter_mut() {
        let index = program
            .entity_index(name)
            .ok_or_else(|| format!("snapshot has unknown entity type {name}"))?;
        let layout = match stored_fields.and_then(|f| f.get(name)) {
            Some(names) => Some(field_layout(program, index, names)?),
            None => None,
        };
        for r in list.as_array_mut().ok_or("bad records")? {
            let parts = r.as_array_mut().ok_or("bad record")?;
            let key = parts
                .first()
                .and_then(Json::as_str)
                .ok_or("bad record key")?
                .to_string();
            let key_value = parts.get_mut(1).map(Json::take).ok_or("bad record")?;
            value_from_tagged(&key_value)?;
            let mut fields: Vec<Json> = match parts.get_mut(2).map(Json::take) {
                Some(Json::Array(fields)) => fields,
                _ => return Err("bad record fields".into()),
            };
            values_from_tagged(&fields)?;
            let fields = match &layout {
                Some(layout) => layout
                    .iter()
                    .map(|from| match from {
                        Some(i) => fields
                            .get_mut(*i)
                            .map(Json::take)
                            .ok_or("bad record fields"),
                        None => Ok(value_to_tagged(&Value::unset())),
                    })
                    .collect::<Result<Vec<Json>, _>>()?,
                None => fields,
            };
            if fields.len() != program.entities[index].fields.len() {
                return Err(format!(
                    "snapshot record {name} {key} has {} fields, the program declares {}",
                    fields.len(),
                    program.entities[index].fields.len()
                ));
            }
            records.push((index, key, key_value, fields));
        }
    }
    let mut dedup = Vec::new();
    for entry in json
        .get("dedup")
        .and_then(Json::as_array)
        .ok_or("missing dedup")?
    {
        let k = entry
            .get(0)
            .and_then(Json::as_str)
            .ok_or("bad dedup entry")?;
        let r = entry
            .get(1)
            .and_then(Json::as_str)
            .ok_or("bad dedup result")?;
        dedup.push((Arc::from(k), Arc::from(r)));
    }
    engine.import(Exported {
        seq,
        dedup: dedup.into(),
        records,
    });
    Ok(epoch)
}
