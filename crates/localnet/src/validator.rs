//! A `solana-test-validator` process for one test: its own ledger directory
//! and free loopback ports, healthy before it is handed out, stopped by pid.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::json_rpc;
use crate::ports::{self, Ports};
use crate::{err, Result};

/// Where `scripts/install-validator.sh` puts the binary, or `$DEPIN_VALIDATOR`.
pub fn validator_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("DEPIN_VALIDATOR") {
        return Ok(PathBuf::from(path));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))
        .ok_or_else(|| err("neither XDG_CACHE_HOME nor HOME is set"))?;
    let binary = cache.join("depin/bin/solana-test-validator");
    if binary.exists() {
        Ok(binary)
    } else {
        Err(err(format!(
            "{} is missing: run scripts/install-validator.sh (builds it once per machine), \
             or set DEPIN_VALIDATOR",
            binary.display()
        )))
    }
}

/// What a validator starts with.
#[derive(Debug, Clone, Default)]
pub struct ValidatorOptions {
    /// SBF programs loaded at genesis as upgradeable programs without an
    /// upgrade authority: (program id in base58, path of the `.so`).
    pub programs: Vec<(String, PathBuf)>,
    /// How long to wait for `getHealth` (default 90 s).
    pub startup_timeout: Option<Duration>,
}

/// A running validator. Dropping it stops the process (SIGTERM, then
/// SIGKILL) and removes its ledger; the kernel also kills it when the
/// thread that started it ends (`PR_SET_PDEATHSIG` follows the thread), so
/// a killed test run leaves nothing behind. Start one per test, in the
/// test's own runtime: one kept in a static dies with its first test.
pub struct Validator {
    child: Child,
    ports: Ports,
    ledger: tempfile::TempDir,
}

impl Validator {
    /// A validator with the native programs only (SPL Token included).
    pub async fn start() -> Result<Validator> {
        Self::start_with(ValidatorOptions::default()).await
    }

    pub async fn start_with(options: ValidatorOptions) -> Result<Validator> {
        let binary = validator_binary()?;
        let ports = ports::allocate()?;
        let ledger = tempfile::Builder::new()
            .prefix("depin-ledger-")
            .tempdir()
            .map_err(|e| err(format!("creating a ledger directory: {e}")))?;
        let log_path = ledger.path().join("validator.log");
        let log = File::create(&log_path).map_err(|e| err(format!("creating the log: {e}")))?;
        let log_err = log
            .try_clone()
            .map_err(|e| err(format!("opening the log: {e}")))?;
        let mut command = Command::new(&binary);
        command
            .arg("--ledger")
            .arg(ledger.path().join("ledger"))
            .args(["--reset", "--bind-address", "127.0.0.1"])
            .args(["--rpc-port", &ports.rpc.to_string()])
            .args(["--faucet-port", &ports.faucet.to_string()])
            .args(["--gossip-port", &ports.gossip.to_string()])
            .arg("--dynamic-port-range")
            .arg(format!("{}-{}", ports.dynamic.0, ports.dynamic.1))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        for (id, so) in &options.programs {
            command
                .arg("--upgradeable-program")
                .arg(id)
                .arg(so)
                .arg("none");
        }
        // SAFETY: prctl is async-signal-safe; it only asks the kernel to
        // kill the child when the thread that forked it dies, so a killed
        // test run never leaves a validator behind.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command
            .spawn()
            .map_err(|e| err(format!("starting {}: {e}", binary.display())))?;
        let mut validator = Validator {
            child,
            ports,
            ledger,
        };
        let timeout = options.startup_timeout.unwrap_or(Duration::from_secs(90));
        validator.wait_healthy(timeout).await?;
        Ok(validator)
    }

    async fn wait_healthy(&mut self, timeout: Duration) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(err(format!(
                    "the validator exited ({status}) before it was healthy:\n{}",
                    self.log_tail()
                )));
            }
            if let Ok(body) = json_rpc(self.ports.rpc, "getHealth", serde_json::json!([])).await {
                if body.contains("\"ok\"") {
                    return Ok(());
                }
            }
            if started.elapsed() > timeout {
                return Err(err(format!(
                    "the validator was not healthy after {timeout:?}:\n{}",
                    self.log_tail()
                )));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn rpc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.rpc)
    }

    pub fn rpc_port(&self) -> u16 {
        self.ports.rpc
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines the validator wrote (for failure messages).
    pub fn log_tail(&self) -> String {
        let log =
            std::fs::read_to_string(self.ledger.path().join("validator.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    fn stop(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: signalling our own child by its pid.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        self.stop();
    }
}
