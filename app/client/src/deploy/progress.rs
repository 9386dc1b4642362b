/// Hears what a deployment is doing (a progress bar, a log). Every method
/// has a silent default; `()` hears nothing.
pub trait Progress {
    /// A step of `program` starts: "extending programdata", "creating buffer",
    /// "writing", "deploying", "upgrading", "finalizing", "closing old buffer".
    fn step(&self, program: &str, step: &str) {
        let _ = (program, step);
    }

    /// Writing starts: `total` chunks, `done` of them already in the buffer.
    fn writing(&self, program: &str, total: usize, done: usize) {
        let _ = (program, total, done);
    }

    /// One more chunk is in the buffer.
    fn chunk_written(&self) {}
}

impl Progress for () {}
