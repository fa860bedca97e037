//! Transaction throughput of the native engine on a two-entity transfer (a remote call and a
//! possible abort per transaction), beside a baseline measured in the same run: the same
//! transfer logic written directly in Rust over a hash map (no interpreter, no transactions).
//! And the cost of a call on an entity that keeps growing (a transaction changes it in place, so
//! a call costs the same whatever the entity's size), beside plain `Vec::push` and dict inserts.

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

/// Appends to one entity's list and dict, which already hold `GROWN` items when the measurement
/// starts and keep growing through it.
fn growing_entity(c: &mut Criterion) {
    const GROWN: u64 = 100_000;
    const CALLS: u64 = 1_000;
    let source = r#"
from entiflow import entity

@entity
class Log:
    def __init__(self, name: str):
        self.name = name
        self.items = []
        self.index = {}

    def __key__(self):
        return self.name

    def add(self, x: int) -> int:
        self.items.append(x)
        self.index[str(x)] = x
        return len(self.items)
"#;
    let program = Rc::new(frontend_python::compile(source, "log.py").expect("compiles"));
    // Without ids: the same call repeated is not answered from the dedup table.
    let add =
        |x: u64| format!(r#"{{"id":null,"entity":"Log","key":"l","method":"add","args":[{x}]}}"#);
    let mut engine = Engine::new(program.clone(), EngineConfig::default());
    let create = r#"{"id":"c","create":"Log","args":["l"]}"#;
    engine.execute(vec![parse_invocation(create, &program)]);
    engine.execute(
        (0..GROWN)
            .map(|x| parse_invocation(&add(x), &program))
            .collect(),
    );
    let calls: Vec<String> = (GROWN..GROWN + CALLS).map(add).collect();
    let mut group = c.benchmark_group("calls on an entity holding 100k+ items");
    group.throughput(Throughput::Elements(CALLS));
    group.bench_function("native engine (parse + execute)", |b| {
        b.iter(|| {
            engine.execute(
                calls
                    .iter()
                    .map(|l| parse_invocation(l, &program))
                    .collect(),
            )
        })
    });
    let mut items: Vec<u64> = (0..GROWN).collect();
    let mut index: HashMap<String, u64> = (0..GROWN).map(|x| (x.to_string(), x)).collect();
    group.bench_function("baseline: Vec::push and HashMap::insert", |b| {
        b.iter(|| {
            for x in GROWN..GROWN + CALLS {
                items.push(x);
                index.insert(x.to_string(), x);
            }
            items.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench, growing_entity);
criterion_main!(benches);
