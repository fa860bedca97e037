//! Backends as run-time plugins: the stable ABI between the `entiflow` host and engine crates
//! built as dynamic libraries (`cdylib`), with safe wrappers on both sides.
//!
//! Everything that crosses the boundary is an `abi_stable` type: JSON text in [`RStr`] /
//! [`RString`], errors as [`FfiError`] (`{type, message}`), and one opaque trait object per running
//! instance. The IR crosses as its JSON with its `ir_version` (checked by [`Program::from_json`] on
//! the plugin side); invocation batches cross as JSONL in the contract's form and results come back
//! as JSONL, one line per invocation. No Rust-std or async-runtime type crosses, so host and
//! plugin may be built by different compilers and with different dependency versions.
//!
//! - Plugin side: implement [`Backend`] (and [`Instance`] for its running engines), then call
//!   [`export_backend!`](crate::export_backend) once at the root of the `cdylib` crate.
//! - Host side: [`LoadedBackend::load`] opens a plugin file, checks the ABI version and layout,
//!   and gives typed methods; [`LoadedBackend::start`] gives a [`RunningBackend`].
//!
//! Every exported function catches panics and turns them into an error of type `Panic`; plugins
//! are never unloaded. The rules are written out in `docs/plugin-abi.md`.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use abi_stable::library::{lib_header_from_path, LibraryError, RootModule};
use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RBox, RErr, ROk, RResult, RStr, RString};
use abi_stable::{declare_root_module_statics, StableAbi};
use ir::Program;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::contract::{parse_invocation, Invalid};
use crate::{Invocation, InvocationResult};

pub use abi_stable;

/// The version of this ABI. A plugin loads only into a host whose ABI version is compatible
/// (same major; while the major is 0, a plugin minor at least the host's), and its root module
/// must then have the layout the host expects.
pub const ABI_VERSION: &str = "0.1.0";

// ----------------------------------------------------------------------------------------------
// The ABI itself: what the dynamic library exports.

/// An error crossing the boundary: a type (`Panic`, `InvalidIr`, `InvalidConfig`, `Unsupported`,
/// `Protocol`, `Stopped`, or one of the backend's own) and a message.
#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct FfiError {
    /// The error type.
    pub kind: RString,
    /// What went wrong.
    pub message: RString,
}

/// The result of every ABI function.
pub type FfiResult<T> = RResult<T, FfiError>;

pub use instance_abi::{BackendInstance, BackendInstance_TO};

mod instance_abi {
    // The trait-object machinery `sabi_trait` generates places impls in a nested module.
    #![allow(non_local_definitions)]

    use super::FfiResult;
    use abi_stable::sabi_trait;
    use abi_stable::std_types::{RStr, RString};

    /// A running engine instance inside a plugin. The host calls it from one thread at a time, but
    /// may move it between threads.
    #[sabi_trait]
    pub trait BackendInstance: Send {
        /// Runs a batch: JSONL invocations in, JSONL results out, one result line per non-blank
        /// input line, in input order.
        fn invoke(&mut self, batch_jsonl: RStr<'_>) -> FfiResult<RString>;

        /// The committed state as a JSON document (the contract's state dump).
        fn dump_state(&mut self) -> FfiResult<RString>;

        /// Stops the engine; every later call fails with `Stopped`.
        #[sabi(last_prefix_field)]
        fn shutdown(&mut self) -> FfiResult<()>;
    }
}

/// An owned running instance, as it crosses the boundary.
pub type InstanceBox = BackendInstance_TO<'static, RBox<()>>;

/// The root module a plugin exports. New functions may only be added at the end (after the last
/// prefix field), together with a minor ABI version bump.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = BackendModRef)))]
pub struct BackendMod {
    /// The description JSON: `{name, version, ir_versions, capabilities}`.
    pub describe: extern "C" fn() -> FfiResult<RString>,
    /// Compiles IR JSON with options JSON into the engine's artifacts: a JSON object of file
    /// name to file contents.
    pub compile: extern "C" fn(ir_json: RStr<'_>, options_json: RStr<'_>) -> FfiResult<RString>,
    /// Starts an instance running the program of `ir_json`, configured by `config_json`.
    #[sabi(last_prefix_field)]
    pub start: extern "C" fn(ir_json: RStr<'_>, config_json: RStr<'_>) -> FfiResult<InstanceBox>,
}

impl RootModule for BackendModRef {
    declare_root_module_statics! {BackendModRef}
    const BASE_NAME: &'static str = "entiflow_backend";
    const NAME: &'static str = "entiflow backend";
    const VERSION_STRINGS: VersionStrings = VersionStrings::new(ABI_VERSION);
}

// ----------------------------------------------------------------------------------------------
// The JSON documents.

/// What a backend declares about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description {
    /// The name `--backend NAME` selects it by.
    pub name: String,
    /// The backend's own version.
    pub version: String,
    /// The IR versions it reads (a program is accepted when one of them can read its version).
    pub ir_versions: Vec<String>,
    /// What it guarantees.
    pub capabilities: Capabilities,
}

