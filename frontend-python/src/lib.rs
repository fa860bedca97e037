//! The Python front end: source text → [`ir::Program`], or diagnostics.
//!
//! Phases, one module each: `parse` (ruff's parser; the only module that knows it) →
//! `analyze` (entities, fields, signatures, exceptions, constants) → `lower` (each method to a
//! control-flow graph split at remote calls) → `liveness` (the continuation frame of each call).
//! No input makes this crate panic: every problem becomes a [`Diagnostic`].

#![warn(missing_docs)]

mod analyze;
mod creation;
mod diagnostics;
mod liveness;
mod lower;
mod parse;
mod simplify;
mod source;

pub use diagnostics::{render_all, Diagnostic};

use ir::{Entity, Program};

/// Compiles a Python entity program. `file` names the source in diagnostics and in the IR;
/// the program name is the file's stem.
pub fn compile(source: &str, file: &str) -> Result<Program, Vec<Diagnostic>> {
    let map = source::SourceMap::new(source);
    let mut reporter = analyze::Reporter {
        map: &map,
        diagnostics: Vec::new(),
    };
    let module = match parse::parse(source, &mut reporter) {
        Some(m) => m,
        None => return Err(reporter.diagnostics),
    };
    let info = analyze::analyze(&module, &mut reporter);
    let name = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("app")
        .to_string();
    let mut program = Program::new(name, file);
    program.exceptions = info.exceptions.clone();
    for entity in &info.entities {
        let mut methods = Vec::new();
        for sig in &entity.methods {
            methods.push(lower::MethodLowerer::new(&info, entity, sig, &mut reporter).finish());
        }
        creation::check(&methods, &mut reporter);
        program.entities.push(Entity::new(
            entity.name.clone(),
            entity.fields.clone(),
            methods,
            map.of(&entity.class.name),
        ));
    }
    if !reporter.diagnostics.is_empty() {
        let mut diags = reporter.diagnostics;
        diags.sort_by_key(|d| (d.range.0, d.range.1));
        diags.dedup();
        return Err(diags);
    }
    if let Err(e) = program.validate() {
        let range = (0, 0);
        return Err(vec![Diagnostic {
            code: "E0900",
            message: format!("internal compiler error: {e}"),
            label: "the compiler produced invalid IR for this program".into(),
            hint: Some("please report this program".into()),
            span: ir::Span::default(),
            range,
        }]);
    }
    Ok(program)
}
