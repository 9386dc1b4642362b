use anchor_lang::prelude::*;

#[error_code]
pub enum PaymentsError {
    #[msg("Only the device's controller (its owner, or the asset's authority when tokenized) may do this")]
    NotDeviceController,
    #[msg("The device is tokenized: pass its asset account")]
    AssetRequired,
    #[msg("An account does not belong to this device, session or tariff")]
    WrongAccount,
    #[msg("Tariff terms out of range (price, deposit, session length or operator cut)")]
    InvalidTariff,
    #[msg("A tokenized device must charge in its revenue pool's payment mint")]
    WrongPaymentMint,
    #[msg("The tariff is paused: no new sessions")]
    TariffPaused,
    #[msg("The tariff was set for an earlier registration or owner of this device: its controller must set it again")]
    StaleTariff,
    #[msg("The network is paused")]
    NetworkPaused,
    #[msg("The device is not active (suspended or retired)")]
    DeviceNotActive,
    #[msg("The deposit is below the tariff's minimum")]
    DepositTooSmall,
    #[msg("The fee account must be the market's fee recipient's, in the payment mint")]
    WrongFeeAccount,
    #[msg("A payout account must be a token account of the payment mint owned by its payee")]
    WrongPayoutAccount,
    #[msg("The instruction before settle must be the Ed25519 precompile checking the device's signature")]
    MissingEd25519Instruction,
    #[msg("The Ed25519 instruction is malformed or checks data outside itself")]
    MalformedEd25519Instruction,
    #[msg("The reading was not signed by this device's key")]
    ReadingSignerMismatch,
    #[msg("The signed message is not this reading of this session")]
    ReadingMessageMismatch,
    #[msg("The reading's sequence is not above the last one settled (replay)")]
    ReadingReplayed,
    #[msg("The reading must be above the units already settled")]
    ReadingNotIncreasing,
    #[msg("More units than the device's capacity allows in the session's elapsed time")]
    ImplausibleReading,
    #[msg("The whole deposit is already charged")]
    DepositExhausted,
    #[msg("The device was re-registered since the session opened")]
    RegistrationChanged,
    #[msg("The session is past its deadline: only a reclaim can end it")]
    SessionExpired,
    #[msg("The session has not reached its deadline yet")]
    SessionNotExpired,
    #[msg("Arithmetic overflow")]
    Overflow,
}
