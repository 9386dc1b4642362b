//! A progress bar for deployments, drawn on stderr, only on a terminal.

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
