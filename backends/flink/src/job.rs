//! Building the job jar: the generic Java job (this crate's `java/` sources, compiled against the
//! Flink distribution), the Kafka connector, this very library (the interpreter, loaded by the
//! operators through JNI) and the program's IR, in one self-contained jar.

use std::path::{Path, PathBuf};
use std::process::Command;

use ir::Program;

/// The job's main class.
pub const ENTRY_CLASS: &str = "entiflow.flink.EntiflowJob";

/// The Java sources of the job, by file name.
const SOURCES: &[(&str, &str)] = &[
    (
        "EntiflowJob.java",
        include_str!("../java/entiflow/flink/EntiflowJob.java"),
    ),
    (
        "IngressRouter.java",
        include_str!("../java/entiflow/flink/IngressRouter.java"),
    ),
    (
        "InRecord.java",
        include_str!("../java/entiflow/flink/InRecord.java"),
    ),
    (
        "JobSettings.java",
        include_str!("../java/entiflow/flink/JobSettings.java"),
    ),
    (
        "Native.java",
        include_str!("../java/entiflow/flink/Native.java"),
    ),
    (
        "OutRecord.java",
        include_str!("../java/entiflow/flink/OutRecord.java"),
    ),
    (
        "PartitionFunction.java",
        include_str!("../java/entiflow/flink/PartitionFunction.java"),
    ),
    (
        "QuietCloseSink.java",
        include_str!("../java/entiflow/flink/QuietCloseSink.java"),
    ),
];

/// The jar directory of the program's IR and the native library (read by `JobSettings.java` and
/// `Native.java`).
const RESOURCE_DIR: &str = "entiflow-job";

/// The native library's name in the jar.
const LIBRARY_NAME: &str = "libentiflow_flink.so";

/// The connector jars the job bundles, looked for in the connector directory.
const CONNECTOR_JARS: &[&str] = &["flink-connector-kafka.jar", "kafka-clients.jar"];

/// What building a job needs.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The Flink distribution (its `lib/` jars are the compile class path).
    pub flink_home: PathBuf,
    /// The directory with the connector jars.
    pub connector_dir: PathBuf,
}

impl Toolchain {
    /// Checks that the directories hold what a build needs.
    pub fn new(
        flink_home: Option<PathBuf>,
        connector_dir: Option<PathBuf>,
    ) -> Result<Toolchain, String> {
        let flink_home = flink_home.ok_or(
            "building a Flink job needs the Flink distribution: set FLINK_HOME or the 'flink_home' \
             setting (`scripts/services.sh flink-home` prints the one it installs)",
        )?;
        let connector_dir = connector_dir.ok_or(
            "building a Flink job needs the Kafka connector jars: set ENTIFLOW_FLINK_CONNECTOR or \
             the 'flink_connector' setting (`scripts/services.sh flink-connector` prints the directory)",
        )?;
        if !flink_home.join("lib").is_dir() {
            return Err(format!(
                "{} has no lib/ directory: not a Flink distribution",
                flink_home.display()
            ));
        }
        for jar in CONNECTOR_JARS {
            if !connector_dir.join(jar).is_file() {
                return Err(format!("{} has no {jar}", connector_dir.display()));
            }
        }
        Ok(Toolchain {
            flink_home,
            connector_dir,
        })
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {what} ({:?}): {e}", command.get_program()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The file of this library (the one the JVM must load), found from one of its own symbols.
pub fn own_library() -> Result<PathBuf, String> {
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    let symbol = own_library as *const libc::c_void;
    // SAFETY: dladdr only reads the address and fills `info`.
    let found = unsafe { libc::dladdr(symbol, &mut info) };
    if found == 0 || info.dli_fname.is_null() {
        return Err("cannot find the entiflow Flink library's own file".into());
    }
    // SAFETY: dladdr gave a NUL-terminated path that lives as long as the library.
    let name = unsafe { std::ffi::CStr::from_ptr(info.dli_fname) };
    let path = PathBuf::from(name.to_string_lossy().into_owned());
    if path.extension().and_then(|e| e.to_str()) != Some(std::env::consts::DLL_EXTENSION) {
        return Err(format!(
            "{} is not the entiflow Flink plugin library (a job needs the plugin build)",
            path.display()
        ));
    }
    Ok(path)
}

/// The compiled job classes and the unpacked connector, built once per job source and
/// toolchain under `cache` (a directory of its own per version): the part of a job jar that does
/// not depend on the program.
pub fn job_classes(toolchain: &Toolchain, cache: &Path) -> Result<PathBuf, String> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (name, text) in SOURCES {
        feed(name.as_bytes());
        feed(text.as_bytes());
    }
    feed(toolchain.flink_home.to_string_lossy().as_bytes());
    feed(toolchain.connector_dir.to_string_lossy().as_bytes());
    let classes = cache.join(format!("classes-{hash:016x}"));
    if classes
        .join("entiflow")
        .join("flink")
        .join("EntiflowJob.class")
        .is_file()
    {
        return Ok(classes);
    }
    let io =
        |what: &str, p: &Path, e: std::io::Error| format!("cannot {what} {}: {e}", p.display());
    // Built aside and renamed into place, so a concurrent or interrupted build never leaves a
    // half-filled cache entry.
    let work = cache.join(format!("building-{hash:016x}-{}", std::process::id()));
    if work.exists() {
        std::fs::remove_dir_all(&work).map_err(|e| io("clear", &work, e))?;
    }
    let sources = work.join("src");
    let built = work.join("classes");
    std::fs::create_dir_all(&sources).map_err(|e| io("create", &sources, e))?;
    std::fs::create_dir_all(&built).map_err(|e| io("create", &built, e))?;
    let mut files = Vec::new();
    for (name, text) in SOURCES {
        let path = sources.join(name);
        std::fs::write(&path, text).map_err(|e| io("write", &path, e))?;
        files.push(path);
    }
    let separator = if cfg!(windows) { ";" } else { ":" };
    let class_path = format!(
        "{}{separator}{}",
        toolchain.flink_home.join("lib").join("*").display(),
        toolchain.connector_dir.join("*").display()
    );
    run(
        Command::new("javac")
            .args(["--release", "17", "-nowarn", "-d"])
            .arg(&built)
            .arg("-cp")
            .arg(&class_path)
            .args(&files),
        "javac",
    )?;
    for connector in CONNECTOR_JARS {
        run(
            Command::new("jar")
                .arg("xf")
                .arg(toolchain.connector_dir.join(connector))
                .current_dir(&built),
            "jar xf",
        )?;
    }
    // The connectors' manifests and signatures do not describe the job jar.
    let meta = built.join("META-INF");
    for entry in std::fs::read_dir(&meta).map_err(|e| io("read", &meta, e))? {
        let path = entry.map_err(|e| io("read", &meta, e))?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_ascii_uppercase();
        if name == "MANIFEST.MF"
            || name.ends_with(".SF")
            || name.ends_with(".RSA")
            || name.ends_with(".DSA")
        {
            std::fs::remove_file(&path).map_err(|e| io("remove", &path, e))?;
        }
    }
    match std::fs::rename(&built, &classes) {
        Ok(()) => {}
        // Another build got there first.
        Err(_) if classes.is_dir() => {}
        Err(e) => return Err(io("move into place", &classes, e)),
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(classes)
}

/// Builds the job jar for `program` at `jar`: the job classes (from `cache`, see
/// [`job_classes`]), `library` as the native library and the program's IR. Uncompressed: most
/// of it is compiled code, and the jar only travels to the cluster once.
pub fn build_jar(
    toolchain: &Toolchain,
    cache: &Path,
    program: &Program,
    library: &Path,
    jar: &Path,
) -> Result<(), String> {
    let io =
        |what: &str, p: &Path, e: std::io::Error| format!("cannot {what} {}: {e}", p.display());
    let classes = job_classes(toolchain, cache)?;
    let staging = jar.with_extension("parts");
    let parts = staging.join(RESOURCE_DIR);
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| io("clear", &staging, e))?;
    }
    std::fs::create_dir_all(&parts).map_err(|e| io("create", &parts, e))?;
    let lib = parts.join(LIBRARY_NAME);
    if std::fs::hard_link(library, &lib).is_err() {
        std::fs::copy(library, &lib).map_err(|e| io("copy", library, e))?;
    }
    let ir = parts.join("program.json");
    std::fs::write(&ir, program.to_json()).map_err(|e| io("write", &ir, e))?;
    if jar.exists() {
        std::fs::remove_file(jar).map_err(|e| io("replace", jar, e))?;
    }
    let made = run(
        Command::new("jar")
            .args(["--create", "--no-compress", "--file"])
            .arg(jar)
            .arg("--main-class")
            .arg(ENTRY_CLASS)
            .arg("-C")
            .arg(&classes)
            .arg(".")
            .arg("-C")
            .arg(&staging)
            .arg(RESOURCE_DIR),
        "jar --create",
    );
    let _ = std::fs::remove_dir_all(&staging);
    made
}

