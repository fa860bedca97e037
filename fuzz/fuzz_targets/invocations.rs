//! Arbitrary bytes as JSONL invocations against a transfer app: no input may panic, every line
//! gets exactly one result, the serial engine is deterministic, and the parallel engine's
//! outcome equals a serial replay in the `seq` order it reports.

#![no_main]

use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use entiflow_native::{Engine, EngineConfig, Executor, ParallelEngine};
use libfuzzer_sys::fuzz_target;
use runtime_common::contract::parse_invocation;

fn program() -> &'static ir::Program {
    static PROGRAM: OnceLock<ir::Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let source = include_str!("../../tests/apps/transfer.py");
        frontend_python::compile(source, "transfer.py").expect("compiles")
    })
}

const SETUP: &str = "{\"id\":\"c0\",\"create\":\"Account\",\"args\":[\"a\",100]}\n{\"id\":\"c1\",\"create\":\"Account\",\"args\":[\"b\",100]}";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let program = program();
    let lines: Vec<&str> = SETUP.lines().chain(text.lines().filter(|l| !l.trim().is_empty())).take(64).collect();
    let batch = |ls: &[&str]| ls.iter().map(|l| parse_invocation(l, program)).collect::<Vec<_>>();
    let serial_run = || {
        let mut e = Engine::new(Rc::new(program.clone()), EngineConfig::default());
        let r = e.execute(batch(&lines));
        (r, Executor::dump_state(&e))
    };
    let (first, first_state) = serial_run();
    assert_eq!(first.len(), lines.len());
    let (second, second_state) = serial_run();
    assert_eq!(first, second, "the serial engine is deterministic");
    assert_eq!(first_state, second_state);

    let mut parallel = ParallelEngine::new(Arc::new(program.clone()), EngineConfig::default(), 2);
    let results = parallel.execute(batch(&lines));
    assert_eq!(results.len(), lines.len());
    let mut order: Vec<(u64, usize)> = results.iter().enumerate().filter_map(|(i, r)| r.seq.map(|s| (s, i))).collect();
    order.sort();
    let replay_lines: Vec<&str> = order.iter().map(|(_, i)| lines[*i]).collect();
    let mut serial = Engine::new(Rc::new(program.clone()), EngineConfig::default());
    let replayed = serial.execute(batch(&replay_lines));
    for (r, (_, i)) in replayed.iter().zip(&order) {
        let live = &results[*i];
        // Duplicated ids answer from the dedup table in both; compare outcomes.
        assert_eq!(r.outcome, live.outcome, "parallel result differs from the serial replay");
    }
    assert_eq!(parallel.dump_state(), Executor::dump_state(&serial), "parallel state differs from the serial replay");
});