impl Description {
    /// Whether this backend reads IR written at version `found`.
    pub fn reads_ir(&self, found: &str) -> bool {
        self.ir_versions
            .iter()
            .any(|reader| ir_readable(reader, found))
    }
}

/// Whether a reader of IR version `reader` reads IR written as `found` (same rule as
/// [`ir::is_compatible`]: same major, same minor while the major is 0, and not newer).
pub fn ir_readable(reader: &str, found: &str) -> bool {
    let parse = |s: &str| -> Option<(u64, u64, u64)> {
        let mut it = s.trim().split('.').map(|p| p.parse::<u64>().ok());
        Some((
            it.next()??,
            it.next().unwrap_or(Some(0))?,
            it.next().unwrap_or(Some(0))?,
        ))
    };
    let (Some(r), Some(f)) = (parse(reader), parse(found)) else {
        return false;
    };
    r.0 == f.0 && (r.0 != 0 || r.1 == f.1) && f <= r
}

/// The guarantees a backend declares. The conformance command holds a backend to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Every invocation is one serializable transaction, in input order.
    pub serializable_transactions: bool,
    /// Repeated invocation ids are answered from a deduplication table.
    pub exactly_once: bool,
    /// State survives a restart (with a data directory in the start configuration).
    pub durability: bool,
    /// The engine runs across processes or machines.
    pub distributed: bool,
}

impl Capabilities {
    /// The names of the capabilities that are set.
    pub fn names(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (set, name) in [
            (self.serializable_transactions, "serializable_transactions"),
            (self.exactly_once, "exactly_once"),
            (self.durability, "durability"),
            (self.distributed, "distributed"),
        ] {
            if set {
                out.push(name);
            }
        }
        out
    }
}

/// A plugin error on either side of the boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginError {
    /// The error type (see [`FfiError`]).
    pub kind: String,
    /// What went wrong.
    pub message: String,
}

impl PluginError {
    /// A new error.
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        PluginError {
            kind: kind.to_string(),
            message: message.into(),
        }
    }

    /// The error as JSON: `{"type": ..., "message": ...}`.
    pub fn to_json(&self) -> Json {
        serde_json::json!({"type": self.kind, "message": self.message})
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for PluginError {}

impl From<PluginError> for FfiError {
    fn from(e: PluginError) -> Self {
        FfiError {
            kind: e.kind.into(),
            message: e.message.into(),
        }
    }
}

impl From<FfiError> for PluginError {
    fn from(e: FfiError) -> Self {
        PluginError {
            kind: e.kind.into(),
            message: e.message.into(),
        }
    }
}

/// The engine-specific files `compile` produces: file name (relative, `/`-separated) to contents.
pub type Artifacts = BTreeMap<String, String>;

/// The artifacts every backend can give: the IR as JSON and as text.
pub fn ir_artifacts(program: &Program) -> Artifacts {
    let mut out = Artifacts::new();
    out.insert(format!("{}.ir.json", program.name), program.to_json());
    out.insert(format!("{}.ir.txt", program.name), program.to_text());
    out
}

// ----------------------------------------------------------------------------------------------
// Plugin side.

/// A backend, as a plugin crate implements it. One value per loaded library, shared by every
/// instance; it must be `Send + Sync` because the host may call it from any thread.
pub trait Backend: Send + Sync + 'static {
    /// Name, version, IR versions and capabilities.
    fn describe(&self) -> Description;

    /// The engine's artifacts for a program. The default gives the IR as JSON and text.
    fn compile(&self, program: &Program, options: &Json) -> Result<Artifacts, PluginError> {
        let _ = options;
        Ok(ir_artifacts(program))
    }

    /// Starts an instance. It runs on a thread of its own that the plugin owns (so it need not
    /// be `Send`); every call to it comes from that thread.
    fn start(&self, program: Program, config: &Json) -> Result<Box<dyn Instance>, PluginError>;
}

