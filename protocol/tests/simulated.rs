//! The protocol on a simulated network: partitions consume their input logs in random
//! interleavings, messages reach a log at random times (in order per channel, as on a Kafka
//! partition), and some are delivered twice (as a broker that shows aborted records does). Every
//! invocation must be answered exactly once, and the results and final state must equal the
//! serial engine replaying the invocations in the `seq` order the run reported. Replaying one
//! partition's input log must rebuild it exactly (what recovery relies on).

use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

use entiflow_native::{Engine, EngineConfig};
use entiflow_protocol::{
    route, Channel, Envelope, Message, Output, Partition, PartitionConfig, Routed,
};
use proptest::prelude::*;
use runtime_common::contract::parse_invocation;
use runtime_common::{Interpreter, InvocationResult};
use serde_json::{json, Value as Json};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn program(path: &std::path::Path) -> ir::Program {
    let source = std::fs::read_to_string(path).expect("app");
    frontend_python::compile(&source, &path.display().to_string()).expect("compiles")
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Run {
    results: Vec<Vec<InvocationResult>>,
    state: Json,
}

/// Runs `lines` on `count` partitions; `duplicate_percent` of the messages are delivered twice.
fn simulate(program: &ir::Program, lines: &[String], count: u32, seed: u64, dup: u64) -> Run {
    let limit = runtime_common::interp::DEFAULT_STEP_LIMIT;
    simulate_with(
        program,
        lines,
        count,
        seed,
        dup,
        limit,
        &PartitionConfig::default(),
    )
}

/// [`simulate`] with a step limit per transaction and partition settings.
fn simulate_with(
    program: &ir::Program,
    lines: &[String],
    count: u32,
    seed: u64,
    dup: u64,
    max_steps: u64,
    config: &PartitionConfig,
) -> Run {
    let program = Arc::new(program.clone());
    let interp = Interpreter::new(&program);
    interp.set_step_limit(max_steps);
    let mut rng = Rng(seed | 1);
    let mut partitions: Vec<Partition> = (0..count)
        .map(|p| Partition::new(program.clone(), p, count, config.clone()))
        .collect();
    // Per (from, to) channel: envelopes sent but not yet in the receiver's log.
    let mut transit: Vec<VecDeque<(u32, Envelope)>> = Vec::new();
    let mut logs: Vec<VecDeque<Envelope>> = vec![VecDeque::new(); count as usize];
    let mut consumed: Vec<Vec<Envelope>> = vec![Vec::new(); count as usize];
    let mut outputs: Vec<Vec<String>> = vec![Vec::new(); count as usize];
    let mut results: Vec<Vec<InvocationResult>> = vec![Vec::new(); lines.len()];
    let mut next_line = 0;
    // The next offset of each ingress partition (ingress partition `i` feeds partition `i`).
    let mut ingress_next = vec![0u64; count as usize];
    // The next message number of a front door's channel to each partition.
    let mut door_next = vec![0u64; count as usize];
    let mut dumps_sent = false;
    let mut dump = serde_json::Map::new();
    let mut dump_parts = 0;
    loop {
        let pending_logs: Vec<usize> = (0..count as usize)
            .filter(|p| !logs[*p].is_empty())
            .collect();
        let pending_transit: Vec<usize> = (0..transit.len())
            .filter(|c| !transit[*c].is_empty())
            .collect();
        let idle = pending_logs.is_empty() && pending_transit.is_empty();
        if idle && next_line == lines.len() {
            if dumps_sent {
                break;
            }
            dumps_sent = true;
            let at = rng.below(count as usize);
            logs[at].push_back(Envelope {
                channel: Channel::Ingress {
                    partition: at as u32,
                    offset: ingress_next[at],
                },
                body: Message::DumpAll { reply: Json::Null },
            });
            ingress_next[at] += 1;
            continue;
        }
        let choice = rng.below(3);
        if next_line < lines.len() && (choice == 0 || idle) {
            let reply = Json::from(next_line);
            // As a front door: to the ingress partition of the owner, or (one in four) to any
            // (the partition reading it passes it on), or straight to the owner.
            let (at, body) = match route(&interp, lines[next_line].as_bytes(), reply, count) {
                Routed::Answer(r) => {
                    results[next_line].push(r);
                    (rng.below(count as usize), Message::Skip)
                }
                // Or straight to the owner, on the front door's own channel there.
                Routed::Forward { to, message } if rng.below(3) == 0 => {
                    let n = &mut door_next[to as usize];
                    logs[to as usize].push_back(Envelope {
                        channel: Channel::Door { door: 7, n: *n },
                        body: message,
                    });
                    *n += 1;
                    next_line += 1;
                    continue;
                }
                Routed::Forward { to, message } if rng.below(4) != 0 => (to as usize, message),
                Routed::Forward { message, .. } => (rng.below(count as usize), message),
            };
            logs[at].push_back(Envelope {
                channel: Channel::Ingress {
                    partition: at as u32,
                    offset: ingress_next[at],
                },
                body,
            });
            ingress_next[at] += 1;
            next_line += 1;
        } else if choice == 1 && !pending_transit.is_empty() {
            let c = pending_transit[rng.below(pending_transit.len())];
            let (to, envelope) = transit[c].pop_front().expect("non-empty");
            if rng.below(100) < dup as usize {
                // Seen once now (an aborted attempt's record), once again later.
                logs[to as usize].push_back(envelope.clone());
                transit[c].push_front((to, envelope));
            } else {
                logs[to as usize].push_back(envelope);
            }
        } else if !pending_logs.is_empty() {
            let p = pending_logs[rng.below(pending_logs.len())];
            let envelope = logs[p].pop_front().expect("non-empty");
            consumed[p].push(envelope.clone());
            if std::env::var_os("SIM_TRACE").is_some() {
                eprintln!("p{p} <- {envelope:?}");
            }
            for out in partitions[p].handle(&interp, envelope) {
                if std::env::var_os("SIM_TRACE").is_some() {
                    eprintln!("   -> {out:?}");
                }
                outputs[p].push(format!("{out:?}"));
                match out {
                    Output::Send { to, envelope } => {
                        if let Some(limit) = config.max_message_bytes {
                            // The channel position adds a few bytes to the message.
                            let len = serde_json::to_vec(&envelope).expect("JSON").len();
                            assert!(len <= limit + 100, "a message of {len} bytes was sent");
                        }
                        let channel = p * count as usize + to as usize;
                        if transit.len() <= channel {
                            transit.resize_with(count as usize * count as usize, VecDeque::new);
                        }
                        transit[channel].push_back((to, envelope));
                    }
                    Output::Result { reply, result } => {
                        let line = reply.as_u64().expect("line index") as usize;
                        results[line].push(result);
                    }
                    Output::Gap { .. } | Output::DoorGap { .. } | Output::IngressGap { .. } => {
                        panic!("the simulated network keeps each channel in order: {out:?}")
                    }
                    Output::Dump { state, .. } => {
                        dump_parts += 1;
                        merge(&mut dump, state);
                    }
                }
            }
        }
    }
    if partitions.iter().any(|p| p.in_flight() > 0) {
        for part in &partitions {
            eprintln!("partition {}:\n{}", part.id(), part.describe_in_flight());
        }
    }
    for (p, part) in partitions.iter().enumerate() {
        assert_eq!(
            part.in_flight(),
            0,
            "partition {p} is idle at the end:\n{}",
            part.describe_in_flight()
        );
    }
    assert_eq!(
        dump_parts, count,
        "every partition sent its part of the dump"
    );
    for p in 0..count as usize {
        assert_eq!(
            partitions[p].in_flight(),
            0,
            "partition {p} is idle at the end"
        );
        // Recovery: a fresh partition fed the same log produces the same outputs and state, and
        // so does one restored from a checkpoint (taken, as text, at the 1st, 2nd, 4th, 8th, ...
        // quiescent point: spread over the run without making it quadratic).
        let mut rebuilt = Partition::new(program.clone(), p as u32, count, config.clone());
        let mut replayed = Vec::new();
        let mut checkpoints = 0;
        let mut quiescent = 0u64;
        for envelope in consumed[p].clone() {
            replayed.extend(
                rebuilt
                    .handle(&interp, envelope)
                    .iter()
                    .map(|o| format!("{o:?}")),
            );
            if !rebuilt.is_quiescent() {
                continue;
            }
            quiescent += 1;
            if !quiescent.is_power_of_two() {
                continue;
            }
            if let Some(saved) = rebuilt.checkpoint() {
                let text = saved.to_string();
                let parsed: Json = runtime_common::contract::from_slice_unbounded(text.as_bytes())
                    .expect("checkpoint is JSON");
                rebuilt =
                    Partition::restore(program.clone(), p as u32, count, config.clone(), &parsed)
                        .expect("restore a checkpoint");
                assert_eq!(rebuilt.checkpoint(), Some(saved), "checkpoint round trip");
                checkpoints += 1;
            }
        }
        assert!(
            consumed[p].is_empty() || checkpoints > 0,
            "partition {p} was quiescent at least once, so it was checkpointed"
        );
        assert_eq!(replayed, outputs[p], "replaying partition {p}'s log");
        assert_eq!(rebuilt.dump_state(), partitions[p].dump_state());
    }
    Run {
        results,
        state: Json::Object(dump),
    }
}

fn merge(into: &mut serde_json::Map<String, Json>, part: Json) {
    let Json::Object(part) = part else { return };
    for (entity, records) in part {
        let slot = into
            .entry(entity)
            .or_insert_with(|| Json::Object(Default::default()));
        if let (Json::Object(slot), Json::Object(records)) = (slot, records) {
            slot.extend(records);
        }
    }
}

/// Checks a run against the serial engine replaying it in `seq` order.
fn check(program: &ir::Program, lines: &[String], run: &Run) {
    for (i, r) in run.results.iter().enumerate() {
        assert_eq!(r.len(), 1, "line {i} answered exactly once: {r:?}");
    }
    let results: Vec<&InvocationResult> = run.results.iter().map(|r| &r[0]).collect();
    let mut order: Vec<(u64, usize)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.seq.map(|s| (s, i)))
        .collect();
    order.sort();
    order.dedup_by_key(|(s, _)| *s);
    let seqs: Vec<u64> = order.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "seq has no gaps"
    );
    let mut serial = Engine::new(Rc::new(program.clone()), EngineConfig::default());
    let replayed = serial.execute(
        order
            .iter()
            .map(|(_, i)| parse_invocation(&lines[*i], program))
            .collect(),
    );
    for (r, (seq, i)) in replayed.iter().zip(&order) {
        assert_eq!(
            results[*i].outcome, r.outcome,
            "line {i} (seq {seq}): {}",
            lines[*i]
        );
    }
    for (i, r) in results.iter().enumerate() {
        if r.seq.is_none() {
            let alone = Engine::new(Rc::new(program.clone()), EngineConfig::default())
                .execute(vec![parse_invocation(&lines[i], program)]);
            assert_eq!(
                r.outcome.as_ref().err().map(|e| &e.kind),
                alone[0].outcome.as_ref().err().map(|e| &e.kind),
                "line {i} is rejected as the serial engine rejects it"
            );
        }
    }
    assert_eq!(run.state, serial.dump_state(), "final state");
}

