//! Named crash points, so tests can stop the crank exactly where a power cut
//! or `kill -9` could: at each step boundary, and between sending an
//! on-chain step and recording it.
//!
//! In production the hook is [`Faults::from_env`]: when `DEPIN_CRANK_ABORT_AT`
//! names a point, the process aborts there (no destructors, no flush, as a
//! kill would). In-process tests use [`Faults::crash_at`], which unwinds the
//! pipeline with [`Crashed`] at the point instead: everything the crank keeps
//! is in storage or on chain, so dropping the pipeline and building a new one
//! over the same database is the same restart.

use std::sync::atomic::{AtomicBool, Ordering};

/// The environment variable naming the point at which to abort.
pub const ABORT_AT_ENV: &str = "DEPIN_CRANK_ABORT_AT";

/// Where in a step the crank is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// The step is about to start (nothing of it done).
    Before,
    /// Its transactions were sent and confirmed; not yet recorded.
    Sent,
    /// It is recorded.
    After,
}

impl Moment {
    pub const ALL: [Moment; 3] = [Moment::Before, Moment::Sent, Moment::After];

    pub fn name(self) -> &'static str {
        match self {
            Moment::Before => "before",
            Moment::Sent => "sent",
            Moment::After => "after",
        }
    }
}

/// A crash point: `"<moment>:<step>"`, e.g. `"sent:post_root"`.
pub fn point(moment: Moment, step: &str) -> String {
    format!("{}:{step}", moment.name())
}

/// The crank stopped at a fault point (in-process tests only).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("crashed at {0} (fault injection)")]
pub struct Crashed(pub String);

#[derive(Debug, Default)]
enum Mode {
    #[default]
    Off,
    Abort(String),
    Unwind(String),
}

/// The fault hook every step passes through.
#[derive(Debug, Default)]
pub struct Faults {
    mode: Mode,
    fired: AtomicBool,
}

impl Faults {
    /// No faults.
    pub fn none() -> Faults {
        Faults::default()
    }

    /// Aborts the process at the point `DEPIN_CRANK_ABORT_AT` names, if set.
    pub fn from_env() -> Faults {
        match std::env::var(ABORT_AT_ENV) {
            Ok(point) if !point.is_empty() => Faults {
                mode: Mode::Abort(point),
                fired: AtomicBool::new(false),
            },
            _ => Faults::none(),
        }
    }

    /// Unwinds with [`Crashed`] the first time `point` is reached.
    pub fn crash_at(point: impl Into<String>) -> Faults {
        Faults {
            mode: Mode::Unwind(point.into()),
            fired: AtomicBool::new(false),
        }
    }

    /// Whether the configured point was reached.
    pub fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }

    /// Called at every point; stops the crank there if configured to.
    pub fn reach(&self, moment: Moment, step: &str) -> Result<(), Crashed> {
        let target = match &self.mode {
            Mode::Off => return Ok(()),
            Mode::Abort(target) | Mode::Unwind(target) => target,
        };
        let here = point(moment, step);
        if *target != here || self.fired.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        match self.mode {
            Mode::Abort(_) => {
                eprintln!("depin-crank: aborting at {here} ({ABORT_AT_ENV})");
                std::process::abort()
            }
            _ => Err(Crashed(here)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwinds_once_at_the_named_point_only() {
        let faults = Faults::crash_at("sent:post_root");
        assert_eq!(faults.reach(Moment::Before, "post_root"), Ok(()));
        assert_eq!(faults.reach(Moment::Sent, "fund"), Ok(()));
        assert_eq!(
            faults.reach(Moment::Sent, "post_root"),
            Err(Crashed("sent:post_root".into()))
        );
        assert!(faults.fired());
        assert_eq!(faults.reach(Moment::Sent, "post_root"), Ok(()));
        assert_eq!(Faults::none().reach(Moment::After, "score"), Ok(()));
    }
}
