//! The rewards program's instructions, with claims at several proof depths.

use depin_client::rewards::{self, ClaimArgs, CreateDistributorArgs, Guards, PostRootArgs};
use depin_client::{token, Cluster, Keypair, Signer};
use depin_merkle::{leaf_hash, node_hash, root_from_proof, Hash};
use depin_registry::state::permission;
use depin_tests::*;

use crate::report::{fixed_key, Budget, Measured, Recorder};

pub const BUDGETS: &[Budget] = &[
    ("create_distributor", 31800, "DistributorCreated"),
    ("fund", 4400, "DistributorFunded"),
    ("create_ledger_page", 10400, "LedgerPageCreated"),
    ("post_root", 6900, "RootActivated"),
    ("post_root (propose)", 5900, "RootProposed"),
    ("post_root (approve)", 6300, "RootApproved"),
    ("activate_root", 4700, "RootActivated"),
    ("veto_root", 4500, "RootVetoed"),
    ("set_guards", 4700, "GuardsSet"),
    ("claim", 12100, "RewardClaimed"),
    ("push_claim", 10800, "RewardClaimed"),
    ("push_claim x3", 32300, "RewardClaimed"),
    ("set_paused", 2100, "DistributorPauseSet"),
    ("clawback", 5600, "ClawedBack"),
    ("close_ledger_page", 2700, "LedgerPageClosed"),
];

/// The target for a first claim at proof depth 20.
const CLAIM_DEPTH_20_TARGET: u64 = 10_000;
const DEPTHS: [usize; 4] = [10, 17, 20, 24];

/// A proof of `depth` levels for the leaf at `index`, and the root it folds
/// to: the cost of a claim depends only on the proof's length, so a path
/// stands in for a tree of 2^depth leaves (16M at depth 24).
fn path(leaf: &Hash, index: u32, depth: usize) -> (Hash, Vec<Hash>) {
    let siblings: Vec<Hash> = (0..depth)
        .map(|level| node_hash(&[level as u8; 32], &[index as u8; 32]))
        .collect();
    let root = root_from_proof(leaf, index, &siblings).expect("index fits the depth");
    (root, siblings)
}