/// A running engine, as a plugin crate implements it.
pub trait Instance {
    /// Runs a batch in order; one result per entry. Invalid entries (already rejected by the
    /// contract parser) must be answered with an `InvalidRequest` error carrying their message.
    fn invoke(
        &mut self,
        batch: Vec<Result<Invocation, Invalid>>,
    ) -> Result<Vec<InvocationResult>, PluginError>;

    /// The committed state in the contract's dump form.
    fn dump_state(&mut self) -> Result<Json, PluginError>;

    /// Stops the engine (flushes, closes files). Called at most once.
    fn shutdown(&mut self) -> Result<(), PluginError> {
        Ok(())
    }
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => s.to_string(),
            Err(_) => "(a panic with a non-text payload)".to_string(),
        },
    }
}

/// An optional non-negative integer setting of a start configuration (`InvalidConfig` when it
/// is something else).
pub fn config_u64(config: &Json, name: &str) -> Result<Option<u64>, PluginError> {
    match config.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            PluginError::new(
                "InvalidConfig",
                format!("'{name}' must be a non-negative integer"),
            )
        }),
    }
}

/// Runs `f`, turning a panic into an error of type `Panic`.
pub fn catch_panics<T>(
    what: &str,
    f: impl FnOnce() -> Result<T, PluginError>,
) -> Result<T, PluginError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(PluginError::new(
            "Panic",
            format!("the backend panicked in {what}: {}", panic_message(payload)),
        )),
    }
}

fn guard<T>(what: &str, f: impl FnOnce() -> Result<T, PluginError>) -> FfiResult<T> {
    match catch_panics(what, f) {
        Ok(v) => ROk(v),
        Err(e) => RErr(e.into()),
    }
}

/// Gives the exported functions their backend; implemented by [`export_backend!`](crate::export_backend).
#[doc(hidden)]
pub trait BackendHolder: 'static {
    /// The plugin's backend value (created on first use).
    fn backend() -> &'static dyn Backend;
}

/// Builds the root module for a backend; [`export_backend!`](crate::export_backend) calls it.
#[doc(hidden)]
pub fn root_module<H: BackendHolder>() -> BackendModRef {
    BackendMod {
        describe: describe_ffi::<H>,
        compile: compile_ffi::<H>,
        start: start_ffi::<H>,
    }
    .leak_into_prefix()
}

fn parse_ir(ir_json: RStr<'_>) -> Result<Program, PluginError> {
    Program::from_json(ir_json.as_str().as_bytes())
        .map_err(|e| PluginError::new("InvalidIr", e.to_string()))
}

fn parse_options(text: RStr<'_>) -> Result<Json, PluginError> {
    let text = text.as_str();
    if text.trim().is_empty() {
        return Ok(Json::Object(Default::default()));
    }
    serde_json::from_str(text)
        .map_err(|e| PluginError::new("InvalidConfig", format!("configuration is not JSON: {e}")))
}

extern "C" fn describe_ffi<H: BackendHolder>() -> FfiResult<RString> {
    guard("describe()", || {
        serde_json::to_string(&H::backend().describe())
            .map(RString::from)
            .map_err(|e| PluginError::new("Protocol", e.to_string()))
    })
}

extern "C" fn compile_ffi<H: BackendHolder>(
    ir_json: RStr<'_>,
    options_json: RStr<'_>,
) -> FfiResult<RString> {
    guard("compile()", || {
        let program = parse_ir(ir_json)?;
        let options = parse_options(options_json)?;
        let artifacts = H::backend().compile(&program, &options)?;
        serde_json::to_string(&artifacts)
            .map(RString::from)
            .map_err(|e| PluginError::new("Protocol", e.to_string()))
    })
}

extern "C" fn start_ffi<H: BackendHolder>(
    ir_json: RStr<'_>,
    config_json: RStr<'_>,
) -> FfiResult<InstanceBox> {
    guard("start()", || {
        let program = parse_ir(ir_json)?;
        let config = parse_options(config_json)?;
        let worker = Worker::spawn(H::backend(), program, config)?;
        Ok(BackendInstance_TO::from_value(worker, TD_Opaque))
    })
}

type Reply<T> = mpsc::Sender<Result<T, PluginError>>;

enum Job {
    Invoke(String, Reply<String>),
    Dump(Reply<String>),
    Shutdown(Reply<()>),
}

