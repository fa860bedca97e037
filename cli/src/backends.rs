//! Backend selection: the built-in native engine, or a plugin found on the plugin search path or
//! named by its file; and `entiflow backends`, which lists them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use runtime_common::plugin::{Description, LoadError, LoadedBackend};
use serde_json::json;

/// The name that selects the native engine's plugin build rather than the linked-in engine.
pub const NATIVE_PLUGIN: &str = "native-plugin";

/// A selected backend.
pub enum Selected {
    /// The native engine linked into this binary.
    Native,
    /// A loaded plugin.
    Plugin(LoadedBackend),
}

impl Selected {
    /// What the backend declares.
    pub fn description(&self) -> Description {
        match self {
            Selected::Native => entiflow_native::plugin::description(),
            Selected::Plugin(p) => p.description().clone(),
        }
    }

    /// How to name the backend in messages.
    pub fn label(&self) -> String {
        match self {
            Selected::Native => "native (built in)".to_string(),
            Selected::Plugin(p) => format!(
                "{} {} ({})",
                p.description().name,
                p.description().version,
                p.path().display()
            ),
        }
    }
}

/// The directories searched for plugins, in order: every directory of `ENTIFLOW_PLUGIN_PATH`
/// (colon-separated), the executable's directory, and the cargo target directories beside it
/// (`../debug`, `../release`).
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(paths) = std::env::var_os("ENTIFLOW_PLUGIN_PATH") {
        dirs.extend(std::env::split_paths(&paths).filter(|p| !p.as_os_str().is_empty()));
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        dirs.push(exe_dir.clone());
        if let Some(target) = exe_dir.parent() {
            dirs.push(target.join("debug"));
            dirs.push(target.join("release"));
        }
    }
    let mut seen = HashSet::new();
    dirs.retain(|d| d.is_dir() && seen.insert(d.canonicalize().unwrap_or_else(|_| d.clone())));
    dirs
}

/// Whether a file name looks like a dynamic library of this platform.
fn is_library_name(name: &str) -> bool {
    name.starts_with(std::env::consts::DLL_PREFIX) && name.ends_with(std::env::consts::DLL_SUFFIX)
}

/// Every plugin found, and every library that was rejected with why.
pub struct Scan {
    /// Directories searched.
    pub dirs: Vec<PathBuf>,
    /// Plugins that loaded, in search order.
    pub found: Vec<LoadedBackend>,
    /// Libraries that could not be used.
    pub rejected: Vec<LoadError>,
}

/// Loads every library in the search directories.
pub fn scan() -> Scan {
    let dirs = search_dirs();
    let mut found = Vec::new();
    let mut rejected = Vec::new();
    let mut seen = HashSet::new();
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(is_library_name)
            })
            .collect();
        files.sort();
        for file in files {
            if !seen.insert(file.canonicalize().unwrap_or_else(|_| file.clone())) {
                continue;
            }
            match LoadedBackend::load(&file) {
                Ok(p) => found.push(p),
                Err(e) => rejected.push(e),
            }
        }
    }
    Scan {
        dirs,
        found,
        rejected,
    }
}

fn looks_like_path(name: &str) -> bool {
    name.contains(std::path::MAIN_SEPARATOR)
        || name.contains('/')
        || name.ends_with(std::env::consts::DLL_SUFFIX)
}

/// Resolves `--backend NAME`: `native` is the built-in engine, `native-plugin` the native
/// engine's plugin build, a path names a plugin file, and any other name the first plugin on the
/// search path whose description has that name.
pub fn select(name: &str) -> Result<Selected, String> {
    if name == "native" {
        return Ok(Selected::Native);
    }
    if looks_like_path(name) || Path::new(name).is_file() {
        let path = Path::new(name);
        if !path.exists() {
            return Err(format!("backend plugin file {name} does not exist"));
        }
        return LoadedBackend::load(path)
            .map(Selected::Plugin)
            .map_err(|e| format!("cannot load backend plugin: {e}"));
    }
    let wanted = if name == NATIVE_PLUGIN {
        "native"
    } else {
        name
    };
    let scan = scan();
    if let Some(p) = scan
        .found
        .into_iter()
        .find(|p| p.description().name == wanted)
    {
        return Ok(Selected::Plugin(p));
    }
    let mut message = format!("unknown backend '{name}': the built-in backend is `native`");
    if name == NATIVE_PLUGIN {
        message = format!("backend '{name}' needs the native engine's plugin build (build it with `cargo build -p entiflow-native`)");
    }
    let dirs: Vec<String> = scan.dirs.iter().map(|d| d.display().to_string()).collect();
    message.push_str(&format!(
        "; no plugin named '{wanted}' was found in {}",
        if dirs.is_empty() {
            "(no directories)".to_string()
        } else {
            dirs.join(", ")
        }
    ));
    if !scan.rejected.is_empty() {
        message.push_str("\nrejected plugin files:");
        for r in &scan.rejected {
            message.push_str(&format!("\n  {r}"));
        }
    }
    Err(message)
}

fn description_json(d: &Description) -> serde_json::Value {
    json!({"name": d.name, "version": d.version, "ir_versions": d.ir_versions, "capabilities": d.capabilities})
}

/// `entiflow backends`: the built-in backend, every plugin found, every file rejected and why.
pub fn list(as_json: bool) -> Result<(), String> {
    let scan = scan();
    let native = entiflow_native::plugin::description();
    if as_json {
        let mut backends = vec![
            json!({"source": "built-in", "select": "native", "description": description_json(&native)}),
        ];
        for p in &scan.found {
            let d = p.description();
            let select = if d.name == "native" {
                NATIVE_PLUGIN.to_string()
            } else {
                d.name.clone()
            };
            backends.push(json!({"source": p.path(), "select": select, "abi_version": p.abi_version(), "description": description_json(d)}));
        }
        let rejected: Vec<_> = scan
            .rejected
            .iter()
            .map(|r| json!({"path": r.path(), "kind": r.kind(), "error": r.to_string()}))
            .collect();
        let doc = json!({"abi_version": runtime_common::plugin::ABI_VERSION, "searched": scan.dirs, "backends": backends, "rejected": rejected});
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    let mut rows = vec![[
        "SELECT WITH".to_string(),
        "NAME".into(),
        "VERSION".into(),
        "IR".into(),
        "CAPABILITIES".into(),
        "SOURCE".into(),
    ]];
    let row = |select: String, d: &Description, source: String| {
        [
            select,
            d.name.clone(),
            d.version.clone(),
            d.ir_versions.join(","),
            d.capabilities.names().join(","),
            source,
        ]
    };
    rows.push(row("native".into(), &native, "built in".into()));
    for p in &scan.found {
        let d = p.description();
        let select = if d.name == "native" {
            NATIVE_PLUGIN.to_string()
        } else {
            d.name.clone()
        };
        rows.push(row(select, d, p.path().display().to_string()));
    }
    let mut widths = [0usize; 6];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i + 1 == r.len() {
                    cell.clone()
                } else {
                    format!("{cell:w$}")
                }
            })
            .collect();
        println!("{}", line.join("  "));
    }
    println!();
    println!(
        "plugin ABI {}; searched: {}",
        runtime_common::plugin::ABI_VERSION,
        if scan.dirs.is_empty() {
            "(nothing)".to_string()
        } else {
            scan.dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    if !scan.rejected.is_empty() {
        println!("rejected:");
        for r in &scan.rejected {
            println!("  [{}] {r}", r.kind());
        }
    }
    Ok(())
}
