//! Natively compiled programs print their `msg!` logs straight to stdout
//! (`solana-msg` uses `println!` off-chain). While the in-process cluster
//! runs, fd 1 points at /dev/null and our own output goes to a duplicate of
//! the real stdout.

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd};

pub struct Console {
    out: File,
    saved_fd: i32,
}

impl Console {
    /// Silences fd 1; `print` still reaches the terminal.
    pub fn silence_stdout() -> std::io::Result<Self> {
        std::io::stdout().flush()?;
        // SAFETY: plain fd syscalls; `saved_fd` is a fresh descriptor we own.
        let saved_fd = unsafe { libc::dup(1) };
        if saved_fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let null = File::options().write(true).open("/dev/null")?;
        if unsafe { libc::dup2(null.as_raw_fd(), 1) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let out = unsafe { File::from_raw_fd(libc::dup(saved_fd)) };
        Ok(Console { out, saved_fd })
    }

    pub fn print(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = std::io::stdout().flush();
        // Restore fd 1 to the terminal.
        unsafe {
            libc::dup2(self.saved_fd, 1);
            libc::close(self.saved_fd);
        }
    }
}
