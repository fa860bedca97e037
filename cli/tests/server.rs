//! `entiflow run` end to end: the HTTP API, and a kill -9 crash drill with `--data-dir`.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use support::{bin, root, transfer_workload, Server};

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build()
}

fn post(agent: &ureq::Agent, url: &str, body: &str) -> Result<(u16, Value), String> {
    match agent
        .post(url)
        .set("content-type", "application/json")
        .send_string(body)
    {
        Ok(r) => Ok((r.status(), r.into_json().map_err(|e| e.to_string())?)),
        Err(ureq::Error::Status(code, r)) => Ok((code, r.into_json().unwrap_or(Value::Null))),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn http_api_serves_invocations_batches_state_and_metrics() {
    let server = Server::start(&root().join("examples/shop/app.py"), &[]);
    let a = agent();
    let (code, r) = post(
        &a,
        &format!("{}/v1/invoke", server.url),
        r#"{"id": 1, "create": "Item", "args": ["apple", 5]}"#,
    )
    .unwrap();
    assert_eq!(
        (code, r.clone()),
        (
            200,
            json!({"id": 1, "seq": 1, "result": {"$entity": "Item", "key": "apple"}})
        )
    );
    let (code, r) = post(
        &a,
        &format!("{}/v1/invoke", server.url),
        r#"{"id": 2, "create": "Item""#,
    )
    .unwrap();
    assert_eq!(code, 400);
    assert_eq!(r["error"]["type"], "InvalidRequest");
    let batch = r#"[{"id": 3, "create": "User", "args": ["alice"]},
                    {"id": 4, "entity": "Item", "key": "apple", "method": "update_stock", "args": [10]},
                    {"id": 5, "entity": "User", "key": "alice", "method": "buy_item", "args": [3, {"$entity": "Item", "key": "apple"}]},
                    {"id": 6, "entity": "User", "key": "alice", "method": "buy_item", "args": [30, {"$entity": "Item", "key": "apple"}]}]"#;
    let (code, r) = post(&a, &format!("{}/v1/batch", server.url), batch).unwrap();
    assert_eq!(code, 200);
    assert_eq!(r[2], json!({"id": 5, "seq": 4, "result": true}));
    assert_eq!(
        r[3]["error"],
        json!({"type": "ValueError", "message": "insufficient balance"})
    );
    let jsonl = "{\"id\": 7, \"entity\": \"Item\", \"key\": \"apple\", \"method\": \"update_stock\", \"args\": [-1]}\n\n{\"id\": 8, \"entity\": \"Item\", \"key\": \"pear\", \"method\": \"update_stock\", \"args\": [1]}\n";
    let (_, r) = post(&a, &format!("{}/v1/batch", server.url), jsonl).unwrap();
    assert_eq!(r.as_array().unwrap().len(), 2);
    assert_eq!(r[1]["error"]["type"], "EntityNotFound");
    // A line that is not UTF-8 is answered as invalid; the other lines run.
    let mut bytes = br#"{"id": 71, "create": "Item", "args": ["k"#.to_vec();
    bytes.extend_from_slice(b"\xff\", 1]}\n");
    bytes.extend_from_slice(br#"{"id": 72, "create": "Item", "args": ["plum", 2]}"#);
    let r: Value = a
        .post(&format!("{}/v1/batch", server.url))
        .send_bytes(&bytes)
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(r[0]["error"]["type"], "InvalidRequest", "{r}");
    assert_eq!(
        r[1]["result"],
        json!({"$entity": "Item", "key": "plum"}),
        "{r}"
    );
    // An empty batch (an empty array or no lines) has nothing to answer.
    for empty in ["[]", "", "\n"] {
        let (code, r) = post(&a, &format!("{}/v1/batch", server.url), empty).unwrap();
        assert_eq!((code, r), (200, json!([])), "batch {empty:?}");
    }
    let item: Value = a
        .get(&format!("{}/v1/entities/Item/apple", server.url))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(item, json!({"item_id": "apple", "price": 5, "stock": 6}));
    match a
        .get(&format!("{}/v1/entities/Item/pear", server.url))
        .call()
    {
        Err(ureq::Error::Status(404, _)) => {}
        other => panic!("expected 404, got {other:?}"),
    }
    // Errors of the HTTP layer are JSON too, and leave the connection usable.
    let error_of = |r: Result<ureq::Response, ureq::Error>| match r {
        Err(ureq::Error::Status(code, r)) => {
            (code, r.into_json::<Value>().unwrap()["error"].clone())
        }
        other => panic!("expected an error status, got {other:?}"),
    };
    let (code, error) = error_of(a.get(&format!("{}/v1/entities/Nope/x", server.url)).call());
    assert_eq!(code, 404);
    assert_eq!(error["message"], "unknown entity type 'Nope'");
    let (code, error) = error_of(
        a.post(&format!("{}/v1/nothing", server.url))
            .send_string("{}"),
    );
    assert_eq!((code, error["type"].as_str()), (404, Some("NotFound")));
    let (code, error) = error_of(
        a.put(&format!("{}/v1/invoke", server.url))
            .send_string("{}"),
    );
    assert_eq!(
        (code, error["type"].as_str()),
        (405, Some("MethodNotAllowed"))
    );
    // A path part that is not UTF-8 once decoded.
    let (code, error) = error_of(
        a.get(&format!("{}/v1/entities/Item/%FF", server.url))
            .call(),
    );
    assert_eq!(
        (code, error["type"].as_str()),
        (400, Some("InvalidRequest"))
    );
    // A JSONL parse error names the line of the body.
    let (_, r) = post(
        &a,
        &format!("{}/v1/batch", server.url),
        "\n\n{\"id\": 82 \"create\": 1}\n",
    )
    .unwrap();
    assert!(
        r[0]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at line 3 column")),
        "{r}"
    );
    assert_eq!(
        a.get(&format!("{}/healthz", server.url))
            .call()
            .unwrap()
            .status(),
        200
    );
    let metrics = a
        .get(&format!("{}/metrics", server.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(
        metrics.contains("entiflow_transactions_committed_total 6"),
        "{metrics}"
    );
    assert!(
        metrics.contains("entiflow_request_latency_seconds_bucket"),
        "{metrics}"
    );
    // The epoch size histogram: every epoch in the last bucket and the count, every
    // invocation in the sum.
    let value = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {metrics}"))
    };
    let epochs = value("entiflow_epoch_size_count ");
    assert!(epochs > 0);
    assert_eq!(value("entiflow_epoch_size_bucket{le=\"+Inf\"} "), epochs);
    assert!(value("entiflow_epoch_size_sum ") >= 6, "{metrics}");
    // A retried id returns the recorded result and runs nothing.
    let (_, again) = post(
        &a,
        &format!("{}/v1/invoke", server.url),
        r#"{"id": 7, "entity": "Item", "key": "apple", "method": "update_stock", "args": [-1]}"#,
    )
    .unwrap();
    assert_eq!(again["seq"], 6);
    let item: Value = a
        .get(&format!("{}/v1/entities/Item/apple", server.url))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(item["stock"], 6);
    // In an array too, one item too deep (or malformed) is that item's error alone; a line of
    // Unicode whitespace is blank.
    let deep = format!(
        r#"[{{"id": 73, "create": "Item", "args": ["fig", 1]}}, {{"id": 74, "create": "Item", "args": [{}{}]}}, 5, {{"id": 75, "create": "Item", "args": ["kiwi", 1]}}]"#,
        "[".repeat(1100),
        "]".repeat(1100)
    );
    let (code, r) = post(&a, &format!("{}/v1/batch", server.url), &deep).unwrap();
    assert_eq!(code, 200, "{r}");
    let kinds: Vec<&Value> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|x| &x["error"]["type"])
        .collect();
    assert_eq!(
        kinds,
        [
            &Value::Null,
            &json!("InvalidRequest"),
            &json!("InvalidRequest"),
            &Value::Null
        ],
        "{r}"
    );
    assert_eq!(r[3]["result"], json!({"$entity": "Item", "key": "kiwi"}));
    let jsonl = "\u{a0}\n{\"id\": 76, \"create\": \"Item\", \"args\": [\"lime\", 1]}\n\u{3000}\n";
    let (_, r) = post(&a, &format!("{}/v1/batch", server.url), jsonl).unwrap();
    assert_eq!(r.as_array().map(Vec::len), Some(1), "{r}");
}

#[test]
fn kill_9_loses_no_acknowledged_transaction_and_applies_none_twice() {
    crash_drill(&[], "serial");
}

#[test]
fn kill_9_drill_with_parallel_epochs() {
    crash_drill(&["--workers", "2"], "parallel");
}

fn crash_drill(extra: &[&str], name: &str) {
    let dir = std::env::temp_dir().join(format!("entiflow-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let app = root().join("tests/apps/transfer.py");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_string();
    let invocations = transfer_workload(10, 3000, 3);
    let mut args = vec!["--data-dir", data_arg.as_str(), "--snapshot-every", "50"];
    args.extend_from_slice(extra);
    let server = Server::start(&app, &args);
    let url = server.url.clone();
    let acked: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let (url, acked, mine) = (
                url.clone(),
                acked.clone(),
                invocations
                    .iter()
                    .skip(c)
                    .step_by(4)
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            std::thread::spawn(move || {
                let a = agent();
                for inv in mine {
                    match post(&a, &format!("{url}/v1/invoke"), &inv) {
                        Ok((200, r)) => {
                            acked
                                .lock()
                                .unwrap()
                                .insert(r["id"].as_str().unwrap().to_string(), r);
                        }
                        _ => return,
                    }
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 1200 {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill9();
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 1200 && acked.len() < invocations.len(),
        "the crash hit mid-load ({} acked)",
        acked.len()
    );

    let mut args = vec!["--data-dir", data_arg.as_str()];
    args.extend_from_slice(extra);
    let server = Server::start(&app, &args);
    let a = agent();
    let body = format!("[{}]", invocations.join(","));
    let (code, results) = post(&a, &format!("{}/v1/batch", server.url), &body).unwrap();
    assert_eq!(code, 200);
    let results = results.as_array().unwrap().clone();
    assert_eq!(
        results.len(),
        invocations.len(),
        "every invocation is answered"
    );
    for r in &results {
        if let Some(before) = acked.get(r["id"].as_str().unwrap()) {
            assert_eq!(r, before, "an acknowledged result changed after recovery");
        }
    }
    let mut seqs: Vec<u64> = results
        .iter()
        .map(|r| r["seq"].as_u64().expect("every result has a seq"))
        .collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=invocations.len() as u64).collect::<Vec<_>>(),
        "each invocation ran exactly once"
    );

    // The recovered state equals a serial replay in seq order.
    let mut ordered: Vec<(u64, &String)> = results
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .zip(invocations.iter())
        .collect();
    ordered.sort();
    let replay_input = dir.join("replay.jsonl");
    std::fs::write(
        &replay_input,
        ordered
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let replay_state = dir.join("replay.json");
    let out = std::process::Command::new(bin())
        .arg("exec")
        .arg(&app)
        .arg("--input")
        .arg(&replay_input)
        .arg("--dump-state")
        .arg(&replay_state)
        .output()
        .unwrap();
    let replayed: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_id: HashMap<&str, &Value> = results
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    for r in &replayed {
        let live = by_id[r["id"].as_str().unwrap()];
        assert_eq!(r.get("result"), live.get("result"));
        assert_eq!(r.get("error"), live.get("error"));
    }
    let expected: Value = serde_json::from_slice(&std::fs::read(&replay_state).unwrap()).unwrap();
    let mut total = 0;
    for (key, fields) in expected["Account"].as_object().unwrap() {
        let live: Value = a
            .get(&format!("{}/v1/entities/Account/{key}", server.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(&live, fields, "account {key}");
        total += live["balance"].as_i64().unwrap();
    }
    assert_eq!(total, 1000, "money is conserved");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigterm_stops_gracefully_and_keeps_everything_acknowledged() {
    let dir = std::env::temp_dir().join(format!("entiflow-sigterm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_string();
    let app = root().join("examples/shop/app.py");
    let mut server = Server::start(&app, &["--data-dir", &data_arg]);
    let a = agent();
    let (code, _) = post(
        &a,
        &format!("{}/v1/invoke", server.url),
        r#"{"id": 1, "create": "Item", "args": ["apple", 5]}"#,
    )
    .unwrap();
    assert_eq!(code, 200);
    let (_, r) = post(
        &a,
        &format!("{}/v1/invoke", server.url),
        r#"{"id": 2, "entity": "Item", "key": "apple", "method": "update_stock", "args": [7]}"#,
    )
    .unwrap();
    assert_eq!(r["result"], true);
    // A client that sent half a request and went quiet must not hold the shutdown up for ever.
    let mut stalled =
        std::net::TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
    std::io::Write::write_all(
        &mut stalled,
        b"POST /v1/invoke HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"id\"",
    )
    .unwrap();
    // SAFETY: sending a signal to our own child process.
    let rc = unsafe { libc::kill(server.child.id() as i32, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not stop: a stalled connection holds the shutdown"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    drop(stalled);
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    assert!(
        data.join("snapshot.json").exists(),
        "a final snapshot is written"
    );
    let server = Server::start(&app, &["--data-dir", &data_arg]);
    let item: Value = agent()
        .get(&format!("{}/v1/entities/Item/apple", server.url))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(item["stock"], 7);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_oversized_body_is_refused_from_its_headers_and_health_answers_while_the_engine_is_busy() {
    let dir = std::env::temp_dir().join(format!("entiflow-busy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let app = dir.join("app.py");
    std::fs::write(
        &app,
        "from entiflow import entity\n\n\n@entity\nclass Loop:\n    def __init__(self, name: str):\n        self.name = name\n\n    def __key__(self):\n        return self.name\n\n    def spin(self) -> int:\n        while True:\n            pass\n",
    )
    .unwrap();
    // A step limit of some seconds of work keeps the engine busy while health is asked.
    let server = Server::start(&app, &["--max-steps", "100000000"]);
    let address = server.url.trim_start_matches("http://").to_string();
    // The headers announce more than the limit and no body follows: refused at once.
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    use std::io::{Read, Write};
    write!(
        stream,
        "POST /v1/invoke HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .expect("an answer before any body");
    assert_eq!(&head, b"HTTP/1.1 413");
    let a = agent();
    post(
        &a,
        &format!("{}/v1/invoke", server.url),
        r#"{"id": 1, "create": "Loop", "args": ["a"]}"#,
    )
    .unwrap();
    let url = server.url.clone();
    let spinning = std::thread::spawn(move || {
        let long = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(120))
            .build();
        post(
            &long,
            &format!("{url}/v1/invoke"),
            r#"{"id": 2, "entity": "Loop", "key": "a", "method": "spin"}"#,
        )
    });
    std::thread::sleep(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let health = a.get(&format!("{}/healthz", server.url)).call();
    assert!(started.elapsed() < Duration::from_secs(5));
    match health {
        Err(ureq::Error::Status(code, _)) => assert_eq!(code, 503),
        other => panic!("health while busy: {:?}", other.map(|r| r.status())),
    }
    let (code, r) = spinning.join().unwrap().unwrap();
    assert_eq!(
        (code, r["error"]["type"].clone()),
        (200, json!("StepLimitExceeded"))
    );
    let ok = a.get(&format!("{}/healthz", server.url)).call().unwrap();
    assert_eq!(ok.status(), 200);
}
