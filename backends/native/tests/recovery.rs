//! Recovery refuses a data directory it cannot recover exactly, rather than lose or change
//! acknowledged work: damage before the last record, a missing snapshot or segment (also the
//! last one), a second process, another program, engine kind or step limit. A torn last record
//! (never acknowledged) is dropped.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use entiflow_native::{DurabilityConfig, DurableEngine, Engine, EngineConfig, Executor};
use ir::Program;
use runtime_common::contract::parse_invocation;

fn program(source: &str) -> Program {
    frontend_python::compile(source, "app.py").unwrap()
}

fn transfer_program() -> Program {
    program(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/apps/transfer.py"
        ))
        .unwrap(),
    )
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("entiflow-recovery-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(program: &Program, dir: &Path, every: u64) -> std::io::Result<DurableEngine> {
    let engine: Box<dyn Executor> = Box::new(Engine::new(
        Rc::new(program.clone()),
        EngineConfig::default(),
    ));
    DurableEngine::open_with(
        engine,
        program,
        DurabilityConfig {
            dir: dir.to_path_buf(),
            snapshot_every: every,
            snapshot_log_bytes: 1 << 40,
        },
    )
}

/// Creates account `a` and deposits 1 in each of `n` epochs; returns the engine.
fn run_deposits(program: &Program, dir: &Path, n: u32, every: u64) -> DurableEngine {
    let mut d = open(program, dir, every).unwrap();
    let create = r#"{"id":"c","create":"Account","args":["a",0]}"#;
    d.execute(vec![parse_invocation(create, program)]).unwrap();
    for i in 0..n {
        let line = format!(
            r#"{{"id":"d{i}","entity":"Account","key":"a","method":"deposit","args":[1]}}"#
        );
        d.execute(vec![parse_invocation(&line, program)]).unwrap();
    }
    d
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("wal-"))
        .collect();
    out.sort();
    out
}

fn balance(d: &DurableEngine) -> i64 {
    d.engine().dump_state()["Account"]["a"]["balance"]
        .as_i64()
        .unwrap()
}

