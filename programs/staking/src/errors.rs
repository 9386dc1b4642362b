use anchor_lang::prelude::*;

#[error_code]
pub enum StakingError {
    #[msg("The signer lacks the permission this instruction needs in this network")]
    MissingPermission,
    #[msg("The pool's mint must be the network's token")]
    WrongMint,
    #[msg("The treasury token account must hold the pool's mint")]
    InvalidTreasury,
    #[msg("Pool parameters out of range (max lockup 1 day..4 years, multiplier 1x..10x, cooldown <= 1 year)")]
    InvalidParams,
    #[msg("The account belongs to another pool")]
    WrongPool,
    #[msg("Only the position's owner may do this")]
    NotOwner,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Lockup longer than the pool allows")]
    LockupTooLong,
    #[msg("A lockup can only be extended")]
    LockupNotExtended,
    #[msg("The stake is still locked")]
    StillLocked,
    #[msg("Nothing is staked in this position")]
    NothingStaked,
    #[msg("An unstake is already in progress")]
    AlreadyUnbonding,
    #[msg("Nothing is unbonding")]
    NotUnbonding,
    #[msg("The cooldown has not ended")]
    CooldownActive,
    #[msg("No rewards to claim")]
    NothingToClaim,
    #[msg("Reward period must be at least one second")]
    InvalidPeriod,
    #[msg("Operator bonds have no lockup")]
    BondHasNoLockup,
    #[msg("Only operator bonds can be slashed")]
    NotABond,
    #[msg("Slash amount exceeds the bond")]
    SlashTooLarge,
    #[msg("Arithmetic overflow")]
    Overflow,
    #[msg("Internal accounting is inconsistent")]
    AccountingInconsistent,
    #[msg("A lock-end bucket this instruction needs was not passed (a due day, or the position's lock)")]
    MissingBoostEnd,
    #[msg(
        "An account passed as a lock-end bucket is not a writable bucket of this pool for that day"
    )]
    InvalidBoostEnd,
    #[msg("No lock-end bucket is due")]
    NoBoostEndDue,
}
