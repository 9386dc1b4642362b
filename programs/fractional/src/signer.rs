//! PDA signatures of assets (share mint authority, revenue issuer) and
//! offerings (escrow authority), with stored bumps.

use anchor_lang::prelude::*;

use crate::pda::{ASSET_SEED, OFFERING_SEED};
use crate::state::{Asset, Offering};

pub fn asset_seeds(asset: &Asset) -> [Vec<u8>; 3] {
    [
        ASSET_SEED.to_vec(),
        asset.device.to_bytes().to_vec(),
        vec![asset.bump],
    ]
}

pub fn offering_seeds(offering: &Offering) -> [Vec<u8>; 4] {
    [
        OFFERING_SEED.to_vec(),
        offering.asset.to_bytes().to_vec(),
        offering.id.to_le_bytes().to_vec(),
        vec![offering.bump],
    ]
}

/// Borrows owned seeds as the slice of slices the runtime wants.
pub fn as_slices<const N: usize>(seeds: &[Vec<u8>; N]) -> [&[u8]; N] {
    core::array::from_fn(|i| seeds[i].as_slice())
}
