//! The parallel engine against the serial one: the parallel run's results and final state must
//! equal a serial execution of the same invocations in the `seq` order it reported, and money
//! must be conserved, under low and extreme contention; outputs do not depend on the number of
//! partitions.

use std::rc::Rc;
use std::sync::Arc;

use entiflow_native::{Engine, EngineConfig, Executor, ParallelEngine};
use proptest::prelude::*;
use runtime_common::contract::parse_invocation;
use runtime_common::InvocationResult;

fn program(path: &str) -> ir::Program {
    let source = std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("app");
    frontend_python::compile(&source, path).expect("compiles")
}

fn transfers(accounts: usize, ops: &[(usize, usize, u8)]) -> Vec<String> {
    let mut lines: Vec<String> = (0..accounts)
        .map(|a| format!(r#"{{"id":"c{a}","create":"Account","args":["a{a}",100]}}"#))
        .collect();
    for (i, (from, to, amount)) in ops.iter().enumerate() {
        let (from, to) = (from % accounts, to % accounts);
        lines.push(format!(r#"{{"id":"t{i}","entity":"Account","key":"a{from}","method":"transfer","args":[{amount},{{"$entity":"Account","key":"a{to}"}}]}}"#));
    }
    lines
}

/// Runs `lines` in epochs on the parallel engine, then replays them serially in `seq` order and
/// compares every result and the final state.
fn check_against_serial_replay(
    app: &str,
    lines: &[String],
    partitions: usize,
    epoch: usize,
) -> (Vec<InvocationResult>, serde_json::Value) {
    let program = program(app);
    let mut parallel = ParallelEngine::new(
        Arc::new(program.clone()),
        EngineConfig::default(),
        partitions,
    );
    let mut results = Vec::new();
    for chunk in lines.chunks(epoch) {
        results.extend(
            parallel.execute(
                chunk
                    .iter()
                    .map(|l| parse_invocation(l, &program))
                    .collect(),
            ),
        );
    }
    let state = parallel.dump_state();
    let mut order: Vec<(u64, &String)> = results
        .iter()
        .zip(lines)
        .filter_map(|(r, l)| r.seq.map(|s| (s, l)))
        .collect();
    order.sort();
    let seqs: Vec<u64> = order.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        seqs,
        (1..=order.len() as u64).collect::<Vec<_>>(),
        "seq is a permutation without gaps"
    );
    let rc = Rc::new(program.clone());
    let mut serial = Engine::new(rc.clone(), EngineConfig::default());
    let replayed = serial.execute(
        order
            .iter()
            .map(|(_, l)| parse_invocation(l, &program))
            .collect(),
    );
    for (r, (_, _)) in replayed.iter().zip(&order) {
        let live = results.iter().find(|x| x.id == r.id).expect("same id");
        assert_eq!(
            live.outcome, r.outcome,
            "result of {} differs from the serial replay",
            r.id
        );
    }
    assert_eq!(
        state,
        serial.dump_state(),
        "final state differs from the serial replay"
    );
    (results, state)
}

#[test]
fn hot_key_contention_matches_serial_replay() {
    let ops: Vec<(usize, usize, u8)> = (0..600)
        .map(|i| (0, 1 + i % 7, (1 + i % 9) as u8))
        .collect();
    let (_, state) =
        check_against_serial_replay("tests/apps/transfer.py", &transfers(8, &ops), 2, 200);
    let total: i64 = state["Account"]
        .as_object()
        .unwrap()
        .values()
        .map(|a| a["balance"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 800);
}

#[test]
fn results_do_not_depend_on_the_partition_count() {
    let ops: Vec<(usize, usize, u8)> = (0..500)
        .map(|i| (i * 7 % 13, i * 11 % 13, (i % 50) as u8 + 1))
        .collect();
    let lines = transfers(13, &ops);
    let (a, _) = check_against_serial_replay("tests/apps/transfer.py", &lines, 2, 128);
    let (b, _) = check_against_serial_replay("tests/apps/transfer.py", &lines, 3, 128);
    assert_eq!(a, b);
}

#[test]
fn examples_match_serial_replay_in_parallel() {
    for app in ["examples/bank", "examples/hotel", "examples/shop"] {
        let lines: Vec<String> = std::fs::read_to_string(format!(
            "{}/../../{app}/invocations.jsonl",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
        check_against_serial_replay(&format!("{app}/app.py"), &lines, 2, 16);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn random_transfers_conserve_money_and_serialize(ops in prop::collection::vec((0usize..6, 0usize..6, 1u8..80), 1..150), epoch in 1usize..64) {
        let (_, state) = check_against_serial_replay("tests/apps/transfer.py", &transfers(6, &ops), 2, epoch);
        let total: i64 = state["Account"].as_object().unwrap().values().map(|a| a["balance"].as_i64().unwrap()).sum();
        prop_assert_eq!(total, 600);
    }
}

#[test]
fn durable_parallel_engine_recovers_exactly() {
    use entiflow_native::{DurabilityConfig, DurableEngine};
    let program = program("tests/apps/transfer.py");
    let dir =
        std::env::temp_dir().join(format!("entiflow-parallel-durable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ops: Vec<(usize, usize, u8)> = (0..400)
        .map(|i| (i % 5, (i * 3 + 1) % 5, (i % 40) as u8 + 1))
        .collect();
    let lines = transfers(5, &ops);
    let config = DurabilityConfig {
        dir: dir.clone(),
        snapshot_every: 3,
        snapshot_log_bytes: 1 << 30,
    };
    let open = || {
        let engine = Box::new(ParallelEngine::new(
            Arc::new(program.clone()),
            EngineConfig::default(),
            2,
        ));
        DurableEngine::open_with(engine, &program, config.clone()).expect("open")
    };
    let mut first = open();
    let mut results = Vec::new();
    for chunk in lines[..300].chunks(37) {
        results.extend(
            first
                .execute(
                    chunk
                        .iter()
                        .map(|l| parse_invocation(l, &program))
                        .collect(),
                )
                .unwrap(),
        );
    }
    let state = first.engine().dump_state();
    drop(first);
    let mut second = open();
    assert_eq!(
        second.engine().dump_state(),
        state,
        "recovered state equals the state before the restart"
    );
    // Resending everything returns the recorded results and runs only the new invocations.
    let again = second
        .execute(
            lines
                .iter()
                .map(|l| parse_invocation(l, &program))
                .collect(),
        )
        .unwrap();
    assert_eq!(
        &again[..300],
        &results[..],
        "acknowledged results are unchanged"
    );
    let total: i64 = second.engine().dump_state()["Account"]
        .as_object()
        .unwrap()
        .values()
        .map(|a| a["balance"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 500);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Calls that follow references held in state reach keys no footprint predicted: those
/// transactions run again with the keys learned, some of them alone after repeated misses,
/// while other transactions relink the chain between passes.
#[test]
fn calls_through_references_in_state_match_serial_replay() {
    let nodes = 24;
    let mut lines: Vec<String> = (0..nodes)
        .map(|n| format!(r#"{{"id":"c{n}","create":"Node","args":["n{n}"]}}"#))
        .collect();
    // A fixed pseudo-random sequence (an LCG), so that the chains get long.
    let mut seed = 7u64;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    for i in 0..400usize {
        let (a, b) = (next(nodes), next(nodes));
        lines.push(if next(4) == 0 {
            format!(r#"{{"id":"l{i}","entity":"Node","key":"n{a}","method":"link","args":[{{"$entity":"Node","key":"n{b}"}}]}}"#)
        } else {
            let (amount, hops) = (next(13), next(nodes));
            format!(r#"{{"id":"p{i}","entity":"Node","key":"n{a}","method":"push","args":[{amount},{hops}]}}"#)
        });
    }
    let (a, state) = check_against_serial_replay("tests/apps/chain.py", &lines, 2, 64);
    let (b, _) = check_against_serial_replay("tests/apps/chain.py", &lines, 3, 64);
    assert_eq!(a, b);
    let pushed: i64 = state["Node"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n["total"].as_i64().unwrap())
        .sum();
    assert!(pushed > 0);

    let program = program("tests/apps/chain.py");
    let mut parallel = ParallelEngine::new(Arc::new(program.clone()), EngineConfig::default(), 2);
    for chunk in lines.chunks(64) {
        parallel.execute(
            chunk
                .iter()
                .map(|l| parse_invocation(l, &program))
                .collect(),
        );
    }
    assert!(
        parallel.stats().reexecuted > 0,
        "the workload is meant to miss footprints"
    );
}

/// The step limit counts a transaction's blocks on every partition it runs on: where a limit
/// is crossed does not depend on how its entities are spread over partitions.
#[test]
fn the_step_limit_counts_steps_on_every_partition() {
    let mut lines: Vec<String> = (0..5)
        .map(|n| format!(r#"{{"id":"c{n}","create":"Node","args":["n{n}"]}}"#))
        .collect();
    for n in 0..5 {
        let next = (n + 1) % 5;
        lines.push(format!(r#"{{"id":"l{n}","entity":"Node","key":"n{n}","method":"link","args":[{{"$entity":"Node","key":"n{next}"}}]}}"#));
    }
    for hops in 0..12 {
        lines.push(format!(
            r#"{{"id":"p{hops}","entity":"Node","key":"n{}","method":"push","args":[1,{hops}]}}"#,
            hops % 5
        ));
    }
    let program = program("tests/apps/chain.py");
    let outcomes = |engine: &mut dyn Executor| {
        let results = engine.execute(
            lines
                .iter()
                .map(|l| parse_invocation(l, &program))
                .collect(),
        );
        let mut by_id: Vec<(String, String)> = results
            .iter()
            .map(|r| (r.id.to_string(), format!("{:?}", r.outcome)))
            .collect();
        by_id.sort();
        by_id
    };
    let mut limits_that_matter = 0;
    for max_steps in 1..80 {
        let config = EngineConfig {
            max_steps,
            ..EngineConfig::default()
        };
        let serial = outcomes(&mut Engine::new(Rc::new(program.clone()), config.clone()));
        for partitions in [2, 3] {
            let parallel = outcomes(&mut ParallelEngine::new(
                Arc::new(program.clone()),
                config.clone(),
                partitions,
            ));
            assert_eq!(
                serial, parallel,
                "--max-steps {max_steps}, {partitions} partitions"
            );
        }
        let exceeded = serial
            .iter()
            .filter(|(_, o)| o.contains("StepLimitExceeded"));
        if exceeded.count() > 0 && serial.iter().any(|(_, o)| o.starts_with("Ok")) {
            limits_that_matter += 1;
        }
    }
    assert!(
        limits_that_matter > 10,
        "the limits tried must split the workload"
    );
}