pub async fn measure(rows: &mut Vec<Measured>) {
    let env = Env::with_admin(fixed_key(31)).await;
    let admin = env.admin.pubkey();
    let network = env.network;
    let payer = env.payer();
    let oracle = fixed_key(32);
    let grant = depin_client::registry::grant_role(
        &payer,
        &admin,
        &network,
        &oracle.pubkey(),
        permission::ORACLE,
    );
    env.send(&[grant], &[&env.admin]).await.unwrap();
    let mint = token::create_mint_at(&env.cluster, &fixed_key(33), &admin, 6)
        .await
        .unwrap();
    let treasury = token::create_token_account(&env.cluster, &mint, &admin)
        .await
        .unwrap();
    let funding = token::create_token_account(&env.cluster, &mint, &admin)
        .await
        .unwrap();
    token::mint_to(&env.cluster, &mint, &funding, &env.admin, 1_000_000)
        .await
        .unwrap();
    let mut r = Recorder::new(&env, "rewards", rows);

    // Claims are measured with the breaker counting (the limit is never
    // reached here); roots activate on the oracle's post.
    let guards = Guards {
        outflow_limit: 1_000_000,
        outflow_period_secs: 86_400,
        ..Guards::SINGLE_ORACLE
    };
    let args = CreateDistributorArgs {
        pool_id: 0,
        expires_at: 0,
        guards,
    };
    let ix = rewards::create_distributor(&payer, &admin, &network, &mint, &treasury, args);
    r.run(
        "create_distributor",
        "distributor + vault + root proposal",
        &[ix],
        &[&env.admin],
    )
    .await;
    let distributor = depin_rewards::pda::distributor(&network, &mint, 0).0;
    let ix = rewards::create_ledger_page(&payer, &oracle.pubkey(), &network, &distributor, 0);
    r.run(
        "create_ledger_page",
        "1,024 recipients, 8,240 bytes",
        &[ix],
        &[&oracle],
    )
    .await;
    let ix = rewards::fund(&admin, &distributor, &funding, 500_000);
    r.run("fund", "", &[ix], &[&env.admin]).await;

    // A first claim at each depth: recipient i at leaf index i.
    let mut total = 0;
    for (i, depth) in DEPTHS.into_iter().enumerate() {
        let recipient = fixed_key(40 + i as u8);
        let destination = token::create_token_account(&env.cluster, &mint, &recipient.pubkey())
            .await
            .unwrap();
        let (index, amount) = (i as u32, 1_000 * (i as u64 + 1));
        total += amount;
        let leaf = leaf_hash(
            &distributor.to_bytes(),
            &recipient.pubkey().to_bytes(),
            index,
            amount,
        );
        let (root, proof) = path(&leaf, index, depth);
        let post = PostRootArgs {
            epoch: i as u64 + 1,
            root,
            cumulative_total: total,
            recipient_count: 8,
        };
        let ix = rewards::post_root(&oracle.pubkey(), &network, &distributor, post);
        let sent = env.send(&[ix], &[&oracle]).await.unwrap();
        if i == 0 {
            r.record(
                "post_root",
                "1 of 1 approval, no challenge period: proposes and activates",
                &sent,
            );
        }
        let claim = ClaimArgs {
            index,
            cumulative_amount: amount,
            proof,
        };
        let ix = rewards::claim(&recipient.pubkey(), &distributor, &destination, claim);
        r.run(
            "claim",
            format!("first claim, proof depth {depth}"),
            &[ix],
            &[&recipient],
        )
        .await;
        assert_eq!(
            token::balance(&env.cluster, &destination).await.unwrap(),
            amount
        );
    }

    // Push claims at depth 20: one alone, then three in one transaction.
    let pushed: Vec<Keypair> = (0..4).map(|i| fixed_key(50 + i)).collect();
    let mut destinations = vec![];
    let mut leaves = vec![];
    for (i, recipient) in pushed.iter().enumerate() {
        destinations.push(
            token::create_token_account(&env.cluster, &mint, &recipient.pubkey())
                .await
                .unwrap(),
        );
        let index = 4 + i as u32;
        leaves.push((
            index,
            leaf_hash(
                &distributor.to_bytes(),
                &recipient.pubkey().to_bytes(),
                index,
                500,
            ),
        ));
    }
    total += 500 * pushed.len() as u64;
    // One root whose tree holds the four pushed leaves side by side (indexes
    // 4..8) under a depth-20 path, so each proof is real for the same root.
    let (root, proofs) = four_leaf_root(&leaves, 20);
    let post = PostRootArgs {
        epoch: 10,
        root,
        cumulative_total: total,
        recipient_count: 8,
    };
    env.send(
        &[rewards::post_root(
            &oracle.pubkey(),
            &network,
            &distributor,
            post,
        )],
        &[&oracle],
    )
    .await
    .unwrap();
    let push = |i: usize| {
        let claim = ClaimArgs {
            index: leaves[i].0,
            cumulative_amount: 500,
            proof: proofs[i].clone(),
        };
        rewards::push_claim(&distributor, &pushed[i].pubkey(), &destinations[i], claim)
    };
    r.run("push_claim", "depth 20, by the crank", &[push(0)], &[])
        .await;
    let sent = r
        .run(
            "push_claim x3",
            "batch: 3 push claims at depth 20 in one transaction (total)",
            &[push(1), push(2), push(3)],
            &[],
        )
        .await;
    assert!(sent.compute_units > 0 || !env.cluster.mode().is_sbf());
    for destination in &destinations {
        assert_eq!(
            token::balance(&env.cluster, destination).await.unwrap(),
            500
        );
    }

    let ix = rewards::set_paused(&admin, &network, &distributor, true);
    r.run("set_paused", "pause", &[ix], &[&env.admin]).await;

    // Expiry, clawback and page close on a second pool.
    let now = env.cluster.unix_timestamp().await.unwrap();
    let args = CreateDistributorArgs {
        pool_id: 1,
        expires_at: now + 60,
        guards: Guards::SINGLE_ORACLE,
    };
    let ix = rewards::create_distributor(&payer, &admin, &network, &mint, &treasury, args);
    env.send(&[ix], &[&env.admin]).await.unwrap();
    let expiring = depin_rewards::pda::distributor(&network, &mint, 1).0;
    let ix = rewards::create_ledger_page(&payer, &oracle.pubkey(), &network, &expiring, 0);
    env.send(&[ix], &[&oracle]).await.unwrap();
    env.send(
        &[rewards::fund(&admin, &expiring, &funding, 7_000)],
        &[&env.admin],
    )
    .await
    .unwrap();
    env.cluster.advance_clock(61).await.unwrap();
    r.run(
        "clawback",
        "",
        &[rewards::clawback(&expiring, &treasury)],
        &[],
    )
    .await;
    assert_eq!(
        token::balance(&env.cluster, &treasury).await.unwrap(),
        7_000
    );
    let ix = rewards::close_ledger_page(&admin, &network, &expiring, 0, &admin);
    r.run("close_ledger_page", "", &[ix], &[&env.admin]).await;

    measure_approvals(&mut r, &env, &oracle, &mint, &treasury, &funding).await;
}

