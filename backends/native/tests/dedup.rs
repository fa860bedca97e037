//! The deduplication window: recent ids answer from the table, forgotten ones run again.

use std::rc::Rc;

use entiflow_native::{Engine, EngineConfig};
use runtime_common::contract::parse_invocation;

#[test]
fn ids_within_the_window_are_answered_from_the_table_and_older_ones_run_again() {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/apps/transfer.py"
    ))
    .unwrap();
    let program = Rc::new(frontend_python::compile(&source, "transfer.py").unwrap());
    let mut engine = Engine::new(program.clone(), EngineConfig { dedup_window: 3 });
    let create = r#"{"id":"c","create":"Account","args":["a",100]}"#;
    let deposit = |i: u32| {
        format!(r#"{{"id":"d{i}","entity":"Account","key":"a","method":"deposit","args":[1]}}"#)
    };
    let mut lines = vec![create.to_string()];
    lines.extend((0..10).map(deposit));
    let first = engine.execute(
        lines
            .iter()
            .map(|l| parse_invocation(l, &program))
            .collect(),
    );
    assert_eq!(first.last().unwrap().seq, Some(11));
    // d9 is within the window: same result, nothing runs.
    let again = engine.execute(vec![parse_invocation(&deposit(9), &program)]);
    assert_eq!(again[0], first[10]);
    // d0 was forgotten: it runs again with a new seq.
    let old = engine.execute(vec![parse_invocation(&deposit(0), &program)]);
    assert_eq!(old[0].seq, Some(12));
    assert_eq!(engine.dump_state()["Account"]["a"]["balance"], 111);
}
