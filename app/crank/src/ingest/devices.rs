//! Which devices the registry knows: read from chain, cached in memory.
//!
//! [`DeviceSource`] is the lookup; [`ChainDevices`] reads the device PDA from
//! any [`Cluster`]; [`DeviceCache`] sits in front so that a known device
//! costs no RPC call per report, a device registered a moment ago is found
//! on its first report (a miss always asks the chain), and a flood of
//! reports from an unregistered key asks the chain at most once per
//! negative TTL (concurrent misses for one key share one lookup).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use depin_client::depin_registry::pda;
use depin_client::depin_registry::state::Device;
use depin_client::report::{EpochSchedule, RegisteredDevice};
use depin_client::{fetch_optional, registry, ClientError, Cluster, Pubkey};
use tokio::sync::{mpsc, oneshot};

/// Looks a device up in the registry: `None` when no device with that key is
/// registered in the network.
#[async_trait]
pub trait DeviceSource: Send + Sync {
    async fn device(
        &self,
        network: &Pubkey,
        device_key: &Pubkey,
    ) -> Result<Option<RegisteredDevice>, ClientError>;
}

/// The network's reward epochs, read from its account once at start (the
/// registry keeps `created_at` and the epoch length fixed).
pub async fn load_schedule(
    cluster: &impl Cluster,
    network: &Pubkey,
) -> Result<EpochSchedule, ClientError> {
    Ok(EpochSchedule::of(
        &registry::network(cluster, network).await?,
    ))
}

/// Reads one device account; what [`ChainDevices`] runs for each lookup.
pub async fn read_device(
    cluster: &impl Cluster,
    network: &Pubkey,
    device_key: &Pubkey,
) -> Result<Option<RegisteredDevice>, ClientError> {
    let address = pda::device(network, device_key).0;
    let device: Option<Device> = fetch_optional(cluster, &address).await?;
    Ok(device.map(|device| RegisteredDevice::from_account(*network, &device)))
}

struct Lookup {
    network: Pubkey,
    device_key: Pubkey,
    reply: oneshot::Sender<Result<Option<RegisteredDevice>, ClientError>>,
}

/// A [`DeviceSource`] over a [`Cluster`].
///
/// `Cluster`'s methods are `async fn`s whose futures are not known to be
/// `Send`, so a generic cluster cannot be awaited on the server's
/// multi-threaded runtime. Lookups therefore run on a thread of their own
/// (a single-threaded runtime, each lookup a local task, so many are in
/// flight at once); the server sends them over a channel. The thread ends
/// when the last `ChainDevices` is dropped.
pub struct ChainDevices {
    lookups: mpsc::UnboundedSender<Lookup>,
}

impl ChainDevices {
    pub fn spawn<C: Cluster + Send + Sync + 'static>(cluster: Arc<C>) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (lookups, mut requests) = mpsc::unbounded_channel::<Lookup>();
        std::thread::Builder::new()
            .name("device-lookups".into())
            .spawn(move || {
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, async move {
                    while let Some(lookup) = requests.recv().await {
                        let cluster = Arc::clone(&cluster);
                        tokio::task::spawn_local(async move {
                            let found =
                                read_device(&*cluster, &lookup.network, &lookup.device_key).await;
                            // The asker may have gone (its client hung up).
                            let _ = lookup.reply.send(found);
                        });
                    }
                });
            })?;
        Ok(ChainDevices { lookups })
    }
}

