//! `depin network ...`: what a network operator runs: create, show, list,
//! update, pause/unpause, the onboarding fee, roles and members.
//!
//! A network is named by its id (`0`, `1`, ...) or its address. JSON of a
//! network (show, list, create): `{"address", "id", "name", "creator",
//! "reward_mint", "fee": {"mint", "treasury", "amount"} | null,
//! "epoch_length_secs", "min_operator_bond", "makers", "devices",
//! "registrations", "admins", "paused", "created_at"}`; a member:
//! `{"authority", "address", "roles": [NAME], "permissions"}`. Commands that
//! send add `"transaction"` (see `tx`).

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use depin_client::depin_registry::{self, pda, state::Member, state::Network};
use depin_client::registry::{self, permission_names, CreateNetworkArgs, UpdateNetworkArgs};
use depin_client::{fetch_all, AccountFilter, Pubkey};
use serde_json::{json, Value};

use super::init::parse_grant;
use crate::table::Table;
use crate::tx::{Session, SignerSource, TxArgs};

/// A network given as its id or its address.
#[derive(Debug, Clone, Copy)]
pub struct NetworkRef(pub Pubkey);

impl std::str::FromStr for NetworkRef {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        if let Ok(id) = text.parse::<u32>() {
            return Ok(NetworkRef(pda::network(id).0));
        }
        text.parse::<Pubkey>()
            .map(NetworkRef)
            .map_err(|_| format!("{text:?} is neither a network id nor an address"))
    }
}

#[derive(Args)]
pub struct AuthorityArg {
    /// The member acting (a keypair file, or a public key when signing offline) [default: -k]
    #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
    pub authority: Option<String>,
}

