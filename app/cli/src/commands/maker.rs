//! `depin maker ...`: the device makers of a network (maker-manager role):
//! approve, quota, revoke, show, list. A maker is named by its authority,
//! the key that co-signs every device registration.
//!
//! JSON of a maker (show, list): `{"address", "network", "authority", "id",
//! "name", "quota", "devices_onboarded", "active"}`; `list`: `{"network",
//! "makers": [MAKER]}` by id. `approve`: `{"address", "network",
//! "authority", "name", "quota"}`; `quota`: `{"address", "network",
//! "authority", "quota"}`; `revoke`: `{"address", "network", "authority",
//! "active": false}`. Commands that send add `"transaction"` (see `tx`).

use anyhow::{anyhow, bail, Result};
use clap::Subcommand;
use depin_client::depin_registry::{pda, state::Maker, state::Network};
use depin_client::registry::{self, ApproveMakerArgs};
use depin_client::{ClientError, Pubkey};
use serde_json::{json, Value};

use super::network::{authority, object_human, AuthorityArg, NetworkRef};
use crate::table::Table;
use crate::tx::{Session, TxArgs};

#[derive(Subcommand)]
pub enum MakerCommand {
    /// Approves a maker: its authority may then co-sign up to QUOTA device registrations (maker-manager).
    Approve {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The key the maker co-signs registrations with.
        maker_authority: Pubkey,
        /// The maker's name, at most 32 bytes.
        #[arg(long)]
        name: String,
        /// Lifetime cap on the devices it may onboard.
        #[arg(long)]
        quota: u32,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Changes a maker's quota; never below the devices it already onboarded (maker-manager).
    Quota {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The maker's authority (the key that co-signs registrations).
        maker_authority: Pubkey,
        quota: u32,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Revokes a maker: it onboards nothing more; its devices stay (maker-manager).
    Revoke {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The maker's authority (the key that co-signs registrations).
        maker_authority: Pubkey,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Shows a maker.
    Show {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
        /// The maker's authority (the key that co-signs registrations).
        maker_authority: Pubkey,
    },
    /// Lists a network's makers (approved and revoked).
    List {
        /// The network: its id (0, 1, ...) or its address.
        network: NetworkRef,
    },
}

impl MakerCommand {
    /// The transaction flags of a command that sends (reads have none).
    pub fn tx_args(&self) -> TxArgs {
        match self {
            MakerCommand::Approve { tx, .. }
            | MakerCommand::Quota { tx, .. }
            | MakerCommand::Revoke { tx, .. } => tx.clone(),
            MakerCommand::Show { .. } | MakerCommand::List { .. } => TxArgs::default(),
        }
    }
}

/// Reads a network, or says it does not exist and how to find one.
pub async fn load_network(session: &Session, network: &NetworkRef) -> Result<Network> {
    match registry::network(session.cluster()?, &network.0).await {
        Ok(stored) => Ok(stored),
        Err(ClientError::AccountNotFound(_)) => Err(anyhow!(
            "there is no network at {} on {}: `depin network list` shows the networks",
            network.0,
            session.url()
        )),
        Err(error) => Err(error.into()),
    }
}

/// Checks the network exists when the cluster is at hand (not offline), so
/// a typo fails with a clear message before anything is signed.
pub async fn check_network(session: &Session, network: &NetworkRef) -> Result<Option<Network>> {
    if session.tx.sign_only {
        return Ok(None);
    }
    load_network(session, network).await.map(Some)
}

async fn load_maker(session: &Session, network: &NetworkRef, authority: &Pubkey) -> Result<Maker> {
    load_network(session, network).await?;
    match registry::maker(session.cluster()?, &network.0, authority).await {
        Ok(maker) => Ok(maker),
        Err(ClientError::AccountNotFound(_)) => Err(anyhow!(
            "network {} has no maker with authority {authority}: `depin maker list {}` shows its makers",
            network.0,
            network.0
        )),
        Err(error) => Err(error.into()),
    }
}

pub async fn run(session: &Session, command: MakerCommand) -> Result<()> {
    let payer = session.fee_payer.pubkey();
    match command {
        MakerCommand::Approve {
            network,
            maker_authority,
            name,
            quota,
            authority: who,
            ..
        } => {
            if name.is_empty() || name.len() > 32 {
                bail!("--name must be 1 to 32 bytes (it is {} bytes)", name.len());
            }
            check_network(session, &network).await?;
            let signer = authority(session, &who)?;
            let address = pda::maker(&network.0, &maker_authority).0;
            let ix = registry::approve_maker(
                &payer,
                &signer.pubkey(),
                &network.0,
                ApproveMakerArgs {
                    maker_authority,
                    name: name.clone(),
                    quota,
                },
            );
            let summary = json!({
                "address": address.to_string(),
                "network": network.0.to_string(),
                "authority": maker_authority.to_string(),
                "name": name,
                "quota": quota,
            });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Maker {name:?} approved at {address} (authority {maker_authority}, quota {quota})")
                })
                .await?;
            Ok(())
        }
        MakerCommand::Quota {
            network,
            maker_authority,
            quota,
            authority: who,
            ..
        } => {
            if !session.tx.sign_only {
                load_maker(session, &network, &maker_authority).await?;
            }
            let signer = authority(session, &who)?;
            let address = pda::maker(&network.0, &maker_authority).0;
            let ix =
                registry::set_maker_quota(&signer.pubkey(), &network.0, &maker_authority, quota);
            let summary = json!({
                "address": address.to_string(),
                "network": network.0.to_string(),
                "authority": maker_authority.to_string(),
                "quota": quota,
            });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Maker {maker_authority}: quota {quota}")
                })
                .await?;
            Ok(())
        }
        MakerCommand::Revoke {
            network,
            maker_authority,
            authority: who,
            ..
        } => {
            if !session.tx.sign_only {
                load_maker(session, &network, &maker_authority).await?;
            }
            let signer = authority(session, &who)?;
            let address = pda::maker(&network.0, &maker_authority).0;
            let ix = registry::revoke_maker(&signer.pubkey(), &network.0, &maker_authority);
            let summary = json!({
                "address": address.to_string(),
                "network": network.0.to_string(),
                "authority": maker_authority.to_string(),
                "active": false,
            });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Maker {maker_authority} revoked")
                })
                .await?;
            Ok(())
        }
        MakerCommand::Show {
            network,
            maker_authority,
        } => {
            let maker = load_maker(session, &network, &maker_authority).await?;
            let address = pda::maker(&network.0, &maker_authority).0;
            let json = maker_json(&address, &maker);
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
        MakerCommand::List { network } => {
            load_network(session, &network).await?;
            let mut makers = registry::makers(session.cluster()?, &network.0).await?;
            makers.sort_by_key(|(_, m)| m.maker_id);
            let makers: Vec<Value> = makers.iter().map(|(a, m)| maker_json(a, m)).collect();
            let json = json!({ "network": network.0.to_string(), "makers": makers });
            session.output.print(&json, || {
                let mut table =
                    Table::new(&["id", "name", "authority", "onboarded", "quota", "active"]);
                for m in &makers {
                    table.row(vec![
                        m["id"].to_string(),
                        m["name"].as_str().unwrap_or("").to_string(),
                        m["authority"].as_str().unwrap_or("").to_string(),
                        m["devices_onboarded"].to_string(),
                        m["quota"].to_string(),
                        m["active"].to_string(),
                    ]);
                }
                table.render()
            });
            Ok(())
        }
    }
}

pub fn maker_json(address: &Pubkey, m: &Maker) -> Value {
    let name_len = m.name.iter().position(|b| *b == 0).unwrap_or(m.name.len());
    json!({
        "address": address.to_string(),
        "network": m.network.to_string(),
        "authority": m.authority.to_string(),
        "id": m.maker_id,
        "name": String::from_utf8_lossy(&m.name[..name_len]),
        "quota": m.quota,
        "devices_onboarded": m.devices_onboarded,
        "active": m.active,
    })
}