/// 2-of-n approvals with a challenge period on a third pool: propose,
/// approve, veto, approve again, activate after the period; set_guards.
async fn measure_approvals(
    r: &mut Recorder<'_>,
    env: &Env,
    oracle: &Keypair,
    mint: &depin_client::Pubkey,
    treasury: &depin_client::Pubkey,
    funding: &depin_client::Pubkey,
) {
    let (admin, network, payer) = (env.admin.pubkey(), env.network, env.payer());
    let second = fixed_key(34);
    let grant = depin_client::registry::grant_role(
        &payer,
        &admin,
        &network,
        &second.pubkey(),
        permission::ORACLE,
    );
    env.send(&[grant], &[&env.admin]).await.unwrap();
    let guards = Guards {
        required_approvals: 2,
        challenge_period_secs: 3_600,
        outflow_limit: 100_000,
        outflow_period_secs: 86_400,
    };
    let args = CreateDistributorArgs {
        pool_id: 2,
        expires_at: 0,
        guards,
    };
    let ix = rewards::create_distributor(&payer, &admin, &network, mint, treasury, args);
    env.send(&[ix], &[&env.admin]).await.unwrap();
    let distributor = depin_rewards::pda::distributor(&network, mint, 2).0;
    let page = rewards::create_ledger_page(&payer, &oracle.pubkey(), &network, &distributor, 0);
    env.send(&[page], &[oracle]).await.unwrap();
    env.send(
        &[rewards::fund(&admin, &distributor, funding, 5_000)],
        &[&env.admin],
    )
    .await
    .unwrap();
    let content = |epoch: u64, root: u8| PostRootArgs {
        epoch,
        root: [root; 32],
        cumulative_total: 5_000,
        recipient_count: 100,
    };
    let post = |by: &Keypair, args: PostRootArgs| {
        rewards::post_root(&by.pubkey(), &network, &distributor, args)
    };

    r.run(
        "post_root (propose)",
        "opens a proposal: 1 of 2 approvals",
        &[post(oracle, content(1, 1))],
        &[oracle],
    )
    .await;
    r.run(
        "post_root (approve)",
        "2 of 2: fully approved, challenge period starts",
        &[post(&second, content(1, 1))],
        &[&second],
    )
    .await;
    r.run(
        "veto_root",
        "admin stops the approved root",
        &[rewards::veto_root(&admin, &network, &distributor)],
        &[&env.admin],
    )
    .await;
    env.send(&[post(oracle, content(1, 2))], &[oracle])
        .await
        .unwrap();
    env.send(&[post(&second, content(1, 2))], &[&second])
        .await
        .unwrap();
    env.cluster.advance_clock(3_600).await.unwrap();
    r.run(
        "activate_root",
        "after the challenge period (anyone)",
        &[rewards::activate_root(&distributor)],
        &[],
    )
    .await;
    let stricter = Guards {
        required_approvals: 3,
        ..guards
    };
    r.run(
        "set_guards",
        "3 approvals from now on",
        &[rewards::set_guards(
            &admin,
            &network,
            &distributor,
            stricter,
        )],
        &[&env.admin],
    )
    .await;
}

/// Leaves at indexes 4..8 (a full subtree of 4) under a path up to `depth`.
fn four_leaf_root(leaves: &[(u32, Hash)], depth: usize) -> (Hash, Vec<Vec<Hash>>) {
    let pair_low = node_hash(&leaves[0].1, &leaves[1].1);
    let pair_high = node_hash(&leaves[2].1, &leaves[3].1);
    let subtree = node_hash(&pair_low, &pair_high);
    // The subtree sits at position 1 (indexes 4..8 = 1 << 2) of level 2.
    let (root, upper) = path(&subtree, 1, depth - 2);
    let proofs = (0..4)
        .map(|i| {
            let sibling = leaves[i ^ 1].1;
            let cousin = if i < 2 { pair_high } else { pair_low };
            [vec![sibling, cousin], upper.clone()].concat()
        })
        .collect();
    (root, proofs)
}

pub fn check_claim_target(rows: &[Measured]) {
    let row = rows
        .iter()
        .find(|m| m.instruction == "claim" && m.note.ends_with("depth 20"))
        .expect("a depth-20 claim was measured");
    assert!(
        row.compute_units <= CLAIM_DEPTH_20_TARGET,
        "first claim at depth 20 spent {} CU, target {CLAIM_DEPTH_20_TARGET}",
        row.compute_units
    );
}
