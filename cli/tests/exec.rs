//! `entiflow exec` and `check`/`compile` end to end: determinism, conformance with CPython,
//! bad input handling and exit codes.

mod support;

use std::process::Command;

use support::{bin, root, transfer_workload};

/// `entiflow exec APP --input INPUT EXTRA...`; `app` is relative to the repository root (or
/// absolute).
fn exec(
    app: impl AsRef<std::path::Path>,
    input: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    Command::new(bin())
        .arg("exec")
        .arg(root().join(app))
        .arg("--input")
        .arg(input)
        .args(extra)
        .output()
        .expect("run exec")
}

#[test]
fn same_input_gives_byte_identical_output() {
    let dir = tempdir("determinism");
    let input = dir.join("in.jsonl");
    std::fs::write(&input, transfer_workload(20, 3000, 7).join("\n")).unwrap();
    let state_a = dir.join("a.json");
    let state_b = dir.join("b.json");
    let a = exec(
        "tests/apps/transfer.py",
        &input,
        &[
            "--dump-state",
            state_a.to_str().unwrap(),
            "--epoch-size",
            "100",
        ],
    );
    let b = exec(
        "tests/apps/transfer.py",
        &input,
        &[
            "--dump-state",
            state_b.to_str().unwrap(),
            "--epoch-size",
            "777",
        ],
    );
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(
        std::fs::read(state_a).unwrap(),
        std::fs::read(state_b).unwrap()
    );
    assert_eq!(String::from_utf8_lossy(&a.stdout).lines().count(), 3020);
}

#[test]
fn transfer_workload_conserves_money_and_matches_cpython() {
    let dir = tempdir("transfers");
    let case = dir.join("case");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::copy(root().join("tests/apps/transfer.py"), case.join("app.py")).unwrap();
    std::fs::write(
        case.join("invocations.jsonl"),
        transfer_workload(8, 1500, 11).join("\n"),
    )
    .unwrap();
    let state = dir.join("state.json");
    let out = exec(
        "tests/apps/transfer.py",
        &case.join("invocations.jsonl"),
        &["--dump-state", state.to_str().unwrap()],
    );
    assert!(out.status.success());
    let dump: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let total: i64 = dump["Account"]
        .as_object()
        .unwrap()
        .values()
        .map(|a| a["balance"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 800, "money is conserved");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Insufficient"),
        "the workload exercises aborts"
    );
    conformance(&[case]);
}

fn conformance(cases: &[std::path::PathBuf]) {
    conformance_with(cases, 1);
}

fn conformance_with(cases: &[std::path::PathBuf], workers: usize) {
    let out = Command::new("python3")
        .arg(root().join("scripts/conformance.py"))
        .arg("--bin")
        .arg(bin())
        .args(["--workers", &workers.to_string()])
        .args(cases)
        .output()
        .expect("python3 runs the conformance script");
    assert!(
        out.status.success(),
        "conformance failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn all_cases() -> Vec<std::path::PathBuf> {
    let mut cases = Vec::new();
    for dir in ["examples", "tests/conformance"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.join("app.py").exists() && p.join("invocations.jsonl").exists() {
                cases.push(p);
            }
        }
    }
    cases.sort();
    cases
}

#[test]
fn parallel_epochs_match_cpython_in_seq_order() {
    let cases = all_cases();
    assert!(cases.len() >= 3);
    conformance_with(&cases, 2);
}

