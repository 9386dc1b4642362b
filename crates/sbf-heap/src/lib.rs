//! The programs' global allocator on chain: the same bump allocator that
//! `solana_program_entrypoint::entrypoint!` installs by default (same arena,
//! same top-down bump, no frees), except that `alloc` is never inlined.
//!
//! Why: with LTO the default allocator's `alloc` is inlined into every
//! allocation site, and Anchor allocates at hundreds of sites per program
//! (each `Box`ed account, every error's name, message and account name, the
//! CPI account lists). Each inlined copy is about 15 SBF instructions; one
//! call is about 3. See docs/program-size.md for the figures.
//!
//! Each program crate installs it with [`global_allocator!`] and enables the
//! `custom-heap` feature by default, which is how Solana's entrypoint macro
//! lets a program replace its default heap.

#![no_std]

use core::alloc::{GlobalAlloc, Layout};

/// A bump allocator over a fixed address range, handing out memory from the
/// top down; the current position is stored in the arena's first word.
pub struct OutOfLineBumpAllocator {
    start: usize,
    len: usize,
}

impl OutOfLineBumpAllocator {
    /// # Safety
    /// `start..start + len` must be writable memory that outlives every
    /// allocation (on chain: the program's heap region).
    pub const unsafe fn with_fixed_address_range(start: usize, len: usize) -> Self {
        Self { start, len }
    }
}

// The arithmetic mirrors solana_program_entrypoint::BumpAllocator: it cannot
// overflow for the heap region the runtime maps.
#[allow(clippy::arithmetic_side_effects)]
unsafe impl GlobalAlloc for OutOfLineBumpAllocator {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pos_ptr = self.start as *mut usize;
        let mut pos = *pos_ptr;
        if pos == 0 {
            // First time, set starting position
            pos = self.start + self.len;
        }
        pos = pos.saturating_sub(layout.size());
        pos &= !(layout.align().wrapping_sub(1));
        if pos < self.start + core::mem::size_of::<*mut u8>() {
            return core::ptr::null_mut();
        }
        *pos_ptr = pos;
        pos as *mut u8
    }

    #[inline]
    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {
        // a bump allocator does not free
    }
}

/// Installs [`OutOfLineBumpAllocator`] over the runtime's heap region as the
/// program's global allocator, on chain only and only where the crate builds
/// its own entrypoint (`no-entrypoint` unset) with the `custom-heap` feature
/// (which turns the entrypoint's default allocator off).
#[macro_export]
macro_rules! global_allocator {
    () => {
        #[cfg(all(
            target_os = "solana",
            feature = "custom-heap",
            not(feature = "no-entrypoint")
        ))]
        #[global_allocator]
        static ALLOCATOR: $crate::OutOfLineBumpAllocator = unsafe {
            $crate::OutOfLineBumpAllocator::with_fixed_address_range(
                ::anchor_lang::solana_program::entrypoint::HEAP_START_ADDRESS as usize,
                ::anchor_lang::solana_program::entrypoint::HEAP_LENGTH,
            )
        };
    };
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec;

    #[test]
    fn bumps_down_aligned_and_stops_at_the_position_word() {
        let mut arena = vec![0u64; 16]; // 128 bytes, 8-aligned
        let start = arena.as_mut_ptr() as usize;
        let heap = unsafe { OutOfLineBumpAllocator::with_fixed_address_range(start, 128) };
        let a = unsafe { heap.alloc(Layout::from_size_align(3, 1).unwrap()) } as usize;
        assert_eq!(a, start + 125);
        let b = unsafe { heap.alloc(Layout::from_size_align(16, 8).unwrap()) } as usize;
        assert_eq!(b % 8, 0);
        assert!(b + 16 <= a);
        // 128 bytes minus the word holding the position: what is left is too
        // small for 100 more bytes.
        let c = unsafe { heap.alloc(Layout::from_size_align(100, 1).unwrap()) };
        assert!(c.is_null());
        let d = unsafe { heap.alloc(Layout::from_size_align(8, 8).unwrap()) } as usize;
        assert!(d >= start + 8 && d + 8 <= b);
    }
}
