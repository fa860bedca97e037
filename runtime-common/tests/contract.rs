//! The client-facing JSON helpers of `contract`: properties over generated documents.

use proptest::prelude::*;
use runtime_common::contract::{is_blank_line, json_array_items};
use serde_json::Value as Json;

/// JSON values with strings full of brackets, commas, quotes and escapes.
fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        "[\\[\\]{},\"\\\\a é]{0,8}".prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map("[a-z,\\]\"]{0,3}", inner, 0..3)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// Split without parsing, the items of any array read back as the array's elements,
    /// however the array is spaced.
    #[test]
    fn array_items_are_the_elements(items in prop::collection::vec(json_value(), 0..6), pretty in any::<bool>()) {
        let array = Json::Array(items.clone());
        let text = if pretty {
            serde_json::to_string_pretty(&array).unwrap()
        } else {
            array.to_string()
        };
        let split = json_array_items(text.as_bytes()).expect("an array");
        let back: Vec<Json> = split
            .iter()
            .map(|item| serde_json::from_slice(item).expect("an item is JSON"))
            .collect();
        prop_assert_eq!(back, items);
    }
}

#[test]
fn a_malformed_array_is_refused_and_a_malformed_item_left_to_its_reader() {
    for bad in [
        "", "{}", "[1,,2]", "[1,]", "[,1]", "[1, 2", "[[1]", "[1] 2", "[}]", "[\"]",
    ] {
        assert!(json_array_items(bad.as_bytes()).is_err(), "{bad:?}");
    }
    let deep = format!("[1, {}{}, 3]", "[".repeat(5000), "]".repeat(5000));
    let items = json_array_items(deep.as_bytes()).expect("split");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0], b"1");
    assert_eq!(items[2], b"3");
    let items = json_array_items(b" [ ] ").expect("empty");
    assert!(items.is_empty());
    assert_eq!(
        json_array_items(b"[1 2, {x}]").unwrap(),
        vec![&b"1 2"[..], b"{x}"]
    );
}

#[test]
fn blank_lines_are_what_python_strips() {
    for blank in [
        "",
        " \t\r\n",
        "\u{a0}",
        "\u{3000}",
        "\u{b}\u{c}",
        "\u{1c}\u{1f}",
        "\u{85}\u{2028}",
    ] {
        assert!(is_blank_line(blank.as_bytes()), "{blank:?}");
    }
    for not_blank in ["{}", " x ", "\u{200b}"] {
        assert!(!is_blank_line(not_blank.as_bytes()), "{not_blank:?}");
    }
    assert!(!is_blank_line(b"\xff"));
}
