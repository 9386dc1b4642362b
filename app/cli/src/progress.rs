//! Progress bars on stderr, only on a terminal: deployments (`Bar`) and
//! commands that send several transactions (`Count`).

use depin_client::deploy::Progress;
use indicatif::{ProgressBar, ProgressStyle};

pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// A bar when `visible`, else a bar that draws nothing.
    pub fn new(visible: bool) -> Self {
        let bar = visible.then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:32} [{bar:30}] {pos}/{len} chunks {elapsed_precise} (eta {eta})",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar
        });
        Bar { bar }
    }

    /// Leaves `line` above the bar (one line per program).
    pub fn finish(&self, line: &str) {
        if let Some(bar) = &self.bar {
            bar.println(line);
            bar.set_length(0);
            bar.set_position(0);
        }
    }
}

impl Progress for Bar {
    fn step(&self, program: &str, step: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{program}: {step}"));
        }
    }

    fn writing(&self, _program: &str, total: usize, done: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }

    fn chunk_written(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A count of steps done out of `total` (nothing drawn unless `visible`
/// and there is more than one step).
pub struct Count {
    bar: Option<ProgressBar>,
}

impl Count {
    pub fn new(visible: bool, total: usize, what: &str) -> Self {
        let bar = (visible && total > 1).then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("[{bar:30}] {pos}/{len} {msg} {elapsed_precise}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(what.to_string());
            bar
        });
        Count { bar }
    }

    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

impl Drop for Count {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
