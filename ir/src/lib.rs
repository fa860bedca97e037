//! The entiflow intermediate representation.
//!
//! A [`Program`] is a set of [`Entity`] types whose methods are control-flow graphs of
//! [`Block`]s. Every remote call (a method of another entity, or a field read of one) ends its
//! block with [`Terminator::Call`], naming the continuation block and the live locals: that is
//! the split a dataflow engine needs to run a method as a sequence of messages.
//!
//! The IR is stable and versioned ([`IR_VERSION`]); [`Program::from_json`] checks the version
//! before anything else. This crate knows nothing about Python source or about any engine.

#![warn(missing_docs)]

mod builtins;
mod dataflow;
mod printer;
mod program;
mod validate;

pub use builtins::*;
pub use dataflow::{DataflowEdge, DataflowGraph, DataflowNode};
pub use program::*;
pub use validate::ValidationError;

/// Errors from reading serialized IR.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not IR JSON.
    #[error("malformed IR: {0}")]
    Malformed(#[from] serde_json::Error),
    /// The IR was written by an incompatible version.
    #[error("IR version {found} is not supported (this build reads {expected}-compatible IR)")]
    Version {
        /// The version this crate writes.
        expected: String,
        /// The version found in the input.
        found: String,
    },
    /// The IR is well-formed JSON but violates an invariant.
    #[error("invalid IR: {0}")]
    Invalid(#[from] ValidationError),
}

/// Whether IR written as `found` can be read by this crate.
pub fn is_compatible(found: &str) -> bool {
    let (Ok(ours), Ok(theirs)) = (
        semver::Version::parse(IR_VERSION),
        semver::Version::parse(found),
    ) else {
        return false;
    };
    theirs.major == ours.major && (ours.major != 0 || theirs.minor == ours.minor) && theirs <= ours
}

impl Program {
    /// Creates an empty program at the current [`IR_VERSION`].
    pub fn new(name: impl Into<String>, source_file: impl Into<String>) -> Self {
        Program {
            ir_version: IR_VERSION.to_string(),
            name: name.into(),
            source_file: source_file.into(),
            exceptions: Vec::new(),
            entities: Vec::new(),
        }
    }

    /// Serializes the program as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("IR serializes infallibly")
    }

    /// Serializes the program as indented JSON, for reading.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("IR serializes infallibly")
    }

    /// Reads a program from JSON, checking the version first and then [`Program::validate`].
    pub fn from_json(bytes: &[u8]) -> Result<Program, LoadError> {
        #[derive(serde::Deserialize)]
        struct VersionOnly {
            ir_version: String,
        }
        let version: VersionOnly = serde_json::from_slice(bytes)?;
        if !is_compatible(&version.ir_version) {
            return Err(LoadError::Version {
                expected: IR_VERSION.to_string(),
                found: version.ir_version,
            });
        }
        let program: Program = serde_json::from_slice(bytes)?;
        program.validate()?;
        Ok(program)
    }

    /// Looks up an entity type by name.
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// The index of an entity type by name.
    pub fn entity_index(&self, name: &str) -> Option<usize> {
        self.entities.iter().position(|e| e.name == name)
    }

    /// The base class of a user exception class.
    pub fn exception_base(&self, name: &str) -> Option<&str> {
        self.exceptions
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.base.as_str())
    }
}

impl Entity {
    /// Looks up a method by name.
    pub fn method(&self, name: &str) -> Option<&Method> {
        self.methods.iter().find(|m| m.name == name)
    }

    /// The index of a method by name.
    pub fn method_index(&self, name: &str) -> Option<usize> {
        self.methods.iter().position(|m| m.name == name)
    }

    /// The index of a field by name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Creates an entity type with the given parts.
    pub fn new(name: String, fields: Vec<Field>, methods: Vec<Method>, span: Span) -> Self {
        Entity {
            name,
            fields,
            methods,
            span,
        }
    }
}

impl Expr {
    /// Whether CPython's compiler folds the expression to a constant: a literal, a tuple of
    /// them, or arithmetic and signs on them (which decides how it builds a set display).
    pub fn is_folded_constant(&self) -> bool {
        match self {
            Expr::Const(_) => true,
            Expr::Unary(_, operand) => operand.is_folded_constant(),
            Expr::Binary(_, a, b) => a.is_folded_constant() && b.is_folded_constant(),
            Expr::Tuple(items) => items.iter().all(Expr::is_folded_constant),
            _ => false,
        }
    }
}

impl Method {
    /// Creates a method with the given parts.
    pub fn new(
        name: String,
        params: Vec<Param>,
        returns: Type,
        locals: Vec<LocalDecl>,
        blocks: Vec<Block>,
        span: Span,
    ) -> Self {
        Method {
            name,
            params,
            returns,
            locals,
            blocks,
            span,
            is_static: false,
        }
    }

    /// Whether the method is callable from outside the entity (not `_`-prefixed).
    pub fn is_public(&self) -> bool {
        !self.name.starts_with('_')
    }
}
