//! Arbitrary bytes through the whole front end: it must never panic, and whatever it accepts
//! must validate and round-trip through the IR's JSON form.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(program) = frontend_python::compile(text, "fuzz.py") {
        assert!(program.validate().is_ok());
        let back = ir::Program::from_json(program.to_json().as_bytes()).expect("round trip");
        assert_eq!(back, program);
    }
});
