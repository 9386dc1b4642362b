//! Checking a session request against the chain and building the unsigned
//! transaction that opens it.

use std::sync::Arc;

use anchor_lang::AccountDeserialize;
use depin_client::depin_registry::state::{Device, Network};
use depin_client::payments::{self, MeterUnit, OpenSessionArgs, Tariff};
use depin_client::{token, ClientError, Cluster, Pubkey};
use tokio::sync::{mpsc, oneshot};

use super::{LatestBlockhash, PayError, ID_DRAWS};

/// A customer's request for a session at a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionRequest {
    /// The device's account address (the registry's device PDA).
    pub device: Pubkey,
    /// The wallet: fee payer, rent payer and customer.
    pub customer: Pubkey,
    /// Base units of the payment mint; `None`: the tariff's minimum.
    pub deposit: Option<u64>,
}

/// The unsigned transaction opening the session, and what it opens.
#[derive(Clone, Debug)]
pub struct SessionOffer {
    /// The transaction in the wire format (signature slots all zero).
    pub transaction: Vec<u8>,
    /// For the wallet to display.
    pub message: String,
    pub session: Pubkey,
    pub id: u64,
    pub deposit: u64,
}

fn unavailable(error: ClientError) -> PayError {
    PayError::Unavailable(error.to_string())
}

/// `account` decoded as `T` if `owner` owns it and it decodes.
fn decode<T: AccountDeserialize>(
    account: Option<&solana_account::Account>,
    owner: &Pubkey,
) -> Option<T> {
    account
        .filter(|account| account.owner == *owner)
        .and_then(|account| T::try_deserialize(&mut account.data.as_slice()).ok())
}

/// Checks that `request` can open a session now and builds the unsigned
/// transaction that opens it. Reads: the device, network and tariff in one
/// call, the mint's decimals, the customer's account and the session
/// address in one call, the market (through the client's planner), the
/// latest blockhash.
pub async fn offer_session(
    cluster: &impl Cluster,
    blockhash: &dyn LatestBlockhash,
    network: &Pubkey,
    request: SessionRequest,
) -> Result<SessionOffer, PayError> {
    let SessionRequest {
        device: device_address,
        customer,
        deposit,
    } = request;
    let tariff_address = payments::tariff_address(&device_address);
    let accounts = cluster
        .get_multiple_accounts(&[device_address, *network, tariff_address])
        .await
        .map_err(unavailable)?;
    let device: Device = decode(accounts[0].as_ref(), &depin_client::depin_registry::ID)
        .ok_or(PayError::UnknownDevice(device_address))?;
    let network_account: Network = decode(accounts[1].as_ref(), &depin_client::depin_registry::ID)
        .ok_or_else(|| PayError::Unavailable(format!("the network {network} cannot be read")))?;
    let tariff: Tariff = decode(accounts[2].as_ref(), &depin_client::depin_payments::ID)
        .ok_or(PayError::NoTariff(device_address))?;
    let deposit = deposit.unwrap_or(tariff.min_deposit);
    // The program's own rule for opening a session, so the crank refuses
    // exactly what the program would.
    tariff
        .require_open_for(&device, &network_account, deposit)
        .map_err(|error| PayError::refused(&error, device_address, &tariff, deposit))?;
    let mint = tariff.payment_mint;
    let decimals = token::mint_decimals(cluster, &mint)
        .await
        .map_err(unavailable)?;

    // The customer's associated account pays; a session id not in use.
    let source = token::associated_address(&customer, &mint);
    let mut drawn = None;
    for _ in 0..ID_DRAWS {
        let id = getrandom::u64().map_err(|e| PayError::Internal(format!("no randomness: {e}")))?;
        let session = payments::session_address(&device_address, &customer, id);
        let accounts = cluster
            .get_multiple_accounts(&[source, session])
            .await
            .map_err(unavailable)?;
        let held = accounts[0]
            .as_ref()
            .filter(|account| account.owner == token::TOKEN_PROGRAM_ID)
            .and_then(|account| token::decode_account(&account.data))
            .filter(|account| account.mint == mint && account.owner == customer)
            .map(|account| account.amount)
            .ok_or(PayError::NoTokenAccount { customer, mint })?;
        if held < deposit {
            return Err(PayError::InsufficientFunds {
                customer,
                mint,
                needed: deposit,
                held,
            });
        }
        if accounts[1].is_none() {
            drawn = Some(id);
            break;
        }
    }
    let id = drawn.ok_or_else(|| PayError::Internal("no unused session id was drawn".into()))?;

    let plan = payments::open_session_instructions(
        cluster,
        &customer,
        &customer,
        &device_address,
        OpenSessionArgs { id, deposit },
        Some(source),
    )
    .await
    .map_err(unavailable)?;
    let hash = blockhash.latest_blockhash().await.map_err(unavailable)?;
    let message =
        depin_client::rpc::offline_message(&plan.instructions, &customer, hash, None, None);
    let transaction = solana_transaction::Transaction::new_unsigned(message);
    let transaction = wincode::serialize(&transaction)
        .map_err(|e| PayError::Internal(format!("serializing the transaction: {e}")))?;
    Ok(SessionOffer {
        transaction,
        message: describe(&tariff, deposit, decimals),
        session: plan.session,
        id,
        deposit,
    })
}

