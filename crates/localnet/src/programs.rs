//! A validator with SBF programs preloaded, for test suites that must skip
//! (with a note) where it cannot run, and fail instead when
//! `DEPIN_REQUIRE_VALIDATOR` is set (CI sets it).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{validator_binary, Validator, ValidatorOptions};

/// An SBF program to preload: its `.so` file's stem and its id (as bytes, to
/// check the build is for this id, and in base58 for the validator).
#[derive(Debug, Clone)]
pub struct SbfProgram {
    pub name: String,
    pub id: [u8; 32],
    pub address: String,
}

impl SbfProgram {
    /// From a program's `.so` stem and its id (a `Pubkey`, or anything that
    /// is 32 bytes shown in base58).
    pub fn of(name: &str, id: &(impl AsRef<[u8]> + std::fmt::Display)) -> SbfProgram {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(id.as_ref());
        SbfProgram {
            name: name.to_string(),
            id: bytes,
            address: id.to_string(),
        }
    }
}

/// Where `scripts/build-sbf` puts the programs: `$SBF_OUT_DIR`, else
/// `target/deploy` under `repo`.
pub fn sbf_dir(repo: &Path) -> PathBuf {
    std::env::var_os("SBF_OUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target/deploy"))
}

/// Why a validator with `programs` cannot run here, if it cannot: the
/// suite is told to skip (`DEPIN_SKIP_VALIDATOR_TESTS`), no validator
/// binary, or a missing build or one made for another program id.
pub fn missing_prerequisite(programs: &[SbfProgram], dir: &Path) -> Option<String> {
    if std::env::var_os("DEPIN_SKIP_VALIDATOR_TESTS").is_some() {
        return Some("DEPIN_SKIP_VALIDATOR_TESTS is set (scripts/test.sh runs them later)".into());
    }
    if let Err(e) = validator_binary() {
        return Some(e.to_string());
    }
    for program in programs {
        let so = dir.join(format!("{}.so", program.name));
        let Ok(elf) = std::fs::read(&so) else {
            return Some(format!(
                "{} is missing: run scripts/build-sbf",
                so.display()
            ));
        };
        if !elf.windows(32).any(|w| w == program.id) {
            return Some(format!(
                "{} was built for another program id than {}: run scripts/build-sbf",
                so.display(),
                program.address
            ));
        }
    }
    None
}

/// A validator for one test with `programs` from `dir`, or `None` (with a
/// note on stderr naming `suite`) when it must be skipped. One per test: the
/// harness kills a validator when the thread that started it exits.
pub async fn validator_for_tests(
    suite: &str,
    programs: &[SbfProgram],
    dir: &Path,
) -> Option<Validator> {
    if let Some(reason) = missing_prerequisite(programs, dir) {
        assert!(
            std::env::var_os("DEPIN_REQUIRE_VALIDATOR").is_none(),
            "{suite} cannot run: {reason}"
        );
        eprintln!("SKIPPED ({suite}): {reason}");
        return None;
    }
    let options = ValidatorOptions {
        programs: programs
            .iter()
            .map(|p| (p.address.clone(), dir.join(format!("{}.so", p.name))))
            .collect(),
        startup_timeout: Some(Duration::from_secs(120)),
    };
    let started = Instant::now();
    let validator = Validator::start_with(options)
        .await
        .unwrap_or_else(|e| panic!("starting the validator: {e}"));
    eprintln!("validator healthy after {:?}", started.elapsed());
    Some(validator)
}