fn transfers(accounts: usize, ops: &[(usize, usize, u8)]) -> Vec<String> {
    let mut lines: Vec<String> = (0..accounts)
        .map(|a| format!(r#"{{"id":"c{a}","create":"Account","args":["a{a}",100]}}"#))
        .collect();
    for (i, (from, to, amount)) in ops.iter().enumerate() {
        let (from, to) = (from % (accounts + 1), to % (accounts + 1));
        lines.push(format!(
            r#"{{"id":"t{i}","entity":"Account","key":"a{from}","method":"transfer","args":[{amount},{{"$entity":"Account","key":"a{to}"}}]}}"#
        ));
    }
    lines
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random transfers (some to or from a missing account, some overdrawn) on 1 to 4
    /// partitions, with duplicated deliveries.
    #[test]
    fn transfers_match_serial_replay(
        accounts in 2usize..6,
        ops in proptest::collection::vec((0usize..8, 0usize..8, 0u8..120), 1..40),
        count in 1u32..5,
        seed in any::<u64>(),
        dup in 0u64..30,
    ) {
        let program = program(&root().join("tests/apps/transfer.py"));
        let lines = transfers(accounts, &ops);
        let run = simulate(&program, &lines, count, seed, dup);
        check(&program, &lines, &run);
        let total: i64 = run.state["Account"].as_object().expect("accounts").values()
            .map(|a| a["balance"].as_i64().expect("balance")).sum();
        prop_assert_eq!(total, 100 * accounts as i64, "money is conserved");
    }
}

/// Every conformance case (and example) on 2 and 3 partitions, under several interleavings, on
/// a stack as deep as every engine thread has (some cases hold values 1000 levels deep).
#[test]
fn conformance_cases_match_serial_replay() {
    std::thread::Builder::new()
        .stack_size(runtime_common::contract::DEEP_STACK_BYTES)
        .spawn(every_case_matches_serial_replay)
        .expect("spawn")
        .join()
        .expect("every case matches");
}

fn every_case_matches_serial_replay() {
    let mut cases = Vec::new();
    for dir in ["examples", "tests/conformance"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("dir") {
            let path = entry.expect("entry").path();
            if path.join("app.py").is_file() && path.join("invocations.jsonl").is_file() {
                cases.push(path);
            }
        }
    }
    cases.sort();
    assert!(cases.len() > 10, "cases found");
    for case in cases {
        let program = program(&case.join("app.py"));
        let lines: Vec<String> = std::fs::read_to_string(case.join("invocations.jsonl"))
            .expect("invocations")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        eprintln!("case: {}", case.display());
        for (count, seed) in (0..8u64).map(|s| (1 + (s % 4) as u32, s * 7919 + 1)) {
            let run = simulate(&program, &lines, count, seed, 10);
            check(&program, &lines, &run);
        }
        eprintln!("ok: {}", case.display());
    }
}

/// A message that arrives ahead of an earlier one of its channel is refused with `Gap` and
/// changes nothing; once the earlier one arrives, both are processed in order.
#[test]
fn a_message_ahead_of_its_channel_is_refused_until_the_gap_is_filled() {
    let program = Arc::new(program(&root().join("tests/apps/transfer.py")));
    let interp = Interpreter::new(&program);
    // Two transactions rooted at partition 1 ask partition 0 for their `seq`.
    let request = |n: u64, clock: u64| Envelope {
        channel: Channel::Peer { from: 1, n },
        body: Message::SeqRequest {
            at: entiflow_protocol::Attempt {
                tid: entiflow_protocol::TxnId { clock, origin: 1 },
                n: 0,
            },
            root: 1,
            answer: None,
        },
    };
    let mut p0 = Partition::new(program.clone(), 0, 2, PartitionConfig::default());
    let refused = p0.handle(&interp, request(1, 2));
    assert!(
        matches!(
            refused.as_slice(),
            [Output::Gap {
                from: 1,
                expected: 0,
                got: 1
            }]
        ),
        "{refused:?}"
    );
    let seq = |out: Vec<Output>| match out.as_slice() {
        [Output::Send {
            to: 1,
            envelope:
                Envelope {
                    body: Message::SeqGrant { seq, .. },
                    ..
                },
        }] => *seq,
        other => panic!("expected one grant, got {other:?}"),
    };
    assert_eq!(
        seq(p0.handle(&interp, request(0, 1))),
        1,
        "nothing was given out before"
    );
    assert_eq!(seq(p0.handle(&interp, request(1, 2))), 2);
    assert!(
        p0.handle(&interp, request(1, 2)).is_empty(),
        "a repeat is dropped"
    );
    assert_eq!(p0.stats().gaps, 1);
}

#[test]
fn an_ingress_record_ahead_of_its_channel_is_held_until_the_missing_one_arrives() {
    let program = Arc::new(program(&root().join("tests/apps/transfer.py")));
    let interp = Interpreter::new(&program);
    let ingress = |offset: u64, line: &str| {
        let message = match route(&interp, line.as_bytes(), Json::from(offset), 1) {
            Routed::Forward { message, .. } => message,
            Routed::Answer(answer) => panic!("{line} is answered at once: {answer:?}"),
        };
        Envelope {
            channel: Channel::Ingress {
                partition: 0,
                offset,
            },
            body: message,
        }
    };
    let create = r#"{"id": "c", "create": "Account", "args": ["alice", 100]}"#;
    let deposit =
        r#"{"id": "d", "entity": "Account", "key": "alice", "method": "deposit", "args": [5]}"#;
    let results = |out: Vec<Output>| -> Vec<(u64, String)> {
        out.into_iter()
            .filter_map(|o| match o {
                Output::Result { reply, result } => Some((
                    reply.as_u64().expect("offset"),
                    result.outcome.map_or_else(|e| e.kind, |v| v.to_string()),
                )),
                _ => None,
            })
            .collect()
    };
    let mut p0 = Partition::new(program.clone(), 0, 1, PartitionConfig::default());
    let held = p0.handle(&interp, ingress(1, deposit));
    assert!(
        matches!(
            held.as_slice(),
            [Output::IngressGap {
                partition: 0,
                expected: 0
            }]
        ),
        "{held:?}"
    );
    assert!(!p0.is_quiescent(), "a held record is state");
    assert!(
        p0.handle(&interp, ingress(1, deposit)).is_empty(),
        "a repeat of a held record is dropped"
    );
    let both = results(p0.handle(&interp, ingress(0, create)));
    assert_eq!(
        both,
        vec![
            (0, r#"{"$entity":"Account","key":"alice"}"#.to_string()),
            (1, "105".to_string())
        ],
        "the missing record, then the held one"
    );
    assert!(p0.handle(&interp, ingress(1, deposit)).is_empty());
    assert!(p0.is_quiescent());
    // The same as reading the records in order.
    let mut in_order = Partition::new(program.clone(), 0, 1, PartitionConfig::default());
    in_order.handle(&interp, ingress(0, create));
    in_order.handle(&interp, ingress(1, deposit));
    assert_eq!(in_order.checkpoint(), p0.checkpoint());
}

/// Partition 0 answers a finished transaction's clients with the `seq` it grants; a repeat of
/// the invocation that joins after the `seq` was asked is answered by the root, once.
#[test]
fn partition_zero_answers_with_the_seq_and_the_root_answers_a_late_repeat() {
    let program = Arc::new(program(&root().join("tests/apps/transfer.py")));
    let interp = Interpreter::new(&program);
    let key = (0..)
        .map(|i| format!("k{i}"))
        .find(|k| entiflow_protocol::partition_of("Account", k, 2) == 1)
        .expect("a key of partition 1");
    let create = format!(r#"{{"id": "c", "create": "Account", "args": ["{key}", 100]}}"#);
    let ingress = |offset: u64| {
        let Routed::Forward { to: 1, message } =
            route(&interp, create.as_bytes(), Json::from(offset), 2)
        else {
            panic!("the create goes to partition 1");
        };
        Envelope {
            channel: Channel::Ingress {
                partition: 1,
                offset,
            },
            body: message,
        }
    };
    let sends = |out: &[Output], to: u32| -> Vec<Envelope> {
        out.iter()
            .filter_map(|o| match o {
                Output::Send { to: t, envelope } if *t == to => Some(envelope.clone()),
                _ => None,
            })
            .collect()
    };
    let answers = |out: &[Output]| -> Vec<(u64, Option<u64>)> {
        out.iter()
            .filter_map(|o| match o {
                Output::Result { reply, result } => Some((reply.as_u64()?, result.seq)),
                _ => None,
            })
            .collect()
    };
    let mut p0 = Partition::new(program.clone(), 0, 2, PartitionConfig::default());
    let mut p1 = Partition::new(program.clone(), 1, 2, PartitionConfig::default());
    let first = p1.handle(&interp, ingress(0));
    assert!(answers(&first).is_empty(), "the root waits for its seq");
    let request = sends(&first, 0);
    assert_eq!(request.len(), 1, "{first:?}");
    let repeat = p1.handle(&interp, ingress(1));
    assert!(
        answers(&repeat).is_empty(),
        "the repeat joins the transaction"
    );
    let granted = p0.handle(&interp, request[0].clone());
    assert_eq!(answers(&granted), vec![(0, Some(1))], "{granted:?}");
    let grant = sends(&granted, 1);
    assert_eq!(grant.len(), 1, "{granted:?}");
    let finished = p1.handle(&interp, grant[0].clone());
    assert_eq!(answers(&finished), vec![(1, Some(1))], "{finished:?}");
}

/// A front door's messages to a partition are numbered: one ahead of its channel is refused
/// with `DoorGap`, a repeat is dropped, and the position survives a checkpoint.
#[test]
fn a_front_door_channel_is_kept_in_order_and_survives_a_checkpoint() {
    let program = Arc::new(program(&root().join("tests/apps/transfer.py")));
    let interp = Interpreter::new(&program);
    let door = |n: u64, line: &str| {
        let Routed::Forward { message, .. } = route(&interp, line.as_bytes(), Json::from(n), 1)
        else {
            panic!("{line} is valid");
        };
        Envelope {
            channel: Channel::Door { door: 42, n },
            body: message,
        }
    };
    let create = r#"{"id": "c", "create": "Account", "args": ["alice", 100]}"#;
    let deposit =
        r#"{"id": "d", "entity": "Account", "key": "alice", "method": "deposit", "args": [5]}"#;
    let answered = |out: &[Output]| {
        out.iter()
            .filter(|o| matches!(o, Output::Result { .. }))
            .count()
    };
    let mut p0 = Partition::new(program.clone(), 0, 1, PartitionConfig::default());
    let early = p0.handle(&interp, door(1, deposit));
    assert!(
        matches!(
            early.as_slice(),
            [Output::DoorGap {
                door: 42,
                expected: 0,
                got: 1
            }]
        ),
        "{early:?}"
    );
    assert_eq!(answered(&p0.handle(&interp, door(0, create))), 1);
    let checkpoint = p0.checkpoint().expect("quiescent");
    let mut restored = Partition::restore(
        program.clone(),
        0,
        1,
        PartitionConfig::default(),
        &checkpoint,
    )
    .expect("restore");
    assert!(
        restored.handle(&interp, door(0, create)).is_empty(),
        "a repeat is dropped after a restore too"
    );
    assert_eq!(answered(&restored.handle(&interp, door(1, deposit))), 1);
    assert_eq!(
        restored.dump_state()["Account"]["alice"]["balance"],
        Json::from(105)
    );
}

/// The step limit counts an attempt's blocks on every partition it runs on: outcomes equal the
/// serial engine's for every limit, whatever the partition count.
#[test]
fn the_step_limit_counts_steps_on_every_partition() {
    let program = program(&root().join("tests/apps/chain.py"));
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
    let kinds = |results: Vec<(String, Result<Json, String>)>| {
        let mut by_id: Vec<(String, String)> = results
            .into_iter()
            .map(|(id, outcome)| (id, format!("{outcome:?}")))
            .collect();
        by_id.sort();
        by_id
    };
    for max_steps in (20..80).step_by(3) {
        let config = EngineConfig {
            max_steps,
            ..EngineConfig::default()
        };
        for count in [2, 3] {
            let run = simulate_with(
                &program,
                &lines,
                count,
                7,
                0,
                max_steps,
                &PartitionConfig::default(),
            );
            let got: Vec<(String, Result<Json, String>)> = run
                .results
                .iter()
                .map(|rs| {
                    (
                        rs[0].id.to_string(),
                        rs[0].outcome.clone().map_err(|e| e.kind),
                    )
                })
                .collect();
            // The serial engine, with the same limit, in the run's `seq` order.
            let mut order: Vec<(u64, &String)> = run
                .results
                .iter()
                .zip(&lines)
                .map(|(rs, line)| (rs[0].seq.expect("a seq"), line))
                .collect();
            order.sort();
            let mut serial = Engine::new(Rc::new(program.clone()), config.clone());
            let replayed = serial.execute(
                order
                    .iter()
                    .map(|(_, l)| parse_invocation(l, &program))
                    .collect(),
            );
            let expected = replayed
                .into_iter()
                .map(|r| (r.id.to_string(), r.outcome.map_err(|e| e.kind)))
                .collect();
            assert_eq!(
                kinds(got),
                kinds(expected),
                "--max-steps {max_steps}, {count} partitions"
            );
        }
    }
}

/// With a transport limit on messages, a call or reply between partitions that would exceed it
/// raises `MemoryError` in the caller (catchable; uncaught it aborts the transaction) instead of
/// being sent, and the same call within one partition runs as usual. Replaying a partition's
/// log decides alike (checked by the simulation).
#[test]
fn a_call_or_reply_too_large_for_the_transport_raises_memory_error_in_the_caller() {
    let program = program(&root().join("tests/apps/payload.py"));
    let count = 2;
    let config = PartitionConfig {
        max_message_bytes: Some(4096),
        ..PartitionConfig::default()
    };
    let boxes = ["b0", "b1", "b2", "b3"];
    let mut lines: Vec<String> = boxes
        .iter()
        .map(|b| format!(r#"{{"id":"c{b}","create":"Box","args":["{b}"]}}"#))
        .collect();
    let mut expected = Vec::new();
    for from in boxes {
        for to in boxes.iter().filter(|t| **t != from) {
            let crosses = entiflow_protocol::partition_of("Box", from, count)
                != entiflow_protocol::partition_of("Box", to, count);
            for size in [100, 10_000] {
                let too_large = crosses && size > 4096;
                for method in ["send", "fetch", "try_send", "try_fetch"] {
                    lines.push(format!(
                        r#"{{"id":"{method}-{from}-{to}-{size}","entity":"Box","key":"{from}","method":"{method}","args":[{{"$entity":"Box","key":"{to}"}},{size}]}}"#
                    ));
                    expected.push(match (too_large, method.starts_with("try")) {
                        (false, _) => Ok(json!(size)),
                        (true, false) => Err("MemoryError".to_string()),
                        (true, true) => Ok(json!(-1)),
                    });
                }
            }
        }
    }
    // Results too large for a message to partition 0 go to their clients from the root.
    for b in boxes {
        lines.push(format!(
            r#"{{"id":"get-{b}","entity":"Box","key":"{b}","method":"get","args":[10000]}}"#
        ));
        expected.push(Ok(json!("x".repeat(10_000))));
    }
    let limit = runtime_common::interp::DEFAULT_STEP_LIMIT;
    let run = simulate_with(&program, &lines, count, 11, 10, limit, &config);
    let got: Vec<Result<Json, String>> = run.results[boxes.len()..]
        .iter()
        .map(|rs| rs[0].outcome.clone().map_err(|e| e.kind))
        .collect();
    assert_eq!(got, expected);
    assert!(
        expected.iter().any(Result::is_err),
        "some pairs cross partitions"
    );
    // Aborted calls kept no writes: a box counts the calls it made that succeeded or caught.
    for from in boxes {
        let kept = expected
            .iter()
            .zip(&lines[boxes.len()..])
            .filter(|(outcome, line)| {
                outcome.is_ok()
                    && line.contains(&format!(r#""key":"{from}","method""#))
                    && !line.contains(r#""method":"get""#)
            })
            .count();
        assert_eq!(run.state["Box"][from]["calls"], json!(kept), "box {from}");
    }
}