#[async_trait]
impl DeviceSource for ChainDevices {
    async fn device(
        &self,
        network: &Pubkey,
        device_key: &Pubkey,
    ) -> Result<Option<RegisteredDevice>, ClientError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || ClientError::Cluster("the device lookup thread has stopped".into());
        self.lookups
            .send(Lookup {
                network: *network,
                device_key: *device_key,
                reply,
            })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// How long [`DeviceCache`] trusts what it read.
#[derive(Clone, Copy, Debug)]
pub struct DeviceCacheConfig {
    /// A registered device is read again after this long, so a suspension or
    /// retirement on chain is seen within it.
    pub ttl: Duration,
    /// "Not registered" is trusted only this long: a device registered a
    /// moment later must not wait long to be accepted.
    pub negative_ttl: Duration,
    /// Past this many entries, expired ones are dropped on the next insert
    /// (bounds the memory a stream of random keys can take).
    pub max_entries: usize,
}

impl Default for DeviceCacheConfig {
    fn default() -> Self {
        DeviceCacheConfig {
            ttl: Duration::from_secs(60),
            negative_ttl: Duration::from_secs(2),
            max_entries: 1_000_000,
        }
    }
}

#[derive(Clone, Copy)]
struct Cached {
    device: Option<RegisteredDevice>,
    read_at: Instant,
}

/// One device key's entry. The async mutex makes concurrent misses for the
/// same key wait for one lookup instead of each asking the chain.
#[derive(Default)]
struct Slot(tokio::sync::Mutex<Option<Cached>>);

/// The cache in front of a [`DeviceSource`], for one network.
pub struct DeviceCache {
    source: Arc<dyn DeviceSource>,
    network: Pubkey,
    config: DeviceCacheConfig,
    slots: Mutex<HashMap<Pubkey, Arc<Slot>>>,
}

impl DeviceCache {
    pub fn new(source: Arc<dyn DeviceSource>, network: Pubkey, config: DeviceCacheConfig) -> Self {
        DeviceCache {
            source,
            network,
            config,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The production view: a cache over [`ChainDevices`] on `cluster`,
    /// and the network's schedule read from chain once.
    pub async fn from_chain<C: Cluster + Send + Sync + 'static>(
        cluster: Arc<C>,
        network: Pubkey,
        config: DeviceCacheConfig,
    ) -> Result<(Self, EpochSchedule), ClientError> {
        let schedule = load_schedule(cluster.as_ref(), &network).await?;
        let source = ChainDevices::spawn(cluster).map_err(|error| {
            ClientError::Cluster(format!("starting the device lookup thread: {error}"))
        })?;
        Ok((Self::new(Arc::new(source), network, config), schedule))
    }

    pub fn network(&self) -> Pubkey {
        self.network
    }

    /// The cached answer if it is still fresh and no lookup for the key is
    /// running; `None` means "ask [`Self::device`]". Never waits.
    pub fn cached(&self, device_key: &Pubkey) -> Option<Option<RegisteredDevice>> {
        let slot = self.lock_slots().get(device_key).cloned()?;
        let entry = *slot.0.try_lock().ok()?;
        entry
            .filter(|entry| self.is_fresh(entry))
            .map(|entry| entry.device)
    }

    /// The device, from the cache while fresh, else from the source. A
    /// failed lookup is not cached.
    pub async fn device(
        &self,
        device_key: &Pubkey,
    ) -> Result<Option<RegisteredDevice>, ClientError> {
        let slot = self.slot(device_key);
        let mut entry = slot.0.lock().await;
        if let Some(cached) = entry.filter(|cached| self.is_fresh(cached)) {
            return Ok(cached.device);
        }
        let device = self.source.device(&self.network, device_key).await?;
        *entry = Some(Cached {
            device,
            read_at: Instant::now(),
        });
        Ok(device)
    }

    fn is_fresh(&self, cached: &Cached) -> bool {
        let ttl = if cached.device.is_some() {
            self.config.ttl
        } else {
            self.config.negative_ttl
        };
        cached.read_at.elapsed() < ttl
    }

    fn slot(&self, device_key: &Pubkey) -> Arc<Slot> {
        let mut slots = self.lock_slots();
        if let Some(slot) = slots.get(device_key) {
            return Arc::clone(slot);
        }
        if slots.len() >= self.config.max_entries {
            // Keep entries in use (a lookup running) or still fresh.
            slots.retain(|_, slot| match slot.0.try_lock() {
                Ok(entry) => entry.is_some_and(|cached| self.is_fresh(&cached)),
                Err(_) => true,
            });
        }
        Arc::clone(slots.entry(*device_key).or_default())
    }

    fn lock_slots(&self) -> std::sync::MutexGuard<'_, HashMap<Pubkey, Arc<Slot>>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use depin_client::depin_registry::state::{DeviceKind, DeviceStatus};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Knows one device; counts the lookups it answers.
    struct Counting {
        known: Pubkey,
        lookups: AtomicUsize,
    }

    #[async_trait]
    impl DeviceSource for Counting {
        async fn device(
            &self,
            network: &Pubkey,
            device_key: &Pubkey,
        ) -> Result<Option<RegisteredDevice>, ClientError> {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok((*device_key == self.known).then_some(RegisteredDevice {
                network: *network,
                device_key: *device_key,
                kind: DeviceKind::SolarInverter,
                capacity: 5_000,
                status: DeviceStatus::Active,
            }))
        }
    }

    fn cache(config: DeviceCacheConfig) -> (Arc<Counting>, DeviceCache) {
        let source = Arc::new(Counting {
            known: Pubkey::new_from_array([1; 32]),
            lookups: AtomicUsize::new(0),
        });
        let cache = DeviceCache::new(source.clone(), Pubkey::new_from_array([9; 32]), config);
        (source, cache)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_share_one_lookup() {
        let (source, cache) = cache(DeviceCacheConfig::default());
        let cache = Arc::new(cache);
        let unknown = Pubkey::new_from_array([2; 32]);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let cache = Arc::clone(&cache);
            tasks.spawn(async move { cache.device(&unknown).await.unwrap() });
        }
        while let Some(found) = tasks.join_next().await {
            assert_eq!(found.unwrap(), None);
        }
        assert_eq!(source.lookups.load(Ordering::SeqCst), 1);
        assert_eq!(cache.cached(&unknown), Some(None));
    }

    #[tokio::test]
    async fn entries_expire_after_their_ttl() {
        let (source, cache) = cache(DeviceCacheConfig {
            ttl: Duration::from_millis(300),
            negative_ttl: Duration::from_millis(100),
            max_entries: 10,
        });
        let known = Pubkey::new_from_array([1; 32]);
        let unknown = Pubkey::new_from_array([2; 32]);
        assert!(cache.device(&known).await.unwrap().is_some());
        assert_eq!(cache.device(&unknown).await.unwrap(), None);
        assert_eq!(source.lookups.load(Ordering::SeqCst), 2);
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(cache.cached(&known).is_some(), "positive entry still fresh");
        assert_eq!(cache.cached(&unknown), None, "negative entry expired");
        cache.device(&unknown).await.unwrap();
        assert_eq!(source.lookups.load(Ordering::SeqCst), 3);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(cache.cached(&known), None, "positive entry expired");
    }
}