#[test]
fn parallel_runs_are_deterministic_and_conserve_money() {
    let dir = tempdir("parallel-determinism");
    let input = dir.join("in.jsonl");
    std::fs::write(&input, transfer_workload(20, 4000, 5).join("\n")).unwrap();
    let runs: Vec<(Vec<u8>, Vec<u8>)> = (0..2)
        .map(|i| {
            let state = dir.join(format!("state{i}.json"));
            let out = exec(
                "tests/apps/transfer.py",
                &input,
                &[
                    "--workers",
                    "2",
                    "--epoch-size",
                    "500",
                    "--dump-state",
                    state.to_str().unwrap(),
                ],
            );
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            (out.stdout, std::fs::read(state).unwrap())
        })
        .collect();
    assert_eq!(runs[0], runs[1], "same input and configuration, same bytes");
    let dump: serde_json::Value = serde_json::from_slice(&runs[0].1).unwrap();
    let total: i64 = dump["Account"]
        .as_object()
        .unwrap()
        .values()
        .map(|a| a["balance"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 2000);
    // Entities appear in creation order, as the serial engine gives them.
    let keys: Vec<&String> = dump["Account"].as_object().unwrap().keys().collect();
    let created: Vec<String> = (0..20).map(|i| format!("a{i}")).collect();
    assert_eq!(keys, created.iter().collect::<Vec<_>>());
    let state3 = dir.join("state3.json");
    let three = exec(
        "tests/apps/transfer.py",
        &input,
        &[
            "--workers",
            "3",
            "--epoch-size",
            "500",
            "--dump-state",
            state3.to_str().unwrap(),
        ],
    );
    assert_eq!(
        three.stdout, runs[0].0,
        "results do not depend on the number of partitions"
    );
    assert_eq!(
        std::fs::read(state3).unwrap(),
        runs[0].1,
        "nor does the state dump, byte for byte"
    );
}

#[test]
fn examples_and_conformance_cases_match_cpython() {
    let cases = all_cases();
    assert!(cases.len() >= 3, "examples are present");
    conformance(&cases);
}

#[test]
fn bad_lines_get_invalid_request_and_do_not_disturb_others() {
    let dir = tempdir("badlines");
    let input = dir.join("in.jsonl");
    std::fs::write(
        &input,
        [
            // A byte-order mark before the first line is skipped.
            "\u{feff}{\"id\": 1, \"create\": \"Account\", \"args\": [\"a\", 10]}",
            r#"{"id": 2, "entity": "Account", "key": "a", "method": "get""#,
            r#"[1, 2]"#,
            r#"{"id": 3, "entity": "Nope", "key": "a", "method": "get"}"#,
            r#"{"id": 4, "entity": "Account", "key": "a", "method": "steal"}"#,
            r#"{"id": 5, "entity": "Account", "key": "zz", "method": "get"}"#,
            r#"{"id": 6, "create": "Account", "args": ["a", 1]}"#,
            r#"{"id": 7, "entity": "Account", "key": "a", "method": "get", "args": [1]}"#,
            r#"{"id": 8, "entity": "Account", "key": "a", "method": "get"}"#,
            r#"{"id": 9, "entity": "Account", "key": "a", "method": "get", "args": null}"#,
        ]
        .join("\n")
        .into_bytes()
        .into_iter()
        // A line that is not UTF-8 is one invalid invocation; the next line still runs.
        .chain(
            b"\n{\"id\": 10, \"create\": \"Account\", \"args\": [\"\xff\", 1]}\n"
                .iter()
                .copied(),
        )
        .chain(
            br#"{"id": 11, "entity": "Account", "key": "a", "method": "get"}"#
                .iter()
                .copied(),
        )
        .collect::<Vec<u8>>(),
    )
    .unwrap();
    let out = exec("tests/apps/transfer.py", &input, &[]);
    assert!(out.status.success());
    let results: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<String> = results
        .iter()
        .map(|r| {
            r.get("error")
                .map(|e| e["type"].as_str().unwrap().to_string())
                .unwrap_or_else(|| "ok".into())
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "ok",
            "InvalidRequest",
            "InvalidRequest",
            "InvalidRequest",
            "InvalidRequest",
            "EntityNotFound",
            "EntityExists",
            "TypeError",
            "ok",
            "InvalidRequest",
            "InvalidRequest",
            "ok"
        ]
    );
    assert_eq!(
        results[7]["error"]["message"],
        "Account.get() takes 1 positional argument but 2 were given"
    );
    assert_eq!(
        results[5]["error"]["message"],
        "Account 'zz' does not exist"
    );
    assert_eq!(results[8]["result"], 10);
    assert_eq!(results[8]["seq"], 5, "invalid requests take no seq");
}

#[test]
fn check_reports_errors_with_locations_and_exit_codes() {
    let dir = tempdir("check");
    let app = dir.join("bad.py");
    std::fs::write(&app, "from entiflow import entity\n\n@entity\nclass A:\n    def __init__(self, k):\n        self.k = k\n    def __key__(self):\n        return self.k\n    def f(self):\n        return lambda: 1\n").unwrap();
    let out = Command::new(bin()).arg("check").arg(&app).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("bad.py:10:16"), "{text}");
    assert!(text.contains("E0344"), "{text}");
    let json = Command::new(bin())
        .args(["check", "--format", "json"])
        .arg(&app)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["diagnostics"][0]["span"]["line"], 10);
    let ok = Command::new(bin())
        .arg("check")
        .arg(root().join("examples/shop/app.py"))
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let usage = Command::new(bin()).args(["check"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let missing = Command::new(bin())
        .args(["check", "/nonexistent/app.py"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let missing = Command::new(bin())
        .args(["check", "--format", "json", "/nonexistent/app.py"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&missing.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert!(
        doc["error"].as_str().unwrap().contains("cannot read"),
        "{doc}"
    );
}

#[test]
fn compile_writes_ir_text_and_dot() {
    let dir = tempdir("compile");
    let out = Command::new(bin())
        .arg("compile")
        .arg(root().join("examples/shop/app.py"))
        .args([
            "-o",
            dir.to_str().unwrap(),
            "--emit",
            "ir",
            "--emit",
            "ir-text",
            "--emit",
            "dot",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ir = std::fs::read(dir.join("app.ir.json")).unwrap();
    let program = ir::Program::from_json(&ir).expect("valid IR");
    assert_eq!(program.entities.len(), 2);
    assert!(std::fs::read_to_string(dir.join("app.ir.txt"))
        .unwrap()
        .contains("call %"));
    assert!(std::fs::read_to_string(dir.join("app.dot"))
        .unwrap()
        .contains("update_stock"));
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("entiflow-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh directory holding `app.py` with `source` and `in.jsonl` with `lines`: the directory
/// and the paths of both files.
fn write_case(
    name: &str,
    source: &str,
    lines: &[&str],
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempdir(name);
    let app = dir.join("app.py");
    std::fs::write(&app, source).unwrap();
    let input = dir.join("in.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    (dir, app, input)
}

#[test]
fn a_dump_shows_what_json_cannot_hold_by_its_repr() {
    let (dir, app, input) = write_case(
        "dump-repr",
        r#"from entiflow import entity


@entity
class Node:
    def __init__(self, name: str):
        self.name = name
        self.by_pair = {}
        self.odd = []

    def __key__(self):
        return self.name

    def fill(self, other: "Node") -> int:
        self.by_pair[(1, "a")] = [other]
        self.by_pair[other] = float("inf")
        self.odd.append(self.odd)
        return len(self.by_pair)
"#,
        &[
            r#"{"id": 1, "create": "Node", "args": ["a"]}"#,
            r#"{"id": 2, "entity": "Node", "key": "a", "method": "fill", "args": [{"$entity": "Node", "key": "a"}]}"#,
        ],
    );
    let state = dir.join("state.json");
    let out = exec(&app, &input, &["--dump-state", state.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let node = &dump["Node"]["a"];
    assert_eq!(
        node["by_pair"],
        serde_json::json!({
            "(1, 'a')": [{"$entity": "Node", "key": "a"}],
            "Ref('Node', 'a')": "inf",
        }),
        "{dump}"
    );
    assert_eq!(node["odd"], serde_json::json!("[[...]]"), "{dump}");
}

#[test]
fn print_writes_to_stderr_and_results_keep_stdout() {
    let (_, app, input) = write_case(
        "print",
        r#"from entiflow import entity


@entity
class Log:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def hello(self, n: int) -> int:
        print("hello", self.name, n, sep="|", end="!\n")
        return n
"#,
        &[
            r#"{"id": 1, "create": "Log", "args": ["a"]}"#,
            r#"{"id": 2, "entity": "Log", "key": "a", "method": "hello", "args": [7]}"#,
        ],
    );
    let out = exec(&app, &input, &[]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"id\":1,\"seq\":1,\"result\":{\"$entity\":\"Log\",\"key\":\"a\"}}\n{\"id\":2,\"seq\":2,\"result\":7}\n"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("hello|a|7!\n"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const SPIN_APP: &str = r#"from entiflow import entity


@entity
class Loop:
    def __init__(self, name: str):
        self.name = name
        self.n = 0

    def __key__(self):
        return self.name

    def spin(self) -> int:
        self.n += 1
        while True:
            try:
                self.n += 1
            except BaseException:
                pass
            finally:
                self.n += 0

    def spin_through(self, other: "Loop") -> int:
        while True:
            other.get()

    def get(self) -> int:
        return self.n
"#;

#[test]
fn a_loop_that_never_ends_fails_its_transaction_and_keeps_nothing() {
    let (_, app, input) = write_case(
        "spin",
        SPIN_APP,
        &[
            r#"{"id": 1, "create": "Loop", "args": ["a"]}"#,
            r#"{"id": 2, "create": "Loop", "args": ["b"]}"#,
            r#"{"id": 3, "entity": "Loop", "key": "a", "method": "spin"}"#,
            r#"{"id": 4, "entity": "Loop", "key": "a", "method": "spin_through", "args": [{"$entity": "Loop", "key": "b"}]}"#,
            r#"{"id": 5, "entity": "Loop", "key": "a", "method": "get"}"#,
        ],
    );
    for workers in ["1", "2"] {
        let out = exec(
            &app,
            &input,
            &["--max-steps", "10000", "--workers", workers],
        );
        assert!(out.status.success());
        let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for spun in &lines[2..4] {
            assert_eq!(spun["error"]["type"], "StepLimitExceeded", "{spun}");
            assert_eq!(
                spun["error"]["message"],
                "the transaction ran more than 10000 steps (a loop that never ends?)"
            );
        }
        // Nothing of the failed transactions stays: `n` is still 0.
        assert_eq!(lines[4]["result"], 0, "workers {workers}: {:?}", lines[4]);
    }
}

#[test]
fn a_durable_exec_remembers_every_id_of_its_input_by_default() {
    let dir = tempdir("dedup-all");
    let app = dir.join("app.py");
    std::fs::write(
        &app,
        SPIN_APP.replace(
            "self.n += 1\n        while True:",
            "self.n += 1\n        return self.n\n        while True:",
        ),
    )
    .unwrap();
    let mut input = String::from("{\"id\": \"c\", \"create\": \"Loop\", \"args\": [\"a\"]}\n");
    for i in 0..300 {
        input.push_str(&format!(
            "{{\"id\": {i}, \"entity\": \"Loop\", \"key\": \"a\", \"method\": \"spin\"}}\n"
        ));
    }
    let input_path = dir.join("in.jsonl");
    std::fs::write(&input_path, input).unwrap();
    let run = |data: &str, extra: &[&str]| {
        let state = dir.join(format!("{data}.json"));
        let data_dir = dir.join(data);
        let mut args = vec![
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--dump-state",
            state.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = exec(&app, &input_path, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dump: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
        dump["Loop"]["a"]["n"].as_i64().unwrap()
    };
    // The same input twice on one data directory: the second run answers from the records.
    assert_eq!(run("all", &[]), 300);
    assert_eq!(run("all", &[]), 300);
    // A window smaller than the input forgets the oldest ids, which then run again, and each
    // of them pushes a newer id out before it is reached: all of them run twice.
    assert_eq!(run("window", &["--dedup-window", "100"]), 300);
    assert_eq!(run("window", &["--dedup-window", "100"]), 600);
}

#[test]
fn a_value_nested_a_hundred_thousand_levels_deep_fails_its_result_but_never_the_process() {
    let dir = tempdir("deep");
    let input = dir.join("in.jsonl");
    let lines = [
        r#"{"id":1,"create":"Deep","args":["d"]}"#,
        r#"{"id":2,"entity":"Deep","key":"d","method":"nest","args":[100000]}"#,
        r#"{"id":3,"entity":"Deep","key":"d","method":"give","args":[]}"#,
        r#"{"id":4,"entity":"Deep","key":"d","method":"text_size","args":[]}"#,
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let app = "tests/conformance/deep_values/app.py";
    let out = exec(app, &input, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(
        lines[2],
        r#"{"id":3,"seq":3,"error":{"type":"RecursionError","message":"maximum recursion depth exceeded while encoding a JSON object"}}"#
    );
    // `repr` and `str` of the list: 100,000 brackets on each side and the innermost `[]`.
    assert_eq!(lines[3], r#"{"id":4,"seq":4,"result":400004}"#);
}

/// The deepest result the contract gives (1001 lists inside one another) can be sent back as an
/// argument; one level more is refused before parsing.
#[test]
fn the_deepest_result_can_be_sent_back_as_an_argument() {
    let dir = tempdir("deepest");
    let app = dir.join("app.py");
    std::fs::write(
        &app,
        "from entiflow import entity\n\n@entity\nclass D:\n    def __init__(self, k: str):\n        self.k = k\n    def __key__(self):\n        return self.k\n    def nest(self, n: int) -> list:\n        x = []\n        for i in range(n):\n            x = [x]\n        return x\n    def depth(self, x: list) -> int:\n        d = 0\n        while x is not None:\n            d += 1\n            x = x[0] if x else None\n        return d\n",
    )
    .unwrap();
    let input = dir.join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\":1,\"create\":\"D\",\"args\":[\"d\"]}\n{\"id\":2,\"entity\":\"D\",\"key\":\"d\",\"method\":\"nest\",\"args\":[1000]}\n",
    )
    .unwrap();
    let out = exec(app.to_str().unwrap(), &input, &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    // Taken as text: serde_json's own reader stops at 128 levels.
    let arg = text
        .lines()
        .nth(1)
        .and_then(|l| l.strip_prefix(r#"{"id":2,"seq":2,"result":"#))
        .and_then(|l| l.strip_suffix('}'))
        .unwrap_or_else(|| panic!("{text}"))
        .to_string();
    assert_eq!(arg.matches('[').count(), 1001);
    let call = |id: u32, arg: &str| {
        format!(r#"{{"id":{id},"entity":"D","key":"d","method":"depth","args":[{arg}]}}"#)
    };
    let lines = [
        r#"{"id":1,"create":"D","args":["d"]}"#.to_string(),
        call(2, &arg),
        call(3, &format!("[{arg}]")),
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = exec(app.to_str().unwrap(), &input, &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    let results: Vec<&str> = text.lines().collect();
    assert_eq!(results[1], r#"{"id":2,"seq":2,"result":1001}"#, "{text}");
    assert!(
        results[2].contains("InvalidRequest") && results[2].contains("nested more than"),
        "{text}"
    );
}

/// A field nested 300,000 levels deep (built in a loop, as CPython allows) is printed,
/// hashed, snapshotted and read back after a restart, and comparing it raises `RecursionError`
/// as in CPython: every walk over a value grows its stack as it needs, so none aborts the
/// process (a crash here would recur on every recovery of the directory).
#[test]
fn a_field_nested_300_000_levels_deep_survives_comparison_snapshot_and_restart() {
    let source = "from entiflow import entity\n\n\n@entity\nclass Nest:\n    def __init__(self, name: str):\n        self.name = name\n        self.keep = []\n\n    def __key__(self):\n        return self.name\n\n    def build(self, n: int) -> int:\n        a = []\n        for _ in range(n):\n            a = [a]\n        self.keep = a\n        return n\n\n    def same_as_built(self, n: int) -> list:\n        b = []\n        for _ in range(n):\n            b = [b]\n        t = ()\n        u = ()\n        for _ in range(n):\n            t = (t,)\n            u = (u,)\n        out = []\n        for probe in range(3):\n            try:\n                if probe == 0:\n                    out.append(self.keep == b)\n                elif probe == 1:\n                    out.append({t: 1}.get(u))\n                else:\n                    out.append(self.keep == self.keep)\n            except RecursionError as e:\n                out.append(str(e))\n        return out + [len(repr(self.keep))]\n";
    for workers in ["1", "2"] {
        let (dir, app, first) = write_case(
            &format!("million-deep-{workers}"),
            source,
            &[
                r#"{"id": 1, "create": "Nest", "args": ["a"]}"#,
                r#"{"id": 2, "entity": "Nest", "key": "a", "method": "build", "args": [300000]}"#,
            ],
        );
        let data = dir.join("data");
        let data_arg = data.to_str().unwrap();
        let out = exec(
            &app,
            &first,
            &["--data-dir", data_arg, "--workers", workers],
        );
        assert!(
            out.status.success(),
            "workers {workers}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let second = dir.join("second.jsonl");
        std::fs::write(
            &second,
            r#"{"id": 3, "entity": "Nest", "key": "a", "method": "same_as_built", "args": [300000]}"#,
        )
        .unwrap();
        let out = exec(
            &app,
            &second,
            &["--data-dir", data_arg, "--workers", workers],
        );
        assert!(
            out.status.success(),
            "workers {workers}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            r#"{"id":3,"seq":3,"result":["maximum recursion depth exceeded in comparison","maximum recursion depth exceeded in comparison",true,600002]}"#,
            "workers {workers}"
        );
    }
}

/// A repeated id is answered from the recorded result only when the repeat is a valid request:
/// one whose arguments hold a reference to an unknown entity type (or a key that is no key) is
/// an `InvalidRequest`, on the serial and the parallel engine alike.
#[test]
fn a_repeated_id_with_invalid_arguments_is_invalid_not_a_repeat() {
    let (_dir, app, input) = write_case(
        "repeated-invalid",
        "from entiflow import entity\n\n\n@entity\nclass Box:\n    def __init__(self, name: str):\n        self.name = name\n        self.looks = 0\n\n    def __key__(self):\n        return self.name\n\n    def look(self, other: \"Box\") -> int:\n        self.looks += 1\n        return self.looks\n",
        &[
            r#"{"id": 1, "create": "Box", "args": ["b"]}"#,
            r#"{"id": 2, "entity": "Box", "key": "b", "method": "look", "args": [{"$entity": "Box", "key": "b"}]}"#,
            r#"{"id": 2, "entity": "Box", "key": "b", "method": "look", "args": [{"$entity": "Zed", "key": "b"}]}"#,
            r#"{"id": 2, "entity": "Box", "key": "b", "method": "look", "args": [{"$entity": "Box", "key": 1.5}]}"#,
            r#"{"id": 1, "create": "Box", "args": [{"$entity": "Nope", "key": "x"}]}"#,
            r#"{"id": 2, "entity": "Box", "key": "b", "method": "look", "args": [{"$entity": "Box", "key": "b"}]}"#,
        ],
    );
    for workers in ["1", "2"] {
        let out = exec(&app, &input, &["--workers", workers]);
        assert!(out.status.success(), "workers {workers}");
        let results: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let kinds: Vec<&str> = results
            .iter()
            .map(|r| r["error"]["type"].as_str().unwrap_or("ok"))
            .collect();
        assert_eq!(
            kinds,
            [
                "ok",
                "ok",
                "InvalidRequest",
                "InvalidRequest",
                "InvalidRequest",
                "ok"
            ],
            "workers {workers}"
        );
        // The last line is a valid repeat: the recorded result, not a second look.
        assert_eq!(results[5], results[1], "workers {workers}");
        assert_eq!(results[1]["result"], 1);
    }
}

#[test]
fn a_dump_path_that_cannot_be_written_is_refused_before_anything_runs() {
    let dir = tempdir("dump-path");
    let data = dir.join("data");
    let run = |dump: &std::path::Path| {
        exec(
            "examples/shop/app.py",
            &root().join("examples/shop/invocations.jsonl"),
            &[
                "--data-dir",
                data.to_str().unwrap(),
                "--dump-state",
                dump.to_str().unwrap(),
            ],
        )
    };
    let out = run(&dir.join("missing-dir").join("state.json"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(out.stdout.is_empty(), "no invocation ran");
    assert!(!data.exists(), "the data directory was not touched");
    // A writable path: the run ends with a clean shutdown (a snapshot, no log to replay) and
    // the dump.
    let state = dir.join("state.json");
    let out = run(&state);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.join("snapshot.json").exists());
    let dump: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert!(dump["Item"].is_object());
}

#[test]
fn settings_out_of_range_are_refused_before_anything_runs() {
    let input = std::env::temp_dir().join(format!("entiflow-range-{}.jsonl", std::process::id()));
    std::fs::write(&input, r#"{"id":1,"create":"Account","args":["a",1]}"#).unwrap();
    for (flag, value) in [
        ("--max-steps", "0"),
        ("--workers", "0"),
        ("--workers", "1025"),
    ] {
        let out = exec("tests/apps/transfer.py", &input, &[flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
        assert!(out.stdout.is_empty(), "{flag} {value} ran something");
    }
    let _ = std::fs::remove_file(&input);
}

/// A restart recovers each set's table as it was (its slots, dummies and `pop`'s position, and
/// the size a table taken again from its members starts from), so that the rest of the input
/// runs exactly as in one uninterrupted run, also after a rolled-back transaction changed a set.
#[test]
fn a_restart_keeps_every_set_iterating_as_the_uninterrupted_run() {
    let source = "from entiflow import entity\n\n\n@entity\nclass S:\n    def __init__(self, name: str):\n        self.name = name\n        self.s = set()\n\n    def __key__(self):\n        return self.name\n\n    def grow(self, a: int, n: int, step: int) -> str:\n        for i in range(n):\n            self.s.add(a + i * step)\n        self.s = self.s.copy()\n        return str(self.s)\n\n    def churn(self, xs: list) -> str:\n        for x in xs:\n            self.s.discard(x)\n        self.s.pop()\n        return str(self.s)\n\n    def boom(self, n: int) -> str:\n        for x in list(self.s)[:n]:\n            self.s.discard(x)\n        raise ValueError(\"no\")\n\n    def pop_two(self) -> list:\n        return [self.s.pop(), self.s.pop(), str(self.s)]\n";
    let lines = [
        r#"{"id": 1, "create": "S", "args": ["k"]}"#,
        r#"{"id": 2, "entity": "S", "key": "k", "method": "grow", "args": [1, 9, 32]}"#,
        r#"{"id": 3, "entity": "S", "key": "k", "method": "churn", "args": [[33, 97, 7]]}"#,
        r#"{"id": 4, "entity": "S", "key": "k", "method": "boom", "args": [2]}"#,
        r#"{"id": 5, "entity": "S", "key": "k", "method": "pop_two", "args": []}"#,
        r#"{"id": 6, "entity": "S", "key": "k", "method": "grow", "args": [2, 5, 8]}"#,
        r#"{"id": 7, "entity": "S", "key": "k", "method": "pop_two", "args": []}"#,
    ];
    let (dir, app, whole) = write_case("set-tables-restart", source, &lines);
    let uninterrupted = exec(&app, &whole, &[]);
    assert!(uninterrupted.status.success());
    for stop in 2..lines.len() {
        let part = dir.join(format!("part-{stop}.jsonl"));
        std::fs::write(&part, lines[..stop].join("\n") + "\n").unwrap();
        let data = dir.join(format!("data-{stop}"));
        let data_arg = data.to_str().unwrap();
        let first = exec(&app, &part, &["--data-dir", data_arg]);
        assert!(first.status.success());
        let resumed = exec(&app, &whole, &["--data-dir", data_arg]);
        assert!(resumed.status.success());
        assert_eq!(
            String::from_utf8_lossy(&resumed.stdout),
            String::from_utf8_lossy(&uninterrupted.stdout),
            "stopped after {stop} lines"
        );
    }
}
