//! H3 cell index validation (the format of uber/h3, mode 1 = cell).

const MODE_SHIFT: u32 = 59;
const RES_SHIFT: u32 = 52;
const BASE_CELL_SHIFT: u32 = 45;
const CELL_MODE: u64 = 1;
const BASE_CELLS: u64 = 122;
const MAX_RES: u64 = 15;
const UNUSED_DIGIT: u64 = 7;

/// `0` means "location unknown"; anything else must be a well-formed H3 cell:
/// high bit clear, cell mode, resolution <= 15, base cell < 122, and every
/// digit below the resolution set to 7.
pub fn is_valid_location(h3: u64) -> bool {
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
        assert!(is_valid_location(0x8928308280fffff));
        assert!(is_valid_location(0x85283473fffffff));
        assert!(is_valid_location(0));
        // A resolution-0 base cell.
        assert!(is_valid_location(0x8001fffffffffff));
    }

    #[test]
    fn malformed_cells() {
        assert!(!is_valid_location(u64::MAX));
        assert!(!is_valid_location(1));
        // Edge mode (2) instead of cell mode.
        assert!(!is_valid_location(0x1128308280fffff));
        // A digit beyond the resolution is not 7.
        assert!(!is_valid_location(0x8928308280ffffe));
        // Base cell 122.
        assert!(!is_valid_location(0x80f5fffffffffff));
    }
}
