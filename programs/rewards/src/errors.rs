use anchor_lang::prelude::*;

#[error_code]
pub enum RewardsError {
    #[msg("The signer lacks the permission this instruction needs in this network")]
    MissingPermission,
    #[msg("The account belongs to another network or distributor")]
    WrongNetwork,
    #[msg("The vault is not this distributor's vault")]
    WrongVault,
    #[msg("The token account is not of the distributor's mint")]
    WrongMint,
    #[msg("The treasury token account must hold the distributor's mint")]
    InvalidTreasury,
    #[msg("Expiry must be 0 (never) or in the future")]
    InvalidExpiry,
    #[msg("The distributor is paused")]
    Paused,
    #[msg("The distributor is already in the requested pause state")]
    PauseStateUnchanged,
    #[msg("The distributor has expired")]
    Expired,
    #[msg("The distributor has not expired yet")]
    NotExpired,
    #[msg("The remainder was already clawed back")]
    AlreadyClawedBack,
    #[msg("Clawback must happen before ledger pages are closed")]
    NotClawedBack,
    #[msg("A new root must have a higher epoch")]
    EpochNotIncreasing,
    #[msg("The cumulative total of a new root cannot shrink")]
    CumulativeTotalDecreased,
    #[msg("Vault balance plus claimed amounts do not cover the root's cumulative total")]
    RootUnfunded,
    #[msg("The root's recipients do not fit the ledger pages created so far")]
    LedgerTooSmall,
    #[msg("Ledger pages must be created in order")]
    LedgerPageOutOfOrder,
    #[msg("The ledger page does not hold this leaf index")]
    WrongLedgerPage,
    #[msg("The proof is longer than the maximum depth")]
    ProofTooLong,
    #[msg("The proof does not match the current root")]
    InvalidProof,
    #[msg("Everything in this leaf has been claimed already")]
    NothingToClaim,
    #[msg("The destination token account is not owned by the recipient")]
    DestinationNotRecipients,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Arithmetic overflow")]
    Overflow,
    #[msg("Claims would exceed the root's cumulative total")]
    ClaimExceedsTotal,
    #[msg("Guards need 1 to 8 approvals, a challenge period of at most 30 days, a non-zero outflow limit and an outflow window of 1 second to 366 days")]
    InvalidGuards,
    #[msg("The distributor already has these guards")]
    GuardsUnchanged,
    #[msg("The root proposal belongs to another distributor")]
    WrongProposal,
    #[msg("This oracle already approved this root")]
    DuplicateApproval,
    #[msg("The root already has all the approvals it needs")]
    AlreadyFullyApproved,
    #[msg("A fully approved root awaits activation or veto; no other root can be proposed")]
    RootAwaitingActivation,
    #[msg("No root has been proposed")]
    NoProposal,
    #[msg("The root has not been approved by enough oracles")]
    NotFullyApproved,
    #[msg("The root's challenge period has not ended")]
    ChallengePeriodActive,
    #[msg("The root was vetoed")]
    RootVetoed,
    #[msg("The root was already activated")]
    AlreadyActivated,
    #[msg("Claims would exceed the distributor's outflow limit for this window")]
    OutflowLimitExceeded,
}
