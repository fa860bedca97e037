//! Transaction throughput of the native engine on a two-entity transfer (a remote call and a
//! possible abort per transaction), beside a baseline measured in the same run: the same
//! transfer logic written directly in Rust over a hash map (no interpreter, no transactions).

use std::collections::HashMap;
use std::rc::Rc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use entiflow_native::{Engine, EngineConfig};
use runtime_common::contract::parse_invocation;

const ACCOUNTS: u64 = 1000;
const BATCH: u64 = 10_000;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn transfers(seed: u64) -> Vec<(u64, u64, i64)> {
    let mut rng = Rng(seed);
    (0..BATCH)
        .map(|_| {
            let from = rng.below(ACCOUNTS);
            (
                from,
                (from + 1 + rng.below(ACCOUNTS - 1)) % ACCOUNTS,
                1 + rng.below(60) as i64,
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/apps/transfer.py"
    ))
    .expect("app");
    let program = Rc::new(frontend_python::compile(&source, "transfer.py").expect("compiles"));
    let setup: Vec<String> = (0..ACCOUNTS)
        .map(|a| format!(r#"{{"id":"c{a}","create":"Account","args":["a{a}",100]}}"#))
        .collect();
    let work = transfers(42);
    let lines: Vec<String> = work
        .iter()
        .enumerate()
        .map(|(i, (f, t, amt))| format!(r#"{{"id":{i},"entity":"Account","key":"a{f}","method":"transfer","args":[{amt},{{"$entity":"Account","key":"a{t}"}}]}}"#))
        .collect();
    let mut group = c.benchmark_group("transfer transactions");
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("native engine (parse + execute)", |b| {
        b.iter_batched(
            || {
                let mut engine = Engine::new(program.clone(), EngineConfig::default());
                engine.execute(
                    setup
                        .iter()
                        .map(|l| parse_invocation(l, &program))
                        .collect(),
                );
                engine
            },
            |mut engine| {
                engine.execute(
                    lines
                        .iter()
                        .map(|l| parse_invocation(l, &program))
                        .collect(),
                )
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("baseline: hand-written Rust over a HashMap", |b| {
        b.iter_batched(
            || {
                (0..ACCOUNTS)
                    .map(|a| (format!("a{a}"), 100i64))
                    .collect::<HashMap<String, i64>>()
            },
            |mut balances| {
                let mut ok = 0;
                for (f, t, amt) in &work {
                    let from = format!("a{f}");
                    let balance = balances[&from];
                    if *amt > balance {
                        continue;
                    }
                    *balances.get_mut(&from).expect("account") -= amt;
                    *balances.get_mut(&format!("a{t}")).expect("account") += amt;
                    ok += 1;
                }
                ok
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
