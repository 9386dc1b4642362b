//! The lock-end buckets an instruction works with: those passed after its
//! named accounts (`remaining_accounts`: every bucket due now, and a
//! position's own once its lock ended; clients add them), plus the bucket a
//! stake or lock extension schedules into (a named account, created here on
//! first use).
//!
//! # Checks
//!
//! Every account passed as a bucket must be owned by this program, carry
//! the `BoostEnd` discriminator and name this pool; a due bucket that is
//! missing is `MissingBoostEnd`. The address itself is not re-derived for
//! existing buckets: the program creates `BoostEnd` accounts only here, only
//! at `pda::boost_end(pool, day)` and with exactly that `pool` and `day`
//! written in them, so an account passing these checks *is* the bucket at
//! that address (re-deriving would cost about 1,500 CU per bucket). A new
//! bucket's address is derived and checked before it is created.

use anchor_lang::prelude::*;
use anchor_lang::system_program::{self, Allocate, Assign, CreateAccount, Transfer};
use anchor_lang::Discriminator;
use depin_accrual::{ExpiryBucket, ExpiryBuckets};

use crate::errors::StakingError;
use crate::events::BoostEndApplied;
use crate::pda::{self, BOOST_END_SEED};
use crate::state::BoostEnd;

struct Loaded<'a, 'info> {
    info: &'a AccountInfo<'info>,
    account: BoostEnd,
    /// The bucket as the math sees it; written back if it changed.
    bucket: ExpiryBucket,
}

/// The buckets of one pool available to an instruction.
pub struct BoostEnds<'a, 'info> {
    pool: Pubkey,
    loaded: Vec<Loaded<'a, 'info>>,
}

impl<'a, 'info> BoostEnds<'a, 'info> {
    /// The buckets passed as `accounts` (an instruction's remaining
    /// accounts); each must be a lock-end bucket of `pool`.
    pub fn from_accounts(pool: &Pubkey, accounts: &'a [AccountInfo<'info>]) -> Result<Self> {
        let mut boost_ends = BoostEnds {
            pool: *pool,
            loaded: Vec::with_capacity(accounts.len()),
        };
        for info in accounts {
            let account = boost_ends.read(info)?;
            boost_ends.push(info, account);
        }
        Ok(boost_ends)
    }

    fn read(&self, info: &AccountInfo<'info>) -> Result<BoostEnd> {
        require_keys_eq!(*info.owner, crate::ID, StakingError::InvalidBoostEnd);
        let data = info.try_borrow_data()?;
        require!(
            data.starts_with(BoostEnd::DISCRIMINATOR),
            StakingError::InvalidBoostEnd
        );
        let account = BoostEnd::try_deserialize(&mut &data[..])
            .map_err(|_| error!(StakingError::InvalidBoostEnd))?;
        require_keys_eq!(account.pool, self.pool, StakingError::InvalidBoostEnd);
        Ok(account)
    }

    fn push(&mut self, info: &'a AccountInfo<'info>, account: BoostEnd) {
        // The same account passed twice is one bucket (one copy to write).
        if self.loaded.iter().any(|l| l.info.key == info.key) {
            return;
        }
        let bucket = account.bucket();
        self.loaded.push(Loaded {
            info,
            account,
            bucket,
        });
    }

    /// Adds the bucket of `day`, passed as `info`, that a lock will schedule
    /// its boost into; creates it (rent from `payer`) if it does not exist.
    pub fn open(
        &mut self,
        info: &'a AccountInfo<'info>,
        day: i64,
        payer: &AccountInfo<'info>,
        system_program: &AccountInfo<'info>,
    ) -> Result<()> {
        if *info.owner == crate::ID {
            let account = self.read(info)?;
            require!(account.day == day, StakingError::InvalidBoostEnd);
            self.push(info, account);
            return Ok(());
        }
        let (address, bump) = pda::boost_end(&self.pool, day);
        require_keys_eq!(*info.key, address, StakingError::InvalidBoostEnd);
        let day_bytes = day.to_le_bytes();
        let bump_bytes = [bump];
        let seeds: &[&[u8]] = &[BOOST_END_SEED, self.pool.as_ref(), &day_bytes, &bump_bytes];
        create(info, payer, system_program, seeds)?;
        let account = BoostEnd::new(self.pool, day, bump);
        account.try_serialize(&mut &mut info.try_borrow_mut_data()?[..])?;
        self.push(info, account);
        Ok(())
    }

    /// Writes back every bucket that changed (a changed bucket must have
    /// been passed writable) and announces each one applied now.
    pub fn write_back(self) -> Result<()> {
        for Loaded {
            info,
            mut account,
            bucket,
        } in self.loaded
        {
            if bucket == account.bucket() {
                continue;
            }
            require!(info.is_writable, StakingError::InvalidBoostEnd);
            let applied_now = bucket.applied && !account.applied;
            account.store_bucket(&bucket);
            account.try_serialize(&mut &mut info.try_borrow_mut_data()?[..])?;
            if applied_now {
                emit!(BoostEndApplied {
                    pool: account.pool,
                    day: account.day,
                    weight_decrease: account.weight_decrease,
                    index_at_end: account.index_at_end,
                });
            }
        }
        Ok(())
    }
}

impl ExpiryBuckets for BoostEnds<'_, '_> {
    fn bucket_mut(&mut self, day: i64) -> Option<&mut ExpiryBucket> {
        self.loaded
            .iter_mut()
            .find(|l| l.account.day == day)
            .map(|l| &mut l.bucket)
    }
}

/// Creates a bucket account at its PDA (signed by `seeds`), rent-exempt,
/// owned by this program. If someone sent lamports to the address first,
/// the account is topped up, allocated and assigned instead (a plain
/// create would fail, letting anyone block a day's bucket for a lamport).
fn create<'info>(
    info: &AccountInfo<'info>,
    payer: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    seeds: &[&[u8]],
) -> Result<()> {
    let space = 8 + BoostEnd::INIT_SPACE;
    let rent = Rent::get()?.minimum_balance(space);
    let program = system_program.key();
    let held = info.lamports();
    if held == 0 {
        let accounts = CreateAccount {
            from: payer.clone(),
            to: info.clone(),
        };
        return system_program::create_account(
            CpiContext::new(program, accounts).with_signer(&[seeds]),
            rent,
            space as u64,
            &crate::ID,
        );
    }
    let top_up = rent.saturating_sub(held);
    if top_up > 0 {
        let accounts = Transfer {
            from: payer.clone(),
            to: info.clone(),
        };
        system_program::transfer(CpiContext::new(program, accounts), top_up)?;
    }
    let accounts = Allocate {
        account_to_allocate: info.clone(),
    };
    system_program::allocate(
        CpiContext::new(program, accounts).with_signer(&[seeds]),
        space as u64,
    )?;
    let accounts = Assign {
        account_to_assign: info.clone(),
    };
    system_program::assign(
        CpiContext::new(program, accounts).with_signer(&[seeds]),
        &crate::ID,
    )
}
