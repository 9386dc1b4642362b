//! Rewards (compressed claims): instruction builders, readers, and the
//! off-chain reward tree whose root the oracles approve.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{Discriminator, InstructionData, ToAccountMetas};
use depin_merkle::{leaf_hash, MerkleTree};
use depin_registry::pda::member;
use depin_rewards::state::{ClaimLedger, Distributor, LEDGER_PAGE_SIZE};
pub use depin_rewards::state::{Guards, ProposalStatus, RootContent, RootProposal};
use depin_rewards::{accounts as accs, instruction as ixs, pda};
use solana_instruction::Instruction;

pub use depin_rewards::claims::ClaimArgs;
pub use depin_rewards::instructions::{CreateDistributorArgs, PostRootArgs, PushClaimArgs};

use crate::cluster::{fetch, Cluster};
use crate::error::ClientError;
use crate::token::TOKEN_PROGRAM_ID;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::solana_program::system_program::ID;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: depin_rewards::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

fn ledger_for(distributor: &Pubkey, index: u32) -> Pubkey {
    pda::ledger(distributor, ClaimLedger::locate(index).0).0
}

/// `authority` needs the treasury permission in `network`. `treasury` is the
/// token account (of `mint`) that receives the remainder after expiry.
pub fn create_distributor(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    mint: &Pubkey,
    treasury: &Pubkey,
    args: CreateDistributorArgs,
) -> Instruction {
    let distributor = pda::distributor(network, mint, args.pool_id).0;
    build(
        accs::CreateDistributor {
            payer: *payer,
            authority: *authority,
            member: member(network, authority).0,
            network: *network,
            mint: *mint,
            distributor,
            vault: pda::vault(&distributor).0,
            root_proposal: pda::root_proposal(&distributor).0,
            treasury: *treasury,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::CreateDistributor { args },
    )
}

pub fn fund(funder: &Pubkey, distributor: &Pubkey, source: &Pubkey, amount: u64) -> Instruction {
    build(
        accs::Fund {
            funder: *funder,
            distributor: *distributor,
            vault: pda::vault(distributor).0,
            source: *source,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::Fund { amount },
    )
}

/// `authority` needs the oracle permission; `payer` pays the page's rent.
pub fn create_ledger_page(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    distributor: &Pubkey,
    page: u32,
) -> Instruction {
    build(
        accs::CreateLedgerPage {
            payer: *payer,
            authority: *authority,
            member: member(network, authority).0,
            distributor: *distributor,
            ledger: pda::ledger(distributor, page).0,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::CreateLedgerPage { page },
    )
}

/// `authority` needs the oracle permission: proposes the root, or approves
/// the same root another oracle proposed. The last approval needed
/// activates it when the distributor has no challenge period.
pub fn post_root(
    authority: &Pubkey,
    network: &Pubkey,
    distributor: &Pubkey,
    args: PostRootArgs,
) -> Instruction {
    build(
        accs::PostRoot {
            authority: *authority,
            member: member(network, authority).0,
            distributor: *distributor,
            root_proposal: pda::root_proposal(distributor).0,
            vault: pda::vault(distributor).0,
        },
        ixs::PostRoot { args },
    )
}

/// Anyone, once the approved root's challenge period is over.
pub fn activate_root(distributor: &Pubkey) -> Instruction {
    build(
        accs::ActivateRoot {
            distributor: *distributor,
            root_proposal: pda::root_proposal(distributor).0,
            vault: pda::vault(distributor).0,
        },
        ixs::ActivateRoot {},
    )
}

/// `authority` needs the admin permission: stops the open proposal.
pub fn veto_root(authority: &Pubkey, network: &Pubkey, distributor: &Pubkey) -> Instruction {
    build(
        accs::VetoRoot {
            authority: *authority,
            member: member(network, authority).0,
            distributor: *distributor,
            root_proposal: pda::root_proposal(distributor).0,
        },
        ixs::VetoRoot {},
    )
}

/// `authority` needs the admin permission.
pub fn set_guards(
    authority: &Pubkey,
    network: &Pubkey,
    distributor: &Pubkey,
    guards: Guards,
) -> Instruction {
    build(
        accs::SetGuards {
            authority: *authority,
            member: member(network, authority).0,
            distributor: *distributor,
            root_proposal: pda::root_proposal(distributor).0,
        },
        ixs::SetGuards { guards },
    )
}

/// The recipient signs and chooses any token account of the mint.
pub fn claim(
    recipient: &Pubkey,
    distributor: &Pubkey,
    destination: &Pubkey,
    args: ClaimArgs,
) -> Instruction {
    build(
        accs::Claim {
            recipient: *recipient,
            distributor: *distributor,
            ledger: ledger_for(distributor, args.index),
            vault: pda::vault(distributor).0,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::Claim { args },
    )
}

/// Anyone sends; `destination` must be a token account owned by `recipient`.
pub fn push_claim(
    distributor: &Pubkey,
    recipient: &Pubkey,
    destination: &Pubkey,
    claim: ClaimArgs,
) -> Instruction {
    build(
        accs::PushClaim {
            distributor: *distributor,
            ledger: ledger_for(distributor, claim.index),
            vault: pda::vault(distributor).0,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::PushClaim {
            args: PushClaimArgs {
                recipient: *recipient,
                claim,
            },
        },
    )
}

/// `authority` needs the admin permission.
pub fn set_paused(
    authority: &Pubkey,
    network: &Pubkey,
    distributor: &Pubkey,
    paused: bool,
) -> Instruction {
    build(
        accs::SetPaused {
            authority: *authority,
            member: member(network, authority).0,
            distributor: *distributor,
        },
        ixs::SetPaused { paused },
    )
}

/// After expiry, anyone: sends the remainder to the distributor's treasury.
pub fn clawback(distributor: &Pubkey, treasury: &Pubkey) -> Instruction {
    build(
        accs::Clawback {
            distributor: *distributor,
            vault: pda::vault(distributor).0,
            treasury: *treasury,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::Clawback {},
    )
}

/// `authority` needs the treasury permission; only after the clawback.
pub fn close_ledger_page(
    authority: &Pubkey,
    network: &Pubkey,
    distributor: &Pubkey,
    page: u32,
    rent_receiver: &Pubkey,
) -> Instruction {
    build(
        accs::CloseLedgerPage {
            authority: *authority,
            member: member(network, authority).0,
            distributor: *distributor,
            ledger: pda::ledger(distributor, page).0,
            rent_receiver: *rent_receiver,
        },
        ixs::CloseLedgerPage {},
    )
}

// ---- readers ----

pub async fn distributor(
    cluster: &impl Cluster,
    address: &Pubkey,
) -> Result<Distributor, ClientError> {
    fetch(cluster, address).await
}

/// The distributor's root proposal: the approval rules and the root being
/// approved (with its approvers and status).
pub async fn root_proposal(
    cluster: &impl Cluster,
    distributor: &Pubkey,
) -> Result<RootProposal, ClientError> {
    fetch(cluster, &pda::root_proposal(distributor).0).await
}

/// The guards in force (they live in two accounts).
pub async fn guards(cluster: &impl Cluster, distributor: &Pubkey) -> Result<Guards, ClientError> {
    let state = self::distributor(cluster, distributor).await?;
    let proposal = root_proposal(cluster, distributor).await?;
    Ok(Guards::of(&state, &proposal))
}

/// Unix seconds from which the approved root can be activated; `None`
/// unless a root is approved and waiting.
pub fn activates_at(proposal: &RootProposal) -> Option<i64> {
    (proposal.status == ProposalStatus::Approved).then(|| proposal.claimable_at())
}

/// What leaf `index` has claimed so far (0 if its ledger page is missing).
pub async fn claimed(
    cluster: &impl Cluster,
    distributor: &Pubkey,
    index: u32,
) -> Result<u64, ClientError> {
    let address = ledger_for(distributor, index);
    let Some(account) = cluster.get_account(&address).await? else {
        return Ok(0);
    };
    let decode_err = |reason: &str| ClientError::Decode {
        address,
        expected: "ClaimLedger",
        reason: reason.into(),
    };
    let body = account
        .data
        .strip_prefix(ClaimLedger::DISCRIMINATOR)
        .ok_or_else(|| decode_err("wrong discriminator"))?;
    let ledger: &ClaimLedger =
        bytemuck::try_from_bytes(body).map_err(|e| decode_err(&e.to_string()))?;
    Ok(ledger.claimed[ClaimLedger::locate(index).1])
}

/// Ledger pages needed for `recipients` leaves.
pub fn pages_for(recipients: u32) -> u32 {
    recipients.div_ceil(LEDGER_PAGE_SIZE as u32)
}

// ---- the off-chain tree ----

/// Everyone's cumulative rewards in one distributor, each at a stable leaf
/// index (its ledger slot): a recipient keeps its index across epochs, and
/// new recipients are appended.
#[derive(Debug, Clone)]
pub struct RewardTree {
    distributor: Pubkey,
    entries: Vec<(Pubkey, u64)>,
    tree: MerkleTree,
}

impl RewardTree {
    /// `entries[i]` is the recipient at leaf index `i` and its cumulative
    /// amount. Panics on an empty list (a root needs at least one leaf).
    pub fn new(distributor: Pubkey, entries: Vec<(Pubkey, u64)>) -> Self {
        let leaves = entries
            .iter()
            .enumerate()
            .map(|(i, (recipient, amount))| {
                leaf_hash(
                    &distributor.to_bytes(),
                    &recipient.to_bytes(),
                    i as u32,
                    *amount,
                )
            })
            .collect();
        let tree = MerkleTree::new(leaves).expect("a reward tree needs at least one recipient");
        RewardTree {
            distributor,
            entries,
            tree,
        }
    }

    pub fn root(&self) -> [u8; 32] {
        self.tree.root()
    }

    pub fn depth(&self) -> usize {
        self.tree.depth()
    }

    pub fn cumulative_total(&self) -> u64 {
        self.entries.iter().map(|(_, amount)| amount).sum()
    }

    pub fn recipient_count(&self) -> u32 {
        self.entries.len() as u32
    }

    /// What oracles approve for this tree at `epoch`.
    pub fn content(&self, epoch: u64) -> RootContent {
        self.post_root_args(epoch).content()
    }

    /// The post_root arguments for this tree at `epoch`.
    pub fn post_root_args(&self, epoch: u64) -> PostRootArgs {
        PostRootArgs {
            epoch,
            root: self.root(),
            cumulative_total: self.cumulative_total(),
            recipient_count: self.recipient_count(),
        }
    }

    pub fn index_of(&self, recipient: &Pubkey) -> Option<u32> {
        self.entries
            .iter()
            .position(|(r, _)| r == recipient)
            .map(|i| i as u32)
    }

    /// The claim arguments (index, cumulative amount, proof) of `recipient`
    /// (its first leaf).
    pub fn claim_args(&self, recipient: &Pubkey) -> Option<ClaimArgs> {
        self.claim_args_at(self.index_of(recipient)?)
    }

    /// The claim arguments of leaf `index`, whoever it belongs to.
    pub fn claim_args_at(&self, index: u32) -> Option<ClaimArgs> {
        Some(ClaimArgs {
            index,
            cumulative_amount: self.entries.get(index as usize)?.1,
            proof: self.tree.proof(index)?,
        })
    }

    pub fn distributor(&self) -> &Pubkey {
        &self.distributor
    }
}

// ---- the proofs file ----

/// Lower-case hex of 32 bytes (roots and proof nodes in the proofs file).
pub fn hex32(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 64 hex digits as 32 bytes.
pub fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    let text = text.strip_prefix("0x").unwrap_or(text);
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// What claimants need for one root: the root's content and every
/// recipient's leaf index, cumulative amount and proof. As JSON (what
/// `depin rewards post-root --proofs-out` writes and the crank serves):
/// `{"distributor", "epoch", "root": HEX, "cumulative_total",
/// "recipient_count", "claims": {RECIPIENT: {"index", "amount", "proof":
/// [HEX]}}}` (amounts in base units, addresses base58).
#[derive(Debug, Clone)]
pub struct Proofs {
    pub distributor: Pubkey,
    pub content: RootContent,
    /// Recipients in leaf order.
    pub claims: Vec<(Pubkey, ClaimArgs)>,
}

impl Proofs {
    /// The claim of `recipient` (its first leaf).
    pub fn claim(&self, recipient: &Pubkey) -> Option<&ClaimArgs> {
        self.claims
            .iter()
            .find(|(r, _)| r == recipient)
            .map(|(_, args)| args)
    }

    pub fn to_json(&self) -> serde_json::Value {
        let claims: serde_json::Map<String, serde_json::Value> = self
            .claims
            .iter()
            .map(|(recipient, args)| {
                (
                    recipient.to_string(),
                    serde_json::json!({
                        "index": args.index,
                        "amount": args.cumulative_amount,
                        "proof": args.proof.iter().map(hex32).collect::<Vec<_>>(),
                    }),
                )
            })
            .collect();
        serde_json::json!({
            "distributor": self.distributor.to_string(),
            "epoch": self.content.epoch,
            "root": hex32(&self.content.root),
            "cumulative_total": self.content.cumulative_total,
            "recipient_count": self.content.recipient_count,
            "claims": claims,
        })
    }

    /// Reads [`to_json`](Self::to_json)'s shape; the error says what is wrong.
    pub fn from_json(json: &serde_json::Value) -> Result<Proofs, String> {
        let field = |name: &str| json.get(name).ok_or(format!("no {name:?} field"));
        let int = |name: &str| {
            field(name)?
                .as_u64()
                .ok_or(format!("{name:?} is not an integer"))
        };
        let distributor = field("distributor")?
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or("\"distributor\" is not an address")?;
        let root = field("root")?
            .as_str()
            .and_then(parse_hex32)
            .ok_or("\"root\" is not 64 hex digits")?;
        let content = RootContent {
            epoch: int("epoch")?,
            root,
            cumulative_total: int("cumulative_total")?,
            recipient_count: u32::try_from(int("recipient_count")?)
                .map_err(|_| "\"recipient_count\" is too large")?,
        };
        let entries = field("claims")?
            .as_object()
            .ok_or("\"claims\" is not an object")?;
        let mut claims = Vec::with_capacity(entries.len());
        for (recipient, entry) in entries {
            let bad = |what: &str| format!("claim of {recipient}: {what}");
            let recipient: Pubkey = recipient.parse().map_err(|_| bad("not an address"))?;
            let index = entry
                .get("index")
                .and_then(|v| v.as_u64())
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| bad("\"index\" is not a leaf index"))?;
            let cumulative_amount = entry
                .get("amount")
                .and_then(|v| v.as_u64())
                .ok_or_else(|| bad("\"amount\" is not an integer"))?;
            let proof = entry
                .get("proof")
                .and_then(|v| v.as_array())
                .ok_or_else(|| bad("\"proof\" is not a list"))?
                .iter()
                .map(|node| node.as_str().and_then(parse_hex32))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("a proof node is not 64 hex digits"))?;
            claims.push((
                recipient,
                ClaimArgs {
                    index,
                    cumulative_amount,
                    proof,
                },
            ));
        }
        claims.sort_by_key(|(_, args)| args.index);
        Ok(Proofs {
            distributor,
            content,
            claims,
        })
    }

    /// Reads a proofs file, or fetches it when `source` is an `http://` or
    /// `https://` URL (a crank's proofs endpoint).
    pub async fn load(source: &str) -> Result<Proofs, ClientError> {
        let fail = |reason: String| ClientError::Cluster(format!("proofs {source}: {reason}"));
        let text = if source.starts_with("http://") || source.starts_with("https://") {
            let response = reqwest::get(source)
                .await
                .map_err(|e| fail(format!("cannot fetch: {e}")))?;
            let status = response.status();
            if !status.is_success() {
                return Err(fail(format!("the server answered {status}")));
            }
            response
                .text()
                .await
                .map_err(|e| fail(format!("cannot read the answer: {e}")))?
        } else {
            std::fs::read_to_string(source).map_err(|e| fail(format!("cannot read: {e}")))?
        };
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| fail(format!("not JSON: {e}")))?;
        Proofs::from_json(&json).map_err(fail)
    }
}

impl RewardTree {
    /// The proofs file of this tree's root at `epoch`.
    pub fn proofs(&self, epoch: u64) -> Proofs {
        Proofs {
            distributor: self.distributor,
            content: self.content(epoch),
            claims: (0..self.recipient_count())
                .filter_map(|i| Some((self.entries[i as usize].0, self.claim_args_at(i)?)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_args_verify_against_the_root() {
        let distributor = Pubkey::new_unique();
        let entries: Vec<_> = (0..5)
            .map(|i| (Pubkey::new_unique(), 100 * (i + 1)))
            .collect();
        let tree = RewardTree::new(distributor, entries.clone());
        assert_eq!(tree.cumulative_total(), 1_500);
        assert_eq!(tree.depth(), 3);
        for (recipient, amount) in &entries {
            let args = tree.claim_args(recipient).unwrap();
            assert_eq!(args.cumulative_amount, *amount);
            let leaf = leaf_hash(
                &distributor.to_bytes(),
                &recipient.to_bytes(),
                args.index,
                *amount,
            );
            assert!(depin_merkle::verify(
                &tree.root(),
                &leaf,
                args.index,
                &args.proof
            ));
        }
        assert!(tree.claim_args(&Pubkey::new_unique()).is_none());
        assert_eq!((pages_for(1), pages_for(1024), pages_for(1025)), (1, 1, 2));
    }

    #[test]
    fn proofs_round_trip_through_json() {
        let entries: Vec<_> = (0..3)
            .map(|i| (Pubkey::new_unique(), 10 * (i + 1)))
            .collect();
        let tree = RewardTree::new(Pubkey::new_unique(), entries.clone());
        let proofs = tree.proofs(4);
        let json = proofs.to_json();
        assert_eq!(Proofs::from_json(&json).unwrap().to_json(), json);
        assert_eq!(proofs.claim(&entries[2].0).unwrap().cumulative_amount, 30);
        assert_eq!(parse_hex32(&hex32(&tree.root())), Some(tree.root()));
        let mut broken = proofs.to_json();
        broken["root"] = "zz".into();
        assert!(Proofs::from_json(&broken).unwrap_err().contains("root"));
    }
}
