//! H3 cell index validation (the bit layout of uber/h3, mode 1 = cell),
//! without the h3 library: the registry program checks every location it
//! stores, and off-chain code checks them before sending.

#![no_std]

const MODE_SHIFT: u32 = 59;
const RES_SHIFT: u32 = 52;
const BASE_CELL_SHIFT: u32 = 45;
const CELL_MODE: u64 = 1;
const BASE_CELLS: u64 = 122;
const MAX_RES: u64 = 15;
const UNUSED_DIGIT: u64 = 7;

/// `0` means "location unknown" and passes; anything else must be a well-formed H3 cell:
/// high bit clear, cell mode, resolution <= 15, base cell < 122, and every
/// digit below the resolution set to 7.
pub fn is_valid_cell(h3: u64) -> bool {
    if h3 == 0 {
        return true;
    }
    if h3 >> 63 != 0 || (h3 >> MODE_SHIFT) & 0xF != CELL_MODE || (h3 >> 56) & 0x7 != 0 {
        return false;
    }
    let res = (h3 >> RES_SHIFT) & 0xF;
    if res > MAX_RES || (h3 >> BASE_CELL_SHIFT) & 0x7F >= BASE_CELLS {
        return false;
    }
    (1..=MAX_RES).all(|r| {
        let digit = (h3 >> ((MAX_RES - r) * 3)) & 0x7;
        if r <= res {
            digit != UNUSED_DIGIT
        } else {
            digit == UNUSED_DIGIT
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_cells() {
        // San Francisco at resolution 9 and 5 (from h3's documentation).
        assert!(is_valid_cell(0x8928308280fffff));
        assert!(is_valid_cell(0x85283473fffffff));
        assert!(is_valid_cell(0));
        // A resolution-0 base cell.
        assert!(is_valid_cell(0x8001fffffffffff));
    }

    /// The resolution of a valid cell, for the property test.
    fn resolution(h3: u64) -> u64 {
        (h3 >> RES_SHIFT) & 0xF
    }

    proptest::proptest! {
        /// Any cell built from valid parts passes; setting any digit past its
        /// resolution to something other than 7 makes it fail.
        #[test]
        fn built_cells_pass_and_padding_matters(
            res in 0u64..=15, base in 0u64..122, digits in proptest::collection::vec(0u64..7, 15), flip in 0u64..7
        ) {
            let mut h3 = (CELL_MODE << MODE_SHIFT) | (res << RES_SHIFT) | (base << BASE_CELL_SHIFT);
            for r in 1..=MAX_RES {
                let digit = if r <= res { digits[(r - 1) as usize] } else { UNUSED_DIGIT };
                h3 |= digit << ((MAX_RES - r) * 3);
            }
            proptest::prop_assert!(is_valid_cell(h3));
            proptest::prop_assert_eq!(resolution(h3), res);
            if res < MAX_RES {
                let shift = (MAX_RES - res - 1) * 3;
                let broken = (h3 & !(7 << shift)) | (flip << shift);
                proptest::prop_assert!(!is_valid_cell(broken));
            }
        }
    }

    #[test]
    fn malformed_cells() {
        assert!(!is_valid_cell(u64::MAX));
        assert!(!is_valid_cell(1));
        // Edge mode (2) instead of cell mode.
        assert!(!is_valid_cell(0x1128308280fffff));
        // A digit beyond the resolution is not 7.
        assert!(!is_valid_cell(0x8928308280ffffe));
        // Base cell 122.
        assert!(!is_valid_cell(0x80f5fffffffffff));
    }
}
