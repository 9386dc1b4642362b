//! The `depin-crank` binary as a child process, stopped by pid when the
//! test ends (panics included).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_depin-crank");

#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    /// Ended by SIGABRT: the fault hook's abort.
    Aborted,
    Other(String),
}

pub struct CrankProcess {
    child: std::cell::RefCell<Child>,
}

impl CrankProcess {
    /// `depin-crank run`, aborting at `abort_at` if given.
    pub fn start(config: &Path, abort_at: Option<&str>) -> CrankProcess {
        let mut command = Command::new(BINARY);
        command
            .args(["--config", &config.display().to_string(), "run"])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null());
        command.env_remove("DEPIN_CRANK_ABORT_AT");
        if let Some(point) = abort_at {
            command.env("DEPIN_CRANK_ABORT_AT", point);
        }
        let child = command.spawn().expect("starting depin-crank");
        CrankProcess {
            child: std::cell::RefCell::new(child),
        }
    }

    pub async fn wait_healthy(&self, url: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = reqwest::get(format!("{url}/healthz")).await {
                if response.status().is_success() {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.borrow_mut().try_wait() {
                panic!("depin-crank exited before it was healthy: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "depin-crank not healthy after 60 s"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits for the process to end by itself.
    pub fn wait_exit(&self, timeout: Duration) -> Exit {
        use std::os::unix::process::ExitStatusExt;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.borrow_mut().try_wait().unwrap() {
                return match status.signal() {
                    Some(6) => Exit::Aborted, // SIGABRT
                    _ => Exit::Other(status.to_string()),
                };
            }
            assert!(
                Instant::now() < deadline,
                "depin-crank still running after {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// SIGTERM (a graceful stop), then waits.
    pub fn stop(&self) {
        let mut child = self.child.borrow_mut();
        if child.try_wait().unwrap().is_none() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait().unwrap().is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

impl Drop for CrankProcess {
    fn drop(&mut self) {
        let child = self.child.get_mut();
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A one-shot command (`status`, `replay-epoch N`): its JSON output.
pub fn run_json(config: &Path, args: &[&str]) -> serde_json::Value {
    let output = Command::new(BINARY)
        .args(["--config", &config.display().to_string()])
        .args(args)
        .output()
        .expect("running depin-crank");
    assert!(
        output.status.success(),
        "depin-crank {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A one-shot command without a config (`simulate`): its JSON output, or
/// `None` when it failed.
pub fn try_json(args: &[&str]) -> Option<serde_json::Value> {
    let output = Command::new(BINARY)
        .args(args)
        .output()
        .expect("running depin-crank");
    if !output.status.success() {
        eprintln!(
            "depin-crank {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    Some(serde_json::from_slice(&output.stdout).unwrap())
}
