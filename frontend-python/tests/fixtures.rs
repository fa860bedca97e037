//! Fixture tests: every `fixtures/ok/*.py` compiles and its IR text is snapshotted; every
//! `fixtures/err/*.py` fails and its rendered diagnostics are snapshotted.
//! Refresh with `INSTA_UPDATE=always cargo test -p frontend-python --test fixtures`.

use std::path::{Path, PathBuf};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn valid_programs_lower_to_expected_ir() {
    for path in fixtures("ok") {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_string();
        let source = std::fs::read_to_string(&path).expect("read fixture");
        let file = format!("{name}.py");
        let program = match frontend_python::compile(&source, &file) {
            Ok(p) => p,
            Err(d) => panic!(
                "{name} failed to compile:\n{}",
                frontend_python::render_all(&d, &file, &source, false)
            ),
        };
        let json = program.to_json();
        let back = ir::Program::from_json(json.as_bytes()).expect("IR round-trips through JSON");
        assert_eq!(back, program, "{name}: JSON round trip changed the IR");
        settings().bind(|| insta::assert_snapshot!(format!("ok__{name}"), program.to_text()));
    }
}

#[test]
fn rejected_programs_render_expected_diagnostics() {
    for path in fixtures("err") {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_string();
        let source = std::fs::read_to_string(&path).expect("read fixture");
        let file = format!("{name}.py");
        let diags = match frontend_python::compile(&source, &file) {
            Ok(_) => panic!("{name} compiled but must be rejected"),
            Err(d) => d,
        };
        settings().bind(|| {
            insta::assert_snapshot!(
                format!("err__{name}"),
                frontend_python::render_all(&diags, &file, &source, false)
            )
        });
    }
}

#[test]
fn dataflow_graph_has_call_edges_between_entities() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ok/references.py");
    let source = std::fs::read_to_string(path).expect("read fixture");
    let program = frontend_python::compile(&source, "references.py").expect("compiles");
    settings().bind(|| insta::assert_snapshot!("dot__references", program.dataflow_dot()));
}

#[test]
fn infinite_float_literals_round_trip_through_ir_json() {
    // Found by the fuzzer: `1e999` is a valid Python literal (inf), which JSON cannot hold as a
    // number.
    let source = "from entiflow import entity\n\n@entity\nclass A:\n    def __init__(self, k: str):\n        self.k = k\n        self.big = 1e999\n        self.small = -1e999\n    def __key__(self):\n        return self.k\n";
    let program = frontend_python::compile(source, "inf.py").expect("compiles");
    let back = ir::Program::from_json(program.to_json().as_bytes()).expect("round trip");
    assert_eq!(back, program);
    assert!(program.to_json().contains("\"inf\""));
}