/// An instance running on its own thread; what crosses the boundary is this handle.
struct Worker {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

fn stopped() -> PluginError {
    PluginError::new("Stopped", "the backend instance has stopped")
}

/// Runs one call on the instance; a panic poisons it (its state may be half-updated).
fn on_instance<T>(
    instance: &mut Option<Box<dyn Instance>>,
    poisoned: &mut Option<String>,
    what: &str,
    f: impl FnOnce(&mut dyn Instance) -> Result<T, PluginError>,
) -> Result<T, PluginError> {
    if let Some(message) = poisoned {
        return Err(PluginError::new(
            "Stopped",
            format!("the backend instance stopped after a panic: {message}"),
        ));
    }
    let Some(inst) = instance.as_mut() else {
        return Err(stopped());
    };
    let result = catch_panics(what, || f(inst.as_mut()));
    if let Err(e) = &result {
        if e.kind == "Panic" {
            *poisoned = Some(e.message.clone());
            if let Some(dead) = instance.take() {
                // Whatever its destructor does, the instance is gone.
                let _ = catch_unwind(AssertUnwindSafe(move || drop(dead)));
            }
        }
    }
    result
}

fn invoke_jsonl(
    instance: &mut dyn Instance,
    program: &Program,
    batch: &str,
) -> Result<String, PluginError> {
    let parsed: Vec<Result<Invocation, Invalid>> = batch
        .split_inclusive('\n')
        .filter(|l| !crate::contract::is_blank_line(l.as_bytes()))
        .map(|l| parse_invocation(l, program))
        .collect();
    let expected = parsed.len();
    let results = instance.invoke(parsed)?;
    if results.len() != expected {
        return Err(PluginError::new(
            "Protocol",
            format!(
                "the backend returned {} results for {expected} invocations",
                results.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(expected * 48);
    for r in &results {
        r.write_json(&mut out)
            .map_err(|e| PluginError::new("Protocol", e.to_string()))?;
        out.push(b'\n');
    }
    String::from_utf8(out).map_err(|e| PluginError::new("Protocol", e.to_string()))
}

impl Worker {
    fn spawn(
        backend: &'static dyn Backend,
        program: Program,
        config: Json,
    ) -> Result<Worker, PluginError> {
        let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), PluginError>>();
        let thread = std::thread::Builder::new()
            .name("entiflow-backend".into())
            .stack_size(crate::contract::DEEP_STACK_BYTES)
            .spawn(move || {
                let started = catch_panics("start()", || backend.start(program.clone(), &config));
                let mut instance = match started {
                    Ok(i) => Some(i),
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                let mut poisoned = None;
                for job in jobs_rx {
                    match job {
                        Job::Invoke(batch, reply) => {
                            let _ = reply.send(on_instance(
                                &mut instance,
                                &mut poisoned,
                                "invoke()",
                                |i| invoke_jsonl(i, &program, &batch),
                            ));
                        }
                        Job::Dump(reply) => {
                            let result =
                                on_instance(&mut instance, &mut poisoned, "dump_state()", |i| {
                                    i.dump_state()
                                })
                                .and_then(|j| {
                                    serde_json::to_string(&j)
                                        .map_err(|e| PluginError::new("Protocol", e.to_string()))
                                });
                            let _ = reply.send(result);
                        }
                        Job::Shutdown(reply) => {
                            let result =
                                on_instance(&mut instance, &mut poisoned, "shutdown()", |i| {
                                    i.shutdown()
                                });
                            let dropped = instance
                                .take()
                                .map(|i| {
                                    catch_panics("shutdown()", move || {
                                        drop(i);
                                        Ok(())
                                    })
                                })
                                .unwrap_or(Ok(()));
                            let _ = reply.send(result.and(dropped));
                            return;
                        }
                    }
                }
                if let Some(i) = instance.take() {
                    let _ = catch_unwind(AssertUnwindSafe(move || drop(i)));
                }
            })
            .map_err(|e| {
                PluginError::new("Backend", format!("cannot start the instance thread: {e}"))
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Worker {
                jobs: Some(jobs_tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(PluginError::new(
                    "Panic",
                    "the instance thread died while starting",
                ))
            }
        }
    }

    fn call<T>(&mut self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, PluginError> {
        let (tx, rx) = mpsc::channel();
        self.jobs
            .as_ref()
            .ok_or_else(stopped)?
            .send(job(tx))
            .map_err(|_| stopped())?;
        rx.recv().map_err(|_| stopped())?
    }
}

impl BackendInstance for Worker {
    fn invoke(&mut self, batch_jsonl: RStr<'_>) -> FfiResult<RString> {
        let batch = batch_jsonl.as_str().to_string();
        guard("invoke()", || {
            self.call(|r| Job::Invoke(batch, r)).map(RString::from)
        })
    }

    fn dump_state(&mut self) -> FfiResult<RString> {
        guard("dump_state()", || self.call(Job::Dump).map(RString::from))
    }

    fn shutdown(&mut self) -> FfiResult<()> {
        guard("shutdown()", || {
            let result = self.call(Job::Shutdown);
            self.jobs = None;
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
            result
        })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread, which drops the instance.
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Exports a [`Backend`] as the plugin's root module. Call it once, at the root of a `cdylib`
/// crate, with an expression building the backend (evaluated on first use). The crate must also
/// depend on `abi_stable = "0.11"` (the expansion names it).
///
/// ```ignore
/// runtime_common::export_backend!(MyBackend::default());
/// ```
#[macro_export]
macro_rules! export_backend {
    ($backend:expr) => {
        #[doc(hidden)]
        pub struct EntiflowBackendHolder;

        impl $crate::plugin::BackendHolder for EntiflowBackendHolder {
            fn backend() -> &'static dyn $crate::plugin::Backend {
                static BACKEND: ::std::sync::OnceLock<
                    ::std::boxed::Box<dyn $crate::plugin::Backend>,
                > = ::std::sync::OnceLock::new();
                BACKEND
                    .get_or_init(|| ::std::boxed::Box::new($backend))
                    .as_ref()
            }
        }

        /// The plugin's root module (the entiflow backend ABI).
        #[::abi_stable::export_root_module]
        pub fn entiflow_backend_root_module() -> $crate::plugin::BackendModRef {
            $crate::plugin::root_module::<EntiflowBackendHolder>()
        }
    };
}

// ----------------------------------------------------------------------------------------------
// Host side.

/// Why a file could not be used as a backend plugin.
#[derive(Debug, Clone)]
pub enum LoadError {
    /// Not a dynamic library, or one that is not an entiflow backend.
    NotAPlugin {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An entiflow backend built for an incompatible ABI version.
    AbiVersion {
        /// The file.
        path: PathBuf,
        /// The plugin's name (from its file name; its `describe()` is not called).
        plugin: String,
        /// The ABI version this host implements.
        expected: String,
        /// The ABI version the plugin was built for.
        found: String,
    },
    /// An entiflow backend whose ABI does not match in some other way (layout, abi_stable or C
    /// ABI), or whose root module failed to load.
    Incompatible {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The plugin loaded but its `describe()` failed or gave an invalid description.
    Describe {
        /// The file.
        path: PathBuf,
        /// The error.
        error: PluginError,
    },
}

impl LoadError {
    /// The plugin file.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::NotAPlugin { path, .. }
            | LoadError::AbiVersion { path, .. }
            | LoadError::Incompatible { path, .. }
            | LoadError::Describe { path, .. } => path,
        }
    }

    /// A short word for the kind of rejection.
    pub fn kind(&self) -> &'static str {
        match self {
            LoadError::NotAPlugin { .. } => "not a plugin",
            LoadError::AbiVersion { .. } => "ABI version mismatch",
            LoadError::Incompatible { .. } => "incompatible",
            LoadError::Describe { .. } => "describe failed",
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotAPlugin { path, reason } => write!(
                f,
                "{}: not an entiflow backend plugin: {reason}",
                path.display()
            ),
            LoadError::AbiVersion {
                path,
                plugin,
                expected,
                found,
            } => {
                write!(f, "{}: plugin '{plugin}': backend plugin ABI version mismatch: expected {expected}, found {found} (rebuild the plugin against this version of runtime-common)", path.display())
            }
            LoadError::Incompatible { path, reason } => write!(
                f,
                "{}: incompatible entiflow backend plugin: {reason}",
                path.display()
            ),
            LoadError::Describe { path, error } => write!(
                f,
                "{}: the plugin's describe() failed: {error}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// The plugin's name as its file tells it: `libfoo_bar.so` → `foo_bar`.
pub fn plugin_file_stem(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    stem.strip_prefix(std::env::consts::DLL_PREFIX)
        .filter(|_| !std::env::consts::DLL_PREFIX.is_empty())
        .map(str::to_string)
        .unwrap_or(stem)
}

fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = lines
        .iter()
        .take(n)
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join(" / ");
    if lines.len() > n {
        out.push_str(" / ...");
    }
    out
}

fn library_error(path: &Path, err: LibraryError) -> LoadError {
    let path_buf = path.to_path_buf();
    match err {
        LibraryError::OpenError { err, .. } => LoadError::NotAPlugin {
            path: path_buf,
            reason: format!("cannot open it as a dynamic library: {err}"),
        },
        LibraryError::GetSymbolError { .. } => LoadError::NotAPlugin {
            path: path_buf,
            reason: "it exports no abi_stable root module".into(),
        },
        LibraryError::IncompatibleVersionNumber {
            expected_version,
            actual_version,
            ..
        } => LoadError::AbiVersion {
            path: path_buf,
            plugin: plugin_file_stem(path),
            expected: expected_version.to_string(),
            found: actual_version.to_string(),
        },
        LibraryError::InvalidAbiHeader(header) => LoadError::Incompatible {
            path: path_buf,
            reason: format!("built with an incompatible abi_stable (header {header:?})"),
        },
        LibraryError::InvalidCAbi { .. } => LoadError::Incompatible {
            path: path_buf,
            reason: "built by a compiler with a different C ABI".into(),
        },
        LibraryError::ParseVersionError(e) => LoadError::Incompatible {
            path: path_buf,
            reason: format!("unreadable ABI version: {e}"),
        },
        LibraryError::RootModule { err, .. } => LoadError::Incompatible {
            path: path_buf,
            reason: format!("its root module failed to initialize: {err}"),
        },
        LibraryError::AbiInstability(e) => LoadError::Incompatible {
            path: path_buf,
            reason: format!(
                "its ABI layout differs from this entiflow's: {}",
                first_lines(&e.to_string(), 6)
            ),
        },
        LibraryError::Many(mut errors) => match errors.pop() {
            Some(e) => library_error(path, e),
            None => LoadError::Incompatible {
                path: path_buf,
                reason: "unknown load error".into(),
            },
        },
    }
}

fn from_ffi<T>(r: FfiResult<T>) -> Result<T, PluginError> {
    r.into_result().map_err(PluginError::from)
}

/// A backend plugin loaded into the host (never unloaded).
#[derive(Clone)]
pub struct LoadedBackend {
    path: PathBuf,
    module: BackendModRef,
    description: Description,
    abi_version: String,
}

impl fmt::Debug for LoadedBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedBackend")
            .field("path", &self.path)
            .field("description", &self.description)
            .field("abi_version", &self.abi_version)
            .finish()
    }
}

impl LoadedBackend {
    /// Opens a plugin file, checks that it is an entiflow backend of a compatible ABI version and
    /// layout, and reads its description. The library stays loaded for the life of the process.
    pub fn load(path: &Path) -> Result<LoadedBackend, LoadError> {
        let header = lib_header_from_path(path).map_err(|e| library_error(path, e))?;
        let consts = header.root_mod_consts();
        if consts.name().as_str() != BackendModRef::NAME {
            return Err(LoadError::NotAPlugin {
                path: path.to_path_buf(),
                reason: format!(
                    "an abi_stable library, but its root module is '{}'",
                    consts.name()
                ),
            });
        }
        let abi_version = header.version_strings().version.to_string();
        let module = catch_unwind(AssertUnwindSafe(|| {
            header.init_root_module::<BackendModRef>()
        }))
        .map_err(|p| LoadError::Incompatible {
            path: path.to_path_buf(),
            reason: format!("loading panicked: {}", panic_message(p)),
        })?
        .map_err(|e| library_error(path, e))?;
        Self::from_module(module, path, &abi_version)
    }

    /// Wraps a root module obtained otherwise (for instance one built in process).
    pub fn from_module(
        module: BackendModRef,
        path: &Path,
        abi_version: &str,
    ) -> Result<LoadedBackend, LoadError> {
        let describe = || -> Result<Description, PluginError> {
            let text = from_ffi((module.describe())())?;
            let description: Description = serde_json::from_str(text.as_str())
                .map_err(|e| PluginError::new("Protocol", format!("invalid description: {e}")))?;
            if description.name.trim().is_empty() {
                return Err(PluginError::new(
                    "Protocol",
                    "invalid description: empty name",
                ));
            }
            Ok(description)
        };
        let description = describe().map_err(|error| LoadError::Describe {
            path: path.to_path_buf(),
            error,
        })?;
        Ok(LoadedBackend {
            path: path.to_path_buf(),
            module,
            description,
            abi_version: abi_version.to_string(),
        })
    }

    /// The plugin file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the backend declares.
    pub fn description(&self) -> &Description {
        &self.description
    }

    /// The ABI version the plugin was built for.
    pub fn abi_version(&self) -> &str {
        &self.abi_version
    }

    fn check_ir(&self, program: &Program) -> Result<(), PluginError> {
        if self.description.reads_ir(&program.ir_version) {
            Ok(())
        } else {
            Err(PluginError::new(
                "Unsupported",
                format!(
                    "backend '{}' reads IR {}, not IR {}",
                    self.description.name,
                    self.description.ir_versions.join(", "),
                    program.ir_version
                ),
            ))
        }
    }

    /// The engine's artifacts for a program.
    pub fn compile(&self, program: &Program, options: &Json) -> Result<Artifacts, PluginError> {
        self.check_ir(program)?;
        let ir = program.to_json();
        let options = options.to_string();
        let text = from_ffi((self.module.compile())(
            RStr::from_str(&ir),
            RStr::from_str(&options),
        ))?;
        let artifacts: Artifacts = serde_json::from_str(text.as_str()).map_err(|e| {
            PluginError::new(
                "Protocol",
                format!("compile() returned no JSON object of file contents: {e}"),
            )
        })?;
        for name in artifacts.keys() {
            let p = Path::new(name);
            let plain = !name.is_empty()
                && p.is_relative()
                && p.components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !plain {
                return Err(PluginError::new(
                    "Protocol",
                    format!("compile() returned an artifact with an unsafe name: {name:?}"),
                ));
            }
        }
        Ok(artifacts)
    }

    /// Starts an instance of the backend running `program`.
    pub fn start(&self, program: &Program, config: &Json) -> Result<RunningBackend, PluginError> {
        self.check_ir(program)?;
        let ir = program.to_json();
        let config = config.to_string();
        let instance = from_ffi((self.module.start())(
            RStr::from_str(&ir),
            RStr::from_str(&config),
        ))?;
        Ok(RunningBackend {
            instance: Some(instance),
            name: self.description.name.clone(),
        })
    }
}

/// A running instance of a plugin backend. Dropping it stops the instance.
pub struct RunningBackend {
    instance: Option<InstanceBox>,
    name: String,
}

impl RunningBackend {
    /// The backend's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn instance(&mut self) -> Result<&mut InstanceBox, PluginError> {
        self.instance.as_mut().ok_or_else(stopped)
    }

    /// Runs a JSONL batch and returns the JSONL results.
    pub fn invoke_jsonl(&mut self, batch: &str) -> Result<String, PluginError> {
        let instance = self.instance()?;
        from_ffi(instance.invoke(RStr::from_str(batch))).map(|s| s.into_string())
    }

    /// Runs invocation lines (JSON text each) and returns one parsed result per non-blank line.
    pub fn invoke_lines<S: AsRef<str>>(
        &mut self,
        lines: &[S],
    ) -> Result<Vec<InvocationResult>, PluginError> {
        let mut batch = String::new();
        let mut expected = 0;
        for line in lines {
            let line = line.as_ref();
            if crate::contract::is_blank_line(line.as_bytes()) {
                continue;
            }
            if line.contains('\n') {
                return Err(PluginError::new(
                    "Protocol",
                    "an invocation line contains a newline",
                ));
            }
            batch.push_str(line);
            batch.push('\n');
            expected += 1;
        }
        let text = self.invoke_jsonl(&batch)?;
        let mut results = Vec::with_capacity(expected);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            // Results may be as deep as a value may (serde_json's default limit is 128).
            let json: Json =
                crate::contract::from_slice_unbounded(line.as_bytes()).map_err(|e| {
                    PluginError::new(
                        "Protocol",
                        format!(
                            "backend '{}' returned a result that is not JSON: {e}",
                            self.name
                        ),
                    )
                })?;
            let result = InvocationResult::from_json(&json).ok_or_else(|| {
                PluginError::new(
                    "Protocol",
                    format!(
                        "backend '{}' returned a malformed result: {line}",
                        self.name
                    ),
                )
            })?;
            results.push(result);
        }
        if results.len() != expected {
            return Err(PluginError::new(
                "Protocol",
                format!(
                    "backend '{}' returned {} results for {expected} invocations",
                    self.name,
                    results.len()
                ),
            ));
        }
        Ok(results)
    }

    /// Runs already parsed invocations (sent in their contract form).
    pub fn invoke(&mut self, batch: &[Invocation]) -> Result<Vec<InvocationResult>, PluginError> {
        let lines: Vec<String> = batch.iter().map(|inv| inv.to_json().to_string()).collect();
        self.invoke_lines(&lines)
    }

    /// The committed state.
    pub fn dump_state(&mut self) -> Result<Json, PluginError> {
        let name = self.name.clone();
        let text = from_ffi(self.instance()?.dump_state())?;
        crate::contract::from_slice_unbounded(text.as_bytes()).map_err(|e| {
            PluginError::new(
                "Protocol",
                format!("backend '{name}' returned a state dump that is not JSON: {e}"),
            )
        })
    }

    /// Stops the instance and reports how the shutdown went.
    pub fn shutdown(mut self) -> Result<(), PluginError> {
        let result = from_ffi(self.instance()?.shutdown());
        self.instance = None;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Toy;

    struct ToyInstance {
        calls: usize,
    }

    impl Backend for Toy {
        fn describe(&self) -> Description {
            Description {
                name: "toy".into(),
                version: "1.0.0".into(),
                ir_versions: vec![ir::IR_VERSION.into()],
                capabilities: Capabilities::default(),
            }
        }

        fn start(
            &self,
            _program: Program,
            config: &Json,
        ) -> Result<Box<dyn Instance>, PluginError> {
            if config.get("fail").is_some() {
                return Err(PluginError::new("InvalidConfig", "asked to fail"));
            }
            if config.get("panic").is_some() {
                panic!("start asked to panic");
            }
            Ok(Box::new(ToyInstance { calls: 0 }))
        }
    }

    impl Instance for ToyInstance {
        fn invoke(
            &mut self,
            batch: Vec<Result<Invocation, Invalid>>,
        ) -> Result<Vec<InvocationResult>, PluginError> {
            self.calls += 1;
            if self.calls > 1 {
                panic!("second batch");
            }
            Ok(batch
                .into_iter()
                .map(|inv| match inv {
                    Ok(inv) => InvocationResult {
                        id: inv.id,
                        seq: None,
                        outcome: Ok(Json::Null),
                    },
                    Err((id, message)) => InvocationResult {
                        id,
                        seq: None,
                        outcome: Err(crate::ErrorReport::new("InvalidRequest", message)),
                    },
                })
                .collect())
        }

        fn dump_state(&mut self) -> Result<Json, PluginError> {
            Ok(serde_json::json!({"calls": self.calls}))
        }
    }

    struct ToyHolder;

    impl BackendHolder for ToyHolder {
        fn backend() -> &'static dyn Backend {
            &Toy
        }
    }

    fn program() -> Program {
        Program::new("toy", "toy.py")
    }

    #[test]
    fn in_process_round_trip_and_panics_become_errors() {
        let loaded =
            LoadedBackend::from_module(root_module::<ToyHolder>(), Path::new("toy"), ABI_VERSION)
                .unwrap();
        assert_eq!(loaded.description().name, "toy");
        let artifacts = loaded.compile(&program(), &Json::Null).unwrap();
        assert!(artifacts.contains_key("toy.ir.json"));
        let err = loaded
            .start(&program(), &serde_json::json!({"fail": true}))
            .err()
            .unwrap();
        assert_eq!(err.kind, "InvalidConfig");
        let err = loaded
            .start(&program(), &serde_json::json!({"panic": true}))
            .err()
            .unwrap();
        assert_eq!(err.kind, "Panic");
        assert!(err.message.contains("start asked to panic"), "{err}");
        let mut running = loaded.start(&program(), &serde_json::json!({})).unwrap();
        let results = running.invoke_lines(&["not json", ""]).unwrap();
        assert_eq!(results.len(), 1);
        assert!(matches!(&results[0].outcome, Err(e) if e.kind == "InvalidRequest"));
        assert_eq!(
            running.dump_state().unwrap(),
            serde_json::json!({"calls": 1})
        );
        let err = running.invoke_lines(&["{}"]).unwrap_err();
        assert_eq!(err.kind, "Panic");
        assert!(err.message.contains("second batch"));
        let err = running.dump_state().unwrap_err();
        assert_eq!(err.kind, "Stopped");
        assert!(running.shutdown().is_err());
    }

    #[test]
    fn ir_versions_are_matched_like_the_ir_crate() {
        assert!(ir_readable("0.1.0", "0.1.0"));
        assert!(ir_readable("0.1.3", "0.1.0"));
        assert!(!ir_readable("0.1.0", "0.1.3"));
        assert!(!ir_readable("0.2.0", "0.1.0"));
        assert!(ir_readable("1.4.0", "1.2.0"));
        assert!(!ir_readable("1.4.0", "2.0.0"));
        assert!(!ir_readable("x", "0.1.0"));
    }

    #[test]
    fn a_file_that_is_not_a_library_is_rejected() {
        let dir = std::env::temp_dir().join(format!("entiflow-plugin-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("libnot_a_plugin.so");
        std::fs::write(&path, "plain text").unwrap();
        let err = LoadedBackend::load(&path).unwrap_err();
        assert!(matches!(err, LoadError::NotAPlugin { .. }), "{err}");
        assert!(err.to_string().contains("libnot_a_plugin.so"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
