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
    let mut engine = Engine::new(
        program.clone(),
        EngineConfig {
            dedup_window: 3,
            ..EngineConfig::default()
        },
    );
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

/// A snapshot holds the dedup table across several of its internal chunks (with the oldest
/// entries of the first chunk already forgotten); after a restart from it, exactly the ids
/// within the window answer from the table.
#[test]
fn the_window_survives_a_snapshot_and_a_restart() {
    use entiflow_native::{DurabilityConfig, DurableEngine};
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/apps/transfer.py"
    ))
    .unwrap();
    let program = frontend_python::compile(&source, "transfer.py").unwrap();
    let dir = std::env::temp_dir().join(format!("entiflow-dedup-window-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let window = 10_000;
    let config = DurabilityConfig {
        dir: dir.clone(),
        snapshot_every: 1_000_000,
        snapshot_log_bytes: 1 << 40,
    };
    let open = || {
        let engine = Box::new(Engine::new(
            Rc::new(program.clone()),
            EngineConfig {
                dedup_window: window,
                ..EngineConfig::default()
            },
        ));
        DurableEngine::open_with(engine, &program, config.clone()).expect("open")
    };
    let deposit = |i: u32| {
        format!(r#"{{"id":"d{i}","entity":"Account","key":"a","method":"deposit","args":[1]}}"#)
    };
    let mut lines = vec![r#"{"id":"c","create":"Account","args":["a",0]}"#.to_string()];
    lines.extend((0..13_000).map(deposit));
    let mut first = open();
    let results = first
        .execute(
            lines
                .iter()
                .map(|l| parse_invocation(l, &program))
                .collect(),
        )
        .unwrap();
    first.snapshot().unwrap();
    drop(first);
    let mut second = open();
    assert_eq!(
        second.engine().dump_state()["Account"]["a"]["balance"],
        13_000
    );
    // The newest `window` ids answer from the table with their recorded results ...
    let recent = second
        .execute(
            (3_000..13_000)
                .map(|i| parse_invocation(&deposit(i), &program))
                .collect(),
        )
        .unwrap();
    assert_eq!(recent[..], results[3_001..]);
    assert_eq!(second.engine().stats().deduplicated, 10_000);
    // ... and an older one runs again.
    let old = second
        .execute(vec![parse_invocation(&deposit(2_999), &program)])
        .unwrap();
    assert_eq!(old[0].seq, Some(13_002));
    assert_eq!(
        second.engine().dump_state()["Account"]["a"]["balance"],
        13_001
    );
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A log replays with the window it was written with, whatever window the restart asks for:
/// a repeat answered from the table stays answered (not applied twice), and a repeat that ran
/// again because its id was forgotten stays applied. The new window applies from then on.
#[test]
fn a_restart_with_another_window_replays_the_log_with_the_one_it_was_written_with() {
    use entiflow_native::{DurabilityConfig, DurableEngine};
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/apps/transfer.py"
    ))
    .unwrap();
    let program = frontend_python::compile(&source, "transfer.py").unwrap();
    for (before, after) in [(1000, 100), (100, 1000)] {
        let dir = std::env::temp_dir().join(format!(
            "entiflow-dedup-window-change-{before}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let config = DurabilityConfig {
            dir: dir.clone(),
            snapshot_every: 1_000_000,
            snapshot_log_bytes: 1 << 40,
        };
        let open = |window: usize| {
            let engine = Box::new(Engine::new(
                Rc::new(program.clone()),
                EngineConfig {
                    dedup_window: window,
                    ..EngineConfig::default()
                },
            ));
            DurableEngine::open_with(engine, &program, config.clone()).expect("open")
        };
        let run = |engine: &mut DurableEngine, line: &str| {
            engine
                .execute(vec![parse_invocation(line, &program)])
                .unwrap()
                .remove(0)
        };
        let transfer = r#"{"id":"t","entity":"Account","key":"a","method":"transfer","args":[7,{"$entity":"Account","key":"b"}]}"#;
        let mut live = open(before);
        run(
            &mut live,
            r#"{"id":"ca","create":"Account","args":["a",1000]}"#,
        );
        run(
            &mut live,
            r#"{"id":"cb","create":"Account","args":["b",0]}"#,
        );
        run(&mut live, transfer);
        for i in 0..500 {
            run(
                &mut live,
                &format!(r#"{{"id":"g{i}","entity":"Account","key":"b","method":"get"}}"#),
            );
        }
        // Within a 1000-id window this answers from the table; beyond a 100-id one it runs.
        let repeat = run(&mut live, transfer);
        let acknowledged = live.engine().dump_state();
        let expected_b = if before == 1000 { 7 } else { 14 };
        assert_eq!(acknowledged["Account"]["b"]["balance"], expected_b);
        drop(live); // no clean shutdown: the restart replays the log
        let mut recovered = open(after);
        assert_eq!(
            recovered.engine().dump_state(),
            acknowledged,
            "{before} -> {after}"
        );
        assert_eq!(run(&mut recovered, transfer), repeat, "{before} -> {after}");
        drop(recovered);
        // The new window is the one recorded now: a third start with it replays nothing
        // differently.
        let third = open(after);
        assert_eq!(third.engine().dump_state(), acknowledged);
        drop(third);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