/// A shell script that submits a built job to a JobManager through its REST API.
pub fn run_script(default_partitions: u32) -> String {
    format!(
        r#"#!/usr/bin/env bash
# Submits job.jar (beside this script) to a Flink cluster through its REST API; prints the job id.
#   BROKERS=HOST:PORT bash run.sh
# Optional: JOBMANAGER (REST address, default 127.0.0.1:18081), APP (topic prefix, default in
# app.txt), PARTITIONS (default {default_partitions}), CHECKPOINT_DIR (a URI reachable by every
# TaskManager, default file:///tmp/entiflow-flink/APP/checkpoints), SAVEPOINT (a retained
# checkpoint or savepoint to start from), DELIVERY (exactly-once, the default, or at-least-once).
# The topics APP.ingress|internal|egress|dead-letter must exist, the internal one with PARTITIONS
# partitions (`entiflow exec --backend flink --backend-opt submit=false` creates them).
set -euo pipefail
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
: "${{BROKERS:?set BROKERS to the Kafka bootstrap address}}"
jm="${{JOBMANAGER:-127.0.0.1:18081}}"
app="${{APP:-$(cat "$here/app.txt")}}"
partitions="${{PARTITIONS:-{default_partitions}}}"
checkpoints="${{CHECKPOINT_DIR:-file:///tmp/entiflow-flink/$app/checkpoints}}"
delivery="${{DELIVERY:-exactly-once}}"
upload="$(curl -sf -X POST -H 'Expect:' -F "jarfile=@$here/job.jar;type=application/x-java-archive" "http://$jm/jars/upload")"
jar_id="$(printf '%s' "$upload" | python3 -c 'import json, os, sys; print(os.path.basename(json.load(sys.stdin)["filename"]))')"
body="$(SAVEPOINT="${{SAVEPOINT:-}}" python3 -c '
import json, os, sys
request = {{"entryClass": "{ENTRY_CLASS}", "programArgsList": sys.argv[1:]}}
if os.environ["SAVEPOINT"]:
    request["savepointPath"] = os.environ["SAVEPOINT"]
print(json.dumps(request))' --brokers "$BROKERS" --app "$app" --partitions "$partitions" --checkpoint-dir "$checkpoints" --delivery "$delivery")"
curl -sf -X POST -H 'Content-Type: application/json' -d "$body" "http://$jm/jars/$jar_id/run" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["jobid"])'
"#
    )
}
