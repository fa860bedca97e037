//! Compiling a generated ~12k-line program (50 entities × 12 methods), beside CPython's own
//! `ast.parse` of the same text measured in the same run.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

fn big_program() -> String {
    let out = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/gen_big_program.py"
        ))
        .output()
        .expect("python3 generates the benchmark program");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Times `iters` parses inside one CPython process (excluding its start-up).
fn cpython_parse(source: &str, iters: u64) -> Duration {
    let script = format!(
        "import ast, sys, time\nsrc = sys.stdin.read()\nt = time.perf_counter()\nfor _ in range({iters}):\n    ast.parse(src)\nprint(time.perf_counter() - t)\n"
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(source.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3 output");
    let secs: f64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("seconds");
    Duration::from_secs_f64(secs)
}

fn bench(c: &mut Criterion) {
    let source = big_program();
    let lines = source.lines().count();
    let mut group = c.benchmark_group(format!("compile {lines} lines"));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("entiflow frontend (parse+analyse+lower+split)", |b| {
        b.iter(|| frontend_python::compile(&source, "big.py").expect("compiles"))
    });
    group.bench_function("entiflow frontend + IR JSON", |b| {
        b.iter(|| {
            frontend_python::compile(&source, "big.py")
                .expect("compiles")
                .to_json()
                .len()
        })
    });
    group.bench_function("baseline: CPython ast.parse only", |b| {
        b.iter_custom(|iters| cpython_parse(&source, iters))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
