//! Property tests: programs built from the supported constructs always compile to IR that
//! validates and round-trips; arbitrary text never makes the compiler panic.

use proptest::prelude::*;

const HEADER: &str = "from entiflow import entity\n\n\n@entity\nclass Peer:\n    def __init__(self, k: str):\n        self.k = k\n        self.n = 0\n\n    def __key__(self):\n        return self.k\n\n    def bump(self, x: int) -> int:\n        self.n += x\n        return self.n\n\n\n@entity\nclass Node:\n    def __init__(self, k: str, peer: Peer):\n        self.k = k\n        self.peer = peer\n        self.total = 0\n        self.log: list = []\n\n    def __key__(self):\n        return self.k\n\n    def run(self, a: int, b: int) -> int:\n        x = a\n        y = b\n";

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        Just("self.total".to_string()),
        Just("self.peer.bump(1)".to_string()),
        Just("self.peer.n".to_string()),
        (0i64..100).prop_map(|n| n.to_string()),
        Just("len(self.log)".to_string()),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop_oneof![Just("+"), Just("-"), Just("*"), Just("//"), Just("%")],
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("({a} if {a} > {b} else {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            inner
                .clone()
                .prop_map(|a| format!("sum([{a} for _ in range(2)])")),
            inner.clone().prop_map(|a| format!("self.peer.bump({a})")),
        ]
    })
}

fn stmts(depth: u32) -> BoxedStrategy<Vec<String>> {
    let simple = prop_oneof![
        expr().prop_map(|e| format!("x = {e}")),
        expr().prop_map(|e| format!("y += {e}")),
        expr().prop_map(|e| format!("self.total = {e}")),
        expr().prop_map(|e| format!("self.log.append({e})")),
        Just("pass".to_string()),
    ];
    if depth == 0 {
        return prop::collection::vec(simple.prop_map(|s| vec![s]), 1..4)
            .prop_map(|v| v.concat())
            .boxed();
    }
    let nested = prop_oneof![
        simple.clone().prop_map(|s| vec![s]),
        (expr(), stmts(depth - 1), stmts(depth - 1)).prop_map(|(c, a, b)| {
            let mut out = vec![format!("if {c} > 3:")];
            out.extend(a.into_iter().map(|s| format!("    {s}")));
            out.push("else:".into());
            out.extend(b.into_iter().map(|s| format!("    {s}")));
            out
        }),
        (expr(), stmts(depth - 1)).prop_map(|(c, a)| {
            let mut out = vec![format!("for i in range({c} % 3):")];
            out.extend(a.into_iter().map(|s| format!("    {s}")));
            out.push("    if i > 1:".into());
            out.push("        break".into());
            out
        }),
        (expr(), stmts(depth - 1)).prop_map(|(c, a)| {
            let mut out = vec!["n = 0".to_string(), format!("while n < 2 and {c} != 7:")];
            out.push("    n += 1".into());
            out.extend(a.into_iter().map(|s| format!("    {s}")));
            out
        }),
        (stmts(depth - 1), stmts(depth - 1)).prop_map(|(a, b)| {
            let mut out = vec!["try:".to_string()];
            out.extend(a.into_iter().map(|s| format!("    {s}")));
            out.push("except ValueError as err:".into());
            out.extend(b.into_iter().map(|s| format!("    {s}")));
            out.push("finally:".into());
            out.push("    self.log.append(0)".into());
            out
        }),
    ];
    prop::collection::vec(nested, 1..4)
        .prop_map(|v| v.concat())
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn generated_programs_compile_and_validate(body in stmts(2), ret in expr()) {
        let mut source = HEADER.to_string();
        for line in &body {
            source.push_str("        ");
            source.push_str(line);
            source.push('\n');
        }
        source.push_str(&format!("        return {ret}\n"));
        let program = match frontend_python::compile(&source, "gen.py") {
            Ok(p) => p,
            Err(d) => return Err(TestCaseError::fail(format!("{}\n{source}", frontend_python::render_all(&d, "gen.py", &source, false)))),
        };
        prop_assert!(program.validate().is_ok());
        let back = ir::Program::from_json(program.to_json().as_bytes()).expect("round trip");
        prop_assert_eq!(back, program);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = frontend_python::compile(&text, "any.py");
    }

    #[test]
    fn mutated_programs_never_panic(cut in 0usize..600, insert in "[ :()\\[\\]a-z=+\\n.,\"']{0,6}") {
        let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ok/references.py")).expect("fixture");
        let mut at = cut.min(source.len());
        while !source.is_char_boundary(at) {
            at -= 1;
        }
        let mutated = format!("{}{}{}", &source[..at], insert, &source[at..]);
        let _ = frontend_python::compile(&mutated, "mutated.py");
    }
}
