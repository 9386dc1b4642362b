//! Who controls a device and where its earnings go. The registry's owner of
//! a tokenized device is its asset (a fractional PDA): the asset's authority
//! controls it and its revenue pool earns. Instructions pass the owner's
//! account itself, so telling the two apart costs an owner check rather than
//! an address derivation.

use anchor_lang::prelude::*;
use depin_fractional::state::Asset;
use depin_registry::state::Device;

use crate::errors::PaymentsError;

pub enum Machine {
    /// An owner's device: it controls it and is paid.
    Owned { owner: Pubkey },
    /// A tokenized device: the asset's authority controls it; its holders
    /// are paid through the asset's revenue pool.
    Tokenized { asset: Box<Asset> },
}

impl Machine {
    /// `owner_account` must be the account at `device.owner`.
    pub fn of(device: &Account<Device>, owner_account: &AccountInfo) -> Result<Machine> {
        require_keys_eq!(
            owner_account.key(),
            device.owner,
            PaymentsError::WrongAccount
        );
        if owner_account.owner != &depin_fractional::ID {
            return Ok(Machine::Owned {
                owner: device.owner,
            });
        }
        let data = owner_account.try_borrow_data()?;
        let asset = Asset::try_deserialize(&mut &data[..])
            .map_err(|_| error!(PaymentsError::WrongAccount))?;
        require_keys_eq!(asset.device, device.key(), PaymentsError::WrongAccount);
        Ok(Machine::Tokenized {
            asset: Box::new(asset),
        })
    }

    /// May set the tariff: the owner, or the asset's authority.
    pub fn controller(&self) -> Pubkey {
        match self {
            Machine::Owned { owner } => *owner,
            Machine::Tokenized { asset } => asset.authority,
        }
    }

    pub fn require_controller(&self, signer: &Pubkey) -> Result<()> {
        require_keys_eq!(
            self.controller(),
            *signer,
            PaymentsError::NotDeviceController
        );
        Ok(())
    }
}