/// What the wallet shows: "Deposit 5 for up to 2 h at 0.0003 per Wh; the
/// unused deposit is refunded".
fn describe(tariff: &Tariff, deposit: u64, decimals: u8) -> String {
    let unit = match tariff.unit {
        MeterUnit::WattHour => "Wh",
        MeterUnit::Second => "second",
        MeterUnit::Megabyte => "MB",
    };
    format!(
        "Deposit {} for up to {} at {} per {unit}; the unused deposit is refunded",
        ui_amount(deposit, decimals),
        duration(tariff.max_session_secs),
        ui_amount(tariff.price_per_unit, decimals),
    )
}

/// `amount` base units with `decimals`, without trailing zeros.
pub(super) fn ui_amount(amount: u64, decimals: u8) -> String {
    let scale = 10u128.pow(u32::from(decimals));
    let (whole, fraction) = (u128::from(amount) / scale, u128::from(amount) % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:0width$}", width = usize::from(decimals));
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// `secs` in the largest whole unit: "2 h", "90 min", "3 d".
pub(super) fn duration(secs: u32) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s % 3_600 == 0 => format!("{} h", s / 3_600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

struct Job {
    request: SessionRequest,
    reply: oneshot::Sender<Result<SessionOffer, PayError>>,
}

/// Runs [`offer_session`] for the HTTP handlers.
///
/// `Cluster`'s futures are not known to be `Send` (see
/// [`crate::ingest::ChainDevices`]), so requests run on a thread of their own
/// (a single-threaded runtime, each request a local task); the thread ends
/// when the last `SessionPlanner` is dropped.
pub struct SessionPlanner {
    jobs: mpsc::UnboundedSender<Job>,
}

impl SessionPlanner {
    pub fn spawn<C: Cluster + Send + Sync + 'static>(
        cluster: Arc<C>,
        blockhash: Arc<dyn LatestBlockhash>,
        network: Pubkey,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (jobs, mut requests) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("solana-pay".into())
            .spawn(move || {
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, async move {
                    while let Some(job) = requests.recv().await {
                        let cluster = Arc::clone(&cluster);
                        let blockhash = Arc::clone(&blockhash);
                        tokio::task::spawn_local(async move {
                            let offer =
                                offer_session(&*cluster, &*blockhash, &network, job.request).await;
                            // The wallet may have hung up.
                            let _ = job.reply.send(offer);
                        });
                    }
                });
            })?;
        Ok(SessionPlanner { jobs })
    }

    pub async fn offer(&self, request: SessionRequest) -> Result<SessionOffer, PayError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || PayError::Internal("the Solana Pay thread has stopped".into());
        self.jobs
            .send(Job { request, reply })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}
