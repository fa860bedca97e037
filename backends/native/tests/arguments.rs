//! The parallel coordinator only checks a call's JSON arguments (`check_json_args`) and leaves
//! decoding them to the partition (`json_args`): both must accept and refuse the same arguments,
//! with the same message, and the references the check reports must be the decoded ones.

use proptest::prelude::*;
use runtime_common::contract::{check_json_args, json_args, RefKey};
use runtime_common::Value;
use serde_json::{json, Value as Json};

fn program() -> ir::Program {
    let path = "tests/apps/transfer.py";
    let source = std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("app");
    frontend_python::compile(&source, path).expect("compiles")
}

fn leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        (i64::MAX as u64 + 1..=u64::MAX).prop_map(|u| json!(u)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-z]{0,4}".prop_map(Json::String),
        // References: known and unknown types, str, int and bad keys, extra members.
        (
            "Account|Nope|",
            prop_oneof![
                "[a-z0-9]{0,3}".prop_map(Json::String),
                any::<i64>().prop_map(|i| json!(i)),
                Just(json!(1.5)),
                Just(Json::Null),
            ],
            any::<bool>()
        )
            .prop_map(|(entity, key, extra)| {
                let mut r = json!({"$entity": entity, "key": key});
                if extra {
                    r["other"] = json!(1);
                }
                r
            }),
        Just(json!({"$entity": "Account"})),
    ]
}

fn argument() -> impl Strategy<Value = Json> {
    leaf().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec(("[a-z$]{1,7}", inner), 0..4)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// Every reference a decoded value holds, in the order a walk meets them.
fn refs(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Ref(r) => out.push((r.entity.to_string(), r.key_text())),
        Value::List(items) => items.borrow().iter().for_each(|v| refs(v, out)),
        Value::Dict(map) => map.borrow().values().for_each(|v| refs(v, out)),
        _ => {}
    }
}

proptest! {
    #[test]
    fn checking_arguments_agrees_with_decoding_them(
        args in prop::collection::vec(argument(), 0..3),
        kwargs in prop::collection::vec(("[a-z]{1,3}", argument()), 0..2),
    ) {
        let program = program();
        let mut seen = Vec::new();
        let mut on_ref = |entity: &str, key: RefKey<'_>| {
            let key = match key {
                RefKey::Str(s) => s.to_string(),
                RefKey::Int(i) => i.to_string(),
            };
            seen.push((entity.to_string(), key));
        };
        let checked = check_json_args(&args, &kwargs, &program, &mut on_ref);
        match json_args(&args, &kwargs, &program) {
            Ok((values, named)) => {
                prop_assert_eq!(checked, Ok(()));
                let mut decoded = Vec::new();
                values.iter().chain(named.iter().map(|(_, v)| v)).for_each(|v| refs(v, &mut decoded));
                prop_assert_eq!(seen, decoded);
            }
            Err(message) => prop_assert_eq!(checked, Err(message)),
        }
    }
}