#[derive(Subcommand)]
pub enum NetworkCommand {
    /// Creates a network; the signer becomes its first admin.
    Create {
        /// Name, at most 32 bytes.
        #[arg(long)]
        name: String,
        /// The mint rewards are paid in.
        #[arg(long, value_name = "MINT")]
        reward_mint: Pubkey,
        /// Reward epoch, in seconds.
        #[arg(long, default_value_t = 86_400, value_name = "SECONDS")]
        epoch_length: u32,
        /// Bond an operator stakes, in base units of the reward mint.
        #[arg(long, default_value_t = 0, value_name = "AMOUNT")]
        min_operator_bond: u64,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Shows a network.
    Show { network: NetworkRef },
    /// Lists every network.
    List,
    /// Changes the epoch length or the operator bond (admin).
    Update {
        network: NetworkRef,
        #[arg(long, value_name = "SECONDS")]
        epoch_length: Option<u32>,
        #[arg(long, value_name = "AMOUNT")]
        min_operator_bond: Option<u64>,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Stops registrations, attestations and sales on the network (admin).
    Pause {
        network: NetworkRef,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Lifts a pause (admin).
    Unpause {
        network: NetworkRef,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Sets the fee a device pays to register (treasury); `--amount 0` removes it.
    Fee {
        network: NetworkRef,
        /// Base units of the fee mint per registration.
        #[arg(long)]
        amount: u64,
        /// The fee's mint (required unless the amount is 0).
        #[arg(long, value_name = "MINT")]
        mint: Option<Pubkey>,
        /// Token account of that mint that receives the fees.
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        treasury: Option<Pubkey>,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Grants or revokes roles (admin).
    #[command(subcommand)]
    Roles(RolesCommand),
    /// Lists the network's members and their roles.
    Members { network: NetworkRef },
}

#[derive(Subcommand)]
pub enum RolesCommand {
    /// Grants roles, e.g. `grant 0 KEY oracle,treasury`.
    Grant {
        network: NetworkRef,
        member: Pubkey,
        /// admin, maker-manager, oracle, compliance, treasury, device-manager, slasher
        #[arg(value_name = "ROLE[,ROLE]")]
        roles: String,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Revokes roles; a member left with none is closed (rent to the authority).
    Revoke {
        network: NetworkRef,
        member: Pubkey,
        #[arg(value_name = "ROLE[,ROLE]")]
        roles: String,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
}

impl NetworkCommand {
    /// The transaction flags of a command that sends (reads have none).
    pub fn tx_args(&self) -> TxArgs {
        match self {
            NetworkCommand::Create { tx, .. }
            | NetworkCommand::Update { tx, .. }
            | NetworkCommand::Pause { tx, .. }
            | NetworkCommand::Unpause { tx, .. }
            | NetworkCommand::Fee { tx, .. }
            | NetworkCommand::Roles(RolesCommand::Grant { tx, .. })
            | NetworkCommand::Roles(RolesCommand::Revoke { tx, .. }) => tx.clone(),
            NetworkCommand::Show { .. } | NetworkCommand::List | NetworkCommand::Members { .. } => {
                TxArgs::default()
            }
        }
    }
}

/// The authority flag's signer, else the -k keypair.
pub fn authority(session: &Session, arg: &AuthorityArg) -> Result<SignerSource> {
    session.signer(arg.authority.as_deref(), "--authority")
}

fn roles_bits(roles: &str, member: &Pubkey) -> Result<u16> {
    parse_grant(&format!("{roles}={member}")).map(|(_, bits)| bits)
}

pub async fn run(session: &Session, command: NetworkCommand) -> Result<()> {
    let payer = session.fee_payer.pubkey();
    match command {
        NetworkCommand::Create {
            name,
            reward_mint,
            epoch_length,
            min_operator_bond,
            ..
        } => {
            let id = registry::next_network_id(session.cluster()?).await?;
            let creator = &session.fee_payer;
            let address = pda::network(id).0;
            let ix = registry::create_network(
                &payer,
                &creator.pubkey(),
                id,
                &reward_mint,
                CreateNetworkArgs {
                    name: name.clone(),
                    epoch_length_secs: epoch_length,
                    min_operator_bond,
                },
            );
            let summary = json!({ "address": address.to_string(), "id": id, "name": name });
            session
                .run(&[ix], &[], summary, || {
                    format!("Network {id} {name:?} at {address}")
                })
                .await?;
            Ok(())
        }
        NetworkCommand::Show { network } => {
            let stored = registry::network(session.cluster()?, &network.0).await?;
            let json = network_json(&network.0, &stored);
            session.output.print(&json, || network_human(&json));
            Ok(())
        }
        NetworkCommand::List => {
            let all = fetch_all::<Network>(session.cluster()?, &depin_registry::ID, &[]).await?;
            let mut all: Vec<Value> = all.iter().map(|(a, n)| network_json(a, n)).collect();
            all.sort_by_key(|n| n["id"].as_u64());
            let json = json!({ "networks": all });
            session.output.print(&json, || {
                let mut table =
                    Table::new(&["id", "name", "address", "devices", "makers", "paused"]);
                for n in &all {
                    table.row(vec![
                        n["id"].to_string(),
                        n["name"].as_str().unwrap_or("").to_string(),
                        n["address"].as_str().unwrap_or("").to_string(),
                        n["devices"].to_string(),
                        n["makers"].to_string(),
                        n["paused"].to_string(),
                    ]);
                }
                table.render()
            });
            Ok(())
        }
        NetworkCommand::Update {
            network,
            epoch_length,
            min_operator_bond,
            authority: who,
            ..
        } => {
            if epoch_length.is_none() && min_operator_bond.is_none() {
                bail!("nothing to update: give --epoch-length and/or --min-operator-bond");
            }
            let signer = authority(session, &who)?;
            let ix = registry::update_network(
                &signer.pubkey(),
                &network.0,
                UpdateNetworkArgs {
                    epoch_length_secs: epoch_length,
                    min_operator_bond,
                },
            );
            let summary = json!({ "network": network.0.to_string(),
                "epoch_length_secs": epoch_length, "min_operator_bond": min_operator_bond });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Network {} updated", network.0)
                })
                .await?;
            Ok(())
        }
        NetworkCommand::Pause {
            network,
            authority: who,
            ..
        } => set_paused(session, network, &who, true).await,
        NetworkCommand::Unpause {
            network,
            authority: who,
            ..
        } => set_paused(session, network, &who, false).await,
        NetworkCommand::Fee {
            network,
            amount,
            mint,
            treasury,
            authority: who,
            ..
        } => {
            let fee = match (amount, mint, treasury) {
                (0, None, None) => None,
                (_, Some(mint), Some(treasury)) => Some((mint, treasury)),
                (0, _, _) => bail!("--amount 0 removes the fee: leave out --mint and --treasury"),
                _ => bail!("a fee needs --mint and --treasury (a token account of that mint)"),
            };
            let signer = authority(session, &who)?;
            let ix = registry::set_onboarding_fee(&signer.pubkey(), &network.0, fee, amount);
            let summary = json!({
                "network": network.0.to_string(),
                "fee": fee.map(|(mint, treasury)| json!({
                    "mint": mint.to_string(), "treasury": treasury.to_string(), "amount": amount,
                })),
            });
            session
                .run(&[ix], &[&signer], summary, || match fee {
                    Some(_) => format!("Onboarding fee set to {amount} base units"),
                    None => "Onboarding fee removed".into(),
                })
                .await?;
            Ok(())
        }
        NetworkCommand::Roles(RolesCommand::Grant {
            network,
            member,
            roles,
            authority: who,
            ..
        }) => {
            let bits = roles_bits(&roles, &member)?;
            let signer = authority(session, &who)?;
            let ix = registry::grant_role(&payer, &signer.pubkey(), &network.0, &member, bits);
            let summary = json!({ "network": network.0.to_string(), "member": member.to_string(),
                "granted": permission_names(bits) });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Granted {} to {member}", permission_names(bits).join(", "))
                })
                .await?;
            Ok(())
        }
        NetworkCommand::Roles(RolesCommand::Revoke {
            network,
            member,
            roles,
            authority: who,
            ..
        }) => {
            let bits = roles_bits(&roles, &member)?;
            let signer = authority(session, &who)?;
            let ix = registry::revoke_role(&signer.pubkey(), &network.0, &member, bits, &payer);
            let summary = json!({ "network": network.0.to_string(), "member": member.to_string(),
                "revoked": permission_names(bits) });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!(
                        "Revoked {} from {member}",
                        permission_names(bits).join(", ")
                    )
                })
                .await?;
            Ok(())
        }
        NetworkCommand::Members { network } => {
            let filter = AccountFilter::Memcmp {
                offset: 8,
                bytes: network.0.to_bytes().to_vec(),
            };
            let members =
                fetch_all::<Member>(session.cluster()?, &depin_registry::ID, &[filter]).await?;
            let members: Vec<Value> = members
                .iter()
                .map(|(address, m)| {
                    json!({
                        "authority": m.authority.to_string(),
                        "address": address.to_string(),
                        "roles": permission_names(m.permissions),
                        "permissions": m.permissions,
                    })
                })
                .collect();
            let json = json!({ "network": network.0.to_string(), "members": members });
            session.output.print(&json, || {
                let mut table = Table::new(&["authority", "roles"]);
                for m in &members {
                    let roles: Vec<&str> = m["roles"]
                        .as_array()
                        .map(|r| r.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    table.row(vec![
                        m["authority"].as_str().unwrap_or("").to_string(),
                        roles.join(","),
                    ]);
                }
                table.render()
            });
            Ok(())
        }
    }
}

async fn set_paused(
    session: &Session,
    network: NetworkRef,
    who: &AuthorityArg,
    paused: bool,
) -> Result<()> {
    let signer = authority(session, who)?;
    let ix = registry::set_network_paused(&signer.pubkey(), &network.0, paused);
    let summary = json!({ "network": network.0.to_string(), "paused": paused });
    session
        .run(&[ix], &[&signer], summary, || {
            format!(
                "Network {} {}",
                network.0,
                if paused { "paused" } else { "unpaused" }
            )
        })
        .await?;
    Ok(())
}

pub fn network_json(address: &Pubkey, n: &Network) -> Value {
    let name_len = n.name.iter().position(|b| *b == 0).unwrap_or(n.name.len());
    let fee = (n.fee_mint != Pubkey::default()).then(|| {
        json!({
            "mint": n.fee_mint.to_string(),
            "treasury": n.fee_treasury.to_string(),
            "amount": n.onboarding_fee,
        })
    });
    json!({
        "address": address.to_string(),
        "id": n.network_id,
        "name": String::from_utf8_lossy(&n.name[..name_len]),
        "creator": n.creator.to_string(),
        "reward_mint": n.reward_mint.to_string(),
        "fee": fee,
        "epoch_length_secs": n.epoch_length_secs,
        "min_operator_bond": n.min_operator_bond,
        "makers": n.maker_count,
        "devices": n.device_count,
        "registrations": n.registrations,
        "admins": n.admin_count,
        "paused": n.paused,
        "created_at": n.created_at,
    })
}

/// Key: value lines of a JSON object (nested objects inline).
pub fn object_human(json: &Value) -> String {
    json.as_object()
        .map(|map| {
            map.iter()
                .map(|(key, value)| match value {
                    Value::String(s) => format!("{key}: {s}"),
                    other => format!("{key}: {other}"),
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn network_human(json: &Value) -> String {
    object_human(json)
}
