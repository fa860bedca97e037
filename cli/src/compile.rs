//! `entiflow check` and `entiflow compile`.

use std::path::Path;
use std::process::ExitCode;

use ir::Program;
use runtime_common::plugin::LoadedBackend;

use crate::{CheckFormat, Emit};

/// Reads and compiles a program; on failure returns the rendered diagnostics.
pub fn load_program(app: &Path) -> Result<Program, String> {
    let source =
        std::fs::read_to_string(app).map_err(|e| format!("cannot read {}: {e}", app.display()))?;
    let file = app.display().to_string();
    frontend_python::compile(&source, &file).map_err(|diags| {
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
        frontend_python::render_all(&diags, &file, &source, color)
    })
}

/// `entiflow check`: exit 0 when valid, 1 with every error otherwise, 2 when the file cannot be
/// read (in JSON too: `ok` false and an `error`).
pub fn check(app: &Path, format: CheckFormat) -> ExitCode {
    let source = match std::fs::read_to_string(app) {
        Ok(s) => s,
        Err(e) => {
            let message = format!("cannot read {}: {e}", app.display());
            if let CheckFormat::Json = format {
                let doc = serde_json::json!({
                    "file": app.display().to_string(),
                    "ok": false,
                    "error": message,
                    "diagnostics": [],
                });
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            }
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let file = app.display().to_string();
    let result = frontend_python::compile(&source, &file);
    match format {
        CheckFormat::Json => {
            let (ok, diagnostics) = match &result {
                Ok(_) => (true, Vec::new()),
                Err(d) => (false, d.clone()),
            };
            let doc = serde_json::json!({"file": file, "ok": ok, "diagnostics": diagnostics});
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        CheckFormat::Human => match &result {
            Ok(program) => {
                // The copies of module functions and static methods every entity carries have
                // dotted names (`_module.clamp`), which no method can have: not counted.
                let methods: usize = program
                    .entities
                    .iter()
                    .flat_map(|e| &e.methods)
                    .filter(|m| !m.name.contains('.'))
                    .count();
                eprintln!(
                    "{file}: ok ({} entities, {methods} methods)",
                    program.entities.len()
                );
            }
            Err(diags) => {
                let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
                eprint!(
                    "{}",
                    frontend_python::render_all(diags, &file, &source, color)
                );
            }
        },
    }
    if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `entiflow compile`: writes the requested artifacts into `output`; with a plugin backend, also
/// the engine's own artifacts from its `compile()`.
pub fn compile(
    app: &Path,
    output: &Path,
    emit: &[Emit],
    plugin: Option<(&LoadedBackend, serde_json::Map<String, serde_json::Value>)>,
) -> Result<(), String> {
    let program = load_program(app)?;
    let mut files: Vec<(String, String)> = Vec::new();
    for kind in emit {
        files.push(match kind {
            Emit::Ir => (format!("{}.ir.json", program.name), program.to_json()),
            Emit::IrText => (format!("{}.ir.txt", program.name), program.to_text()),
            Emit::Dot => (format!("{}.dot", program.name), program.dataflow_dot()),
        });
    }
    std::fs::create_dir_all(output)
        .map_err(|e| format!("cannot create {}: {e}", output.display()))?;
    if let Some((backend, mut options)) = plugin {
        // Where a backend writes artifacts that are not text (a job jar, say).
        let dir = output
            .canonicalize()
            .unwrap_or_else(|_| output.to_path_buf());
        options.insert("output_dir".into(), dir.display().to_string().into());
        let artifacts = backend
            .compile(&program, &serde_json::Value::Object(options))
            .map_err(|e| {
                format!(
                    "backend '{}' ({}) failed to compile: {e}",
                    backend.description().name,
                    backend.path().display()
                )
            })?;
        for (name, text) in artifacts {
            match files.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = text,
                None => files.push((name, text)),
            }
        }
    }
    for (name, text) in files {
        let path = output.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
