//! Decoding program events from transaction logs (`Program data: <base64>`
//! lines written by Anchor's `emit!`). The crank and indexers follow these.
//! Natively compiled programs do not log events (Anchor's off-chain
//! `sol_log_data` is a no-op), so only SBF runs and real clusters show them.

use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use depin_fractional::events as fractional;
use depin_payments::events as payments;
use depin_registry::events as registry;
use depin_revenue::events as revenue;
use depin_rewards::events as rewards;
use depin_staking::events as staking;

const PROGRAM_DATA: &str = "Program data: ";

/// The raw payloads of every `Program data:` log line.
pub fn program_data(logs: &[String]) -> Vec<Vec<u8>> {
    logs.iter()
        .filter_map(|line| line.strip_prefix(PROGRAM_DATA))
        .filter_map(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .collect()
}

macro_rules! event_enum {
    ($name:ident, $module:ident { $($event:ident),* $(,)? }) => {
        /// Every event one program emits.
        #[derive(Debug, Clone)]
        pub enum $name {
            $($event($module::$event),)*
        }

        impl $name {
            fn decode(data: &[u8]) -> Option<Self> {
                $(
                    if let Some(mut body) = data.strip_prefix(<$module::$event as Discriminator>::DISCRIMINATOR) {
                        return <$module::$event>::deserialize(&mut body).ok().map($name::$event);
                    }
                )*
                None
            }

            /// The event's type name, e.g. `"DeviceRegistered"`.
            pub fn name(&self) -> &'static str {
                match self {
                    $($name::$event(_) => stringify!($event),)*
                }
            }
        }
    };
}

event_enum!(
    RegistryEvent,
    registry {
        PlatformInitialized,
        NetworkCreated,
        NetworkUpdated,
        NetworkPauseSet,
        OnboardingFeeSet,
        RoleGranted,
        RoleRevoked,
        MakerApproved,
        MakerQuotaSet,
        MakerRevoked,
        DeviceRegistered,
        DeviceUpdated,
        DeviceTransferred,
        DeviceOperatorSet,
        DeviceSuspended,
        DeviceResumed,
        DeviceRetired,
        DeviceClosed,
        DeviceAttested,
    }
);

event_enum!(
    RewardsEvent,
    rewards {
        DistributorCreated,
        DistributorFunded,
        LedgerPageCreated,
        RootProposed,
        RootApproved,
        RootFullyApproved,
        RootActivated,
        RootVetoed,
        GuardsSet,
        RewardClaimed,
        DistributorPauseSet,
        ClawedBack,
        LedgerPageClosed,
    }
);

event_enum!(
    StakingEvent,
    staking {
        PoolCreated,
        Staked,
        LockupExtended,
        LockupExpired,
        BoostEndApplied,
        RewardsClaimed,
        UnstakeRequested,
        Withdrawn,
        RewardsFunded,
        Bonded,
        Slashed,
    }
);

event_enum!(
    RevenueEvent,
    revenue {
        RevenuePoolCreated,
        RevenueDeposited,
        SharesDeposited,
        SharesWithdrawn,
        RevenueClaimed,
        HoldingOpened,
        SharesMoved,
        HoldingDissolved,
    }
);

event_enum!(
    FractionalEvent,
    fractional {
        MarketConfigured,
        AllowlistSet,
        AssetCreated,
        SharesRetained,
        OfferingCreated,
        SharesBought,
        OfferingClosed,
        OfferingUnwound,
        PurchaseDelivered,
        Refunded,
        OfferingCancelled,
        OfferingSettled,
        AssetRetired,
        AssetAuthorityTransferred,
        AssetOperatorSet,
    }
);

event_enum!(
    PaymentsEvent,
    payments {
        TariffSet,
        TariffPauseSet,
        SessionOpened,
        SessionSettled,
        SessionClosed,
    }
);

/// The payments events in `logs`, in order.
pub fn payments_events(logs: &[String]) -> Vec<PaymentsEvent> {
    program_data(logs)
        .iter()
        .filter_map(|data| PaymentsEvent::decode(data))
        .collect()
}

/// The rewards events in `logs`, in order.
pub fn rewards_events(logs: &[String]) -> Vec<RewardsEvent> {
    program_data(logs)
        .iter()
        .filter_map(|data| RewardsEvent::decode(data))
        .collect()
}

/// The names of every depin event in `logs`, in order.
pub fn event_names(logs: &[String]) -> Vec<&'static str> {
    program_data(logs)
        .iter()
        .filter_map(|data| {
            RegistryEvent::decode(data)
                .map(|e| e.name())
                .or_else(|| RewardsEvent::decode(data).map(|e| e.name()))
                .or_else(|| StakingEvent::decode(data).map(|e| e.name()))
                .or_else(|| RevenueEvent::decode(data).map(|e| e.name()))
                .or_else(|| FractionalEvent::decode(data).map(|e| e.name()))
                .or_else(|| PaymentsEvent::decode(data).map(|e| e.name()))
        })
        .collect()
}

/// The registry events in `logs`, in order.
pub fn registry_events(logs: &[String]) -> Vec<RegistryEvent> {
    program_data(logs)
        .iter()
        .filter_map(|data| RegistryEvent::decode(data))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;
    use anchor_lang::Event;
    use registry::DeviceTransferred;

    #[test]
    fn decodes_an_emitted_event() {
        let event = DeviceTransferred {
            device: Pubkey::new_unique(),
            from: Pubkey::new_unique(),
            to: Pubkey::new_unique(),
        };
        let line = format!(
            "{PROGRAM_DATA}{}",
            base64::engine::general_purpose::STANDARD.encode(event.data())
        );
        let logs = vec!["Program log: Instruction: TransferDevice".to_string(), line];
        let decoded = registry_events(&logs);
        assert_eq!(decoded.len(), 1);
        match &decoded[0] {
            RegistryEvent::DeviceTransferred(e) => {
                assert_eq!((e.device, e.to), (event.device, event.to))
            }
            other => panic!("decoded {other:?}"),
        }
        assert!(registry_events(&["Program data: !!!".to_string()]).is_empty());
    }
}
