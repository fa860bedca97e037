//! The JobManager's REST API: upload a jar, run it, watch, cancel.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

/// A JobManager.
#[derive(Debug, Clone)]
pub struct JobManager {
    base: String,
    agent: ureq::Agent,
}

fn describe(e: ureq::Error) -> String {
    match e {
        ureq::Error::Status(code, response) => {
            let body = response.into_string().unwrap_or_default();
            format!(
                "HTTP {code}: {}",
                body.chars().take(2000).collect::<String>()
            )
        }
        other => other.to_string(),
    }
}

impl JobManager {
    /// The JobManager whose REST endpoint is `address` (`host:port`).
    pub fn new(address: &str) -> JobManager {
        JobManager {
            base: format!("http://{address}"),
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(120))
                .build(),
        }
    }

    fn get(&self, path: &str) -> Result<Json, String> {
        self.agent
            .get(&format!("{}{path}", self.base))
            .call()
            .map_err(describe)?
            .into_json()
            .map_err(|e| e.to_string())
    }

    /// The cluster overview (task managers, slots, jobs).
    pub fn overview(&self) -> Result<Json, String> {
        self.get("/overview")
            .map_err(|e| format!("the Flink JobManager at {} does not answer: {e}", self.base))
    }

    /// Uploads a jar; its id on the cluster.
    pub fn upload(&self, jar: &Path) -> Result<String, String> {
        let data = std::fs::read(jar).map_err(|e| format!("cannot read {}: {e}", jar.display()))?;
        let boundary = "entiflow-job-jar-boundary-7f3c";
        let mut body = Vec::with_capacity(data.len() + 256);
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"job.jar\"\r\nContent-Type: application/x-java-archive\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let answer: Json = self
            .agent
            .post(&format!("{}/jars/upload", self.base))
            .set(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send_bytes(&body)
            .map_err(|e| format!("cannot upload the job jar: {}", describe(e)))?
            .into_json()
            .map_err(|e| e.to_string())?;
        answer
            .get("filename")
            .and_then(Json::as_str)
            .and_then(|f| f.rsplit('/').next())
            .map(str::to_string)
            .ok_or_else(|| format!("unexpected upload answer: {answer}"))
    }

    /// Runs an uploaded jar; the job id.
    pub fn run(
        &self,
        jar_id: &str,
        entry_class: &str,
        args: &[String],
        restore_from: Option<&str>,
    ) -> Result<String, String> {
        let mut request = json!({"entryClass": entry_class, "programArgsList": args});
        if let Some(path) = restore_from {
            request["savepointPath"] = path.into();
        }
        let answer: Json = self
            .agent
            .post(&format!("{}/jars/{jar_id}/run", self.base))
            .send_json(request)
            .map_err(|e| format!("cannot start the job: {}", describe(e)))?
            .into_json()
            .map_err(|e| e.to_string())?;
        answer
            .get("jobid")
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("unexpected run answer: {answer}"))
    }

    /// Deletes an uploaded jar.
    pub fn delete_jar(&self, jar_id: &str) -> Result<(), String> {
        self.agent
            .delete(&format!("{}/jars/{jar_id}", self.base))
            .call()
            .map(|_| ())
            .map_err(describe)
    }

    /// A job's details (`state`, `vertices`, ...).
    pub fn job(&self, job_id: &str) -> Result<Json, String> {
        self.get(&format!("/jobs/{job_id}"))
    }

    /// Waits until the job runs with every task deployed; fails if it fails first.
    pub fn wait_running(&self, job_id: &str, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let job = self.job(job_id)?;
            let state = job.get("state").and_then(Json::as_str).unwrap_or("");
            let tasks_running = job
                .get("vertices")
                .and_then(Json::as_array)
                .is_some_and(|v| {
                    !v.is_empty()
                        && v.iter()
                            .all(|t| t.get("status").and_then(Json::as_str) == Some("RUNNING"))
                });
            match state {
                "RUNNING" if tasks_running => return Ok(()),
                "FAILED" | "CANCELED" | "FINISHED" => {
                    let why = self
                        .get(&format!("/jobs/{job_id}/exceptions"))
                        .ok()
                        .and_then(|e| e.get("root-exception").cloned())
                        .unwrap_or(Json::Null);
                    return Err(format!("the Flink job ended ({state}): {why}"));
                }
                _ => {}
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the Flink job is not running after {timeout:?} (state {state})"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Cancels a job and waits until it has stopped.
    pub fn cancel(&self, job_id: &str) -> Result<(), String> {
        self.agent
            .request("PATCH", &format!("{}/jobs/{job_id}?mode=cancel", self.base))
            .call()
            .map_err(|e| format!("cannot cancel job {job_id}: {}", describe(e)))?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let state = self
                .job(job_id)?
                .get("state")
                .and_then(Json::as_str)
                .map(str::to_string);
            if matches!(state.as_deref(), Some("CANCELED" | "FAILED" | "FINISHED")) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "job {job_id} did not stop within 60 s of its cancellation"
        ))
    }
}