/// The first result of an epoch as its JSON line reads.
fn first_result(results: &[runtime_common::InvocationResult]) -> serde_json::Value {
    let mut out = Vec::new();
    results[0].write_json(&mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn error_of(result: std::io::Result<DurableEngine>) -> String {
    match result {
        Ok(_) => panic!("recovery should have been refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_torn_last_record_is_dropped_and_everything_before_it_recovers() {
    let p = transfer_program();
    let dir = fresh_dir("torn");
    drop(run_deposits(&p, &dir, 10, 1_000_000));
    let last = segments(&dir).pop().unwrap();
    let mut bytes = std::fs::read(&last).unwrap();
    bytes.extend_from_slice(br#"{"epoch":12,"batch":[{"id":"x","ent"#);
    std::fs::write(&last, bytes).unwrap();
    let d = open(&p, &dir, 1_000_000).unwrap();
    assert_eq!(balance(&d), 10);
}

#[test]
fn damage_before_the_last_record_is_refused() {
    let p = transfer_program();
    let dir = fresh_dir("middle");
    drop(run_deposits(&p, &dir, 10, 1_000_000));
    let last = segments(&dir).pop().unwrap();
    let text = std::fs::read_to_string(&last).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let cut = &lines[4][..20].to_string();
    lines[4] = cut;
    std::fs::write(&last, lines.join("\n") + "\n").unwrap();
    let message = error_of(open(&p, &dir, 1_000_000));
    assert!(message.contains("damaged"), "{message}");
}

#[test]
fn a_changed_byte_in_a_record_that_still_reads_as_json_is_refused() {
    let p = transfer_program();
    let dir = fresh_dir("changed-byte");
    drop(run_deposits(&p, &dir, 10, 1_000_000));
    let last = segments(&dir).pop().unwrap();
    let text = std::fs::read_to_string(&last).unwrap();
    // Still JSON, still an invocation's shape: only the checksum tells.
    let changed = text.replacen(r#""args":[1]"#, r#""args":[7]"#, 1);
    assert_ne!(changed, text);
    std::fs::write(&last, changed).unwrap();
    let message = error_of(open(&p, &dir, 1_000_000));
    assert!(message.contains("damaged"), "{message}");
}

#[test]
fn a_new_version_of_the_program_restores_fields_by_name_and_never_drops_one() {
    let p = transfer_program();
    let dir = fresh_dir("upgrade");
    let mut d = run_deposits(&p, &dir, 3, 1_000_000);
    d.snapshot().unwrap();
    drop(d);
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/apps/transfer.py"
    ))
    .unwrap();
    let fields = "        self.account_id = account_id\n        self.balance = balance\n";
    assert!(source.contains(fields));
    let reordered = program(&source.replace(
        fields,
        "        self.balance = balance\n        self.account_id = account_id\n        self.note = \"\"\n",
    ));
    let mut d = open(&reordered, &dir, 1_000_000).unwrap();
    let state = d.engine().dump_state();
    // By name, not by position; the new field is unset (left out of the dump).
    assert_eq!(
        state["Account"]["a"],
        serde_json::json!({"balance": 3, "account_id": "a"})
    );
    d.snapshot().unwrap();
    drop(d);
    // Back to a version without `note`: its values would be lost, so recovery refuses.
    let message = error_of(open(&p, &dir, 1_000_000));
    assert!(message.contains("`note`"), "{message}");
}

#[test]
fn a_missing_snapshot_or_segment_is_refused() {
    let p = transfer_program();
    // Snapshots every 4 epochs: the snapshot covers a prefix, segments the rest.
    let dir = fresh_dir("missing");
    let mut d = run_deposits(&p, &dir, 10, 4);
    d.snapshot().unwrap();
    drop(d);
    let more = run_deposits(&p, &dir, 0, 1_000_000);
    drop(more);
    std::fs::remove_file(dir.join("snapshot.json")).unwrap();
    let message = error_of(open(&p, &dir, 1_000_000));
    assert!(message.contains("jumps from epoch 0"), "{message}");

    let dir = fresh_dir("missing-segment");
    drop(run_deposits(&p, &dir, 3, 1_000_000));
    drop(run_deposits(&p, &dir, 3, 1_000_000));
    drop(run_deposits(&p, &dir, 3, 1_000_000));
    let all = segments(&dir);
    assert!(all.len() >= 3, "{all:?}");
    std::fs::remove_file(&all[1]).unwrap();
    let message = error_of(open(&p, &dir, 1_000_000));
    assert!(message.contains("a log segment"), "{message}");

    // The last segment (the only one, or the one after the snapshot) leaves no gap when it is
    // deleted: the manifest names it.
    for every in [1_000_000, 2] {
        let dir = fresh_dir(&format!("missing-last-segment-{every}"));
        drop(run_deposits(&p, &dir, 5, every));
        let last = segments(&dir).pop().unwrap();
        std::fs::remove_file(&last).unwrap();
        let message = error_of(open(&p, &dir, 1_000_000));
        assert!(
            message.contains(&format!("{} is missing", last.display())),
            "{message}"
        );
    }
}

#[test]
fn a_second_process_on_the_same_directory_is_refused() {
    let p = transfer_program();
    let dir = fresh_dir("lock");
    let first = open(&p, &dir, 1_000_000).unwrap();
    let message = error_of(open(&p, &dir, 1_000_000));
    assert!(message.contains("in use"), "{message}");
    drop(first);
    open(&p, &dir, 1_000_000).unwrap();
}

#[test]
fn a_log_is_replayed_only_by_the_program_that_wrote_it() {
    let p = transfer_program();
    let dir = fresh_dir("program");
    drop(run_deposits(&p, &dir, 3, 1_000_000));
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/apps/transfer.py"
    ))
    .unwrap();
    let changed = program(&source.replace("self.balance += amount", "self.balance += 2 * amount"));
    assert_ne!(changed, p, "the edit must change the program");
    let message = error_of(open(&changed, &dir, 1_000_000));
    assert!(
        message.contains("another version of the program"),
        "{message}"
    );
    // After a clean shutdown there is nothing to replay: the new program may take over.
    let mut d = open(&p, &dir, 1_000_000).unwrap();
    d.snapshot().unwrap();
    drop(d);
    let d = open(&changed, &dir, 1_000_000).unwrap();
    assert_eq!(balance(&d), 3);
}

/// A transaction that ran out of steps under one `--max-steps` commits under a higher one (and
/// the other way round): a log is replayed only with the limit it was written with.
#[test]
fn a_log_is_replayed_only_with_the_step_limit_it_was_written_with() {
    let p = transfer_program();
    let dir = fresh_dir("max-steps");
    drop(run_deposits(&p, &dir, 3, 1_000_000));
    let open_with_limit = |max_steps: u64| {
        let engine: Box<dyn Executor> = Box::new(Engine::new(
            Rc::new(p.clone()),
            EngineConfig {
                max_steps,
                ..EngineConfig::default()
            },
        ));
        DurableEngine::open_with(
            engine,
            &p,
            DurabilityConfig {
                dir: dir.clone(),
                snapshot_every: 1_000_000,
                snapshot_log_bytes: 1 << 40,
            },
        )
    };
    let message = error_of(open_with_limit(1_000));
    assert!(message.contains("--max-steps 1000"), "{message}");
    // With the limit that wrote it, the log replays; after a clean shutdown (a snapshot covers
    // it) another limit may take over.
    let mut d = open(&p, &dir, 1_000_000).unwrap();
    assert_eq!(balance(&d), 3);
    d.snapshot().unwrap();
    drop(d);
    let d = open_with_limit(1_000).unwrap();
    assert_eq!(balance(&d), 3);
}

#[test]
fn deeply_nested_state_survives_a_snapshot_and_a_restart() {
    let p = program(
        r#"
from entiflow import entity

@entity
class Trie:
    def __init__(self, k: str):
        self.k = k
        self.root = {}

    def __key__(self):
        return self.k

    def insert(self, word: str) -> int:
        node = self.root
        for c in word:
            if c not in node:
                node[c] = {}
            node = node[c]
        node["$"] = True
        return len(word)

    def depth(self) -> int:
        node = self.root
        n = 0
        while "a" in node:
            node = node["a"]
            n += 1
        return n
"#,
    );
    let dir = fresh_dir("deep");
    let word = "a".repeat(1000);
    // Runs on a deep stack, as every engine thread does.
    let run = {
        let (p, dir) = (p.clone(), dir.clone());
        move || {
            let mut d = open(&p, &dir, 1_000_000).unwrap();
            let create = r#"{"id":"c","create":"Trie","args":["t"]}"#;
            let insert = format!(
                r#"{{"id":"i","entity":"Trie","key":"t","method":"insert","args":["{word}"]}}"#
            );
            d.execute(vec![
                parse_invocation(create, &p),
                parse_invocation(&insert, &p),
            ])
            .unwrap();
            d.snapshot().unwrap();
            drop(d);
            let mut d = open(&p, &dir, 1_000_000).unwrap();
            let depth = r#"{"id":"d","entity":"Trie","key":"t","method":"depth","args":[]}"#;
            let r = d.execute(vec![parse_invocation(depth, &p)]).unwrap();
            r[0].to_json()["result"].clone()
        }
    };
    let depth = std::thread::Builder::new()
        .stack_size(runtime_common::contract::DEEP_STACK_BYTES)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(depth, 1000);
}

#[test]
fn the_same_program_from_another_path_or_with_other_comments_replays_the_log() {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/apps/transfer.py"
    ))
    .unwrap();
    let here = frontend_python::compile(&source, "apps/transfer.py").unwrap();
    let moved = frontend_python::compile(
        &format!("# moved and commented\n\n{source}"),
        "/elsewhere/bank.py",
    )
    .unwrap();
    let dir = fresh_dir("moved");
    drop(run_deposits(&here, &dir, 3, 1_000_000));
    let d = open(&moved, &dir, 1_000_000).unwrap();
    assert_eq!(balance(&d), 3);
}

#[test]
fn a_capture_keeps_the_state_it_captured_while_transactions_change_entities_in_place() {
    let program = program(
        r#"
from entiflow import entity

@entity
class Log:
    def __init__(self, name: str):
        self.name = name
        self.items = [1]
        self.seen = {"one": 1}

    def __key__(self):
        return self.name

    def add(self, x: int, fail: bool) -> int:
        self.items.append(x)
        self.seen[str(x)] = x
        if fail:
            raise ValueError("no")
        return len(self.items)
"#,
    );
    let mut engine = Engine::new(Rc::new(program.clone()), EngineConfig::default());
    let run = |engine: &mut Engine, line: &str| {
        first_result(&engine.execute(vec![parse_invocation(line, &program)]))
    };
    run(&mut engine, r#"{"id":1,"create":"Log","args":["a"]}"#);
    run(
        &mut engine,
        r#"{"id":2,"entity":"Log","key":"a","method":"add","args":[2,false]}"#,
    );
    let mut capture = engine.capture().unwrap();
    let added = r#"{"id":3,"entity":"Log","key":"a","method":"add","args":[3,false]}"#;
    assert_eq!(run(&mut engine, added)["result"], 3);
    let failed = r#"{"id":4,"entity":"Log","key":"a","method":"add","args":[4,true]}"#;
    assert_eq!(run(&mut engine, failed)["error"]["type"], "ValueError");
    let records = capture.next_records(10);
    assert_eq!(records.len(), 1);
    let fields = serde_json::to_string(&records[0].3).unwrap();
    assert_eq!(fields, r#"["a",[1,2],{"$d":[["one",1],["2",2]]}]"#);
    let now = engine.entity_state("Log", "a").unwrap();
    assert_eq!(
        now.to_string(),
        r#"{"name":"a","items":[1,2,3],"seen":{"one":1,"2":2,"3":3}}"#
    );
}

#[test]
fn fields_sharing_a_set_or_an_iterator_still_share_it_across_snapshots_and_restarts() {
    let program = program(
        r#"
from entiflow import entity

@entity
class Holder:
    def __init__(self, key: str):
        self.key = key
        self.it = zip([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6])
        self.it2 = self.it
        self.s1 = set()
        self.s2 = self.s1

    def __key__(self):
        return self.key

    def step(self, x: int) -> list:
        self.s1.add(x)
        return [next(self.it, -1), next(self.it2, -1), sorted(self.s2)]
"#,
    );
    let dir = fresh_dir("shared-objects");
    let call = |d: &mut DurableEngine, id: u32| {
        let line =
            format!(r#"{{"id":{id},"entity":"Holder","key":"h","method":"step","args":[{id}]}}"#);
        let results = d.execute(vec![parse_invocation(&line, &program)]).unwrap();
        first_result(&results)["result"].to_string()
    };
    let mut d = open(&program, &dir, 1).unwrap();
    let create = r#"{"id":0,"create":"Holder","args":["h"]}"#;
    d.execute(vec![parse_invocation(create, &program)]).unwrap();
    // Every epoch is followed by a snapshot, so each call changes a captured record.
    assert_eq!(call(&mut d, 1), "[[1,1],[2,2],[1]]");
    assert_eq!(call(&mut d, 2), "[[3,3],[4,4],[1,2]]");
    drop(d);
    let mut d = open(&program, &dir, 1).unwrap();
    assert_eq!(call(&mut d, 3), "[[5,5],[6,6],[1,2,3]]");
}

#[test]
fn a_record_without_its_checksum_is_damage_and_a_last_one_is_torn() {
    let p = transfer_program();
    // Before the last record: the record was changed (its checksum taken off with it).
    let dir = fresh_dir("no-checksum-middle");
    drop(run_deposits(&p, &dir, 10, 1_000_000));
    let last = segments(&dir).pop().unwrap();
    let text = std::fs::read_to_string(&last).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let (record, _) = lines[4].rsplit_once('\t').unwrap();
    lines[4] = record.replacen(r#""args":[1]"#, r#""args":[100]"#, 1);
    std::fs::write(&last, lines.join("\n") + "\n").unwrap();
    let message = error_of(open(&p, &dir, 1_000_000));
    assert!(message.contains("damaged"), "{message}");

    // The last record cut just before its checksum was never acknowledged: it is dropped.
    let dir = fresh_dir("no-checksum-last");
    drop(run_deposits(&p, &dir, 10, 1_000_000));
    let last = segments(&dir).pop().unwrap();
    let text = std::fs::read_to_string(&last).unwrap();
    let (kept, _) = text.trim_end().rsplit_once('\t').unwrap();
    std::fs::write(&last, format!("{kept}\n")).unwrap();
    let d = open(&p, &dir, 1_000_000).unwrap();
    assert_eq!(balance(&d), 9);
}

#[test]
fn a_snapshot_whose_checksum_does_not_hold_is_refused() {
    let p = transfer_program();
    let dir = fresh_dir("snapshot-checksum");
    let mut d = run_deposits(&p, &dir, 7, 1_000_000);
    d.snapshot().unwrap();
    drop(d);
    let path = dir.join("snapshot.json");
    let good = std::fs::read_to_string(&path).unwrap();
    // The balance of 7 changed to 9: still valid JSON, so only the checksum can tell.
    let damaged = good.replacen(r#"["a",7]"#, r#"["a",9]"#, 1);
    assert_ne!(damaged, good, "the balance is in the snapshot: {good}");
    std::fs::write(&path, &damaged).unwrap();
    let message = error_of(open(&p, &dir, 1_000_000));
    assert!(message.contains("checksum"), "{message}");
    // The snapshot as written recovers.
    std::fs::write(&path, &good).unwrap();
    assert_eq!(balance(&open(&p, &dir, 1_000_000).unwrap()), 7);
}
