//! A tiny Prometheus registry: named counters, gauges and histograms kept in
//! atomics, rendered in the text exposition format by `GET /metrics`.
//!
//! Any part of the crank registers its own series on the shared [`Metrics`]
//! and keeps the returned handle; updating a handle is one atomic operation,
//! so hot paths never touch the registry's lock. Registering the same name
//! and labels twice returns the same series (a component restarted with the
//! same registry keeps counting where it was).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A value that only goes up.
#[derive(Clone, Debug, Default)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    pub fn inc(&self) {
        self.add(1);
    }

    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down (a queue depth, the last epoch closed).
#[derive(Clone, Debug, Default)]
pub struct Gauge(Arc<AtomicI64>);

impl Gauge {
    pub fn set(&self, value: i64) {
        self.0.store(value, Ordering::Relaxed);
    }

    pub fn add(&self, delta: i64) {
        self.0.fetch_add(delta, Ordering::Relaxed);
    }

    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Observations counted into fixed buckets (cumulative when rendered).
#[derive(Clone, Debug)]
pub struct Histogram(Arc<HistogramCells>);

#[derive(Debug)]
struct HistogramCells {
    /// Upper bounds, increasing; `+Inf` is implied.
    bounds: Vec<f64>,
    /// One count per bound, plus the overflow past the last one.
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    /// An f64 kept as its bits.
    sum_bits: AtomicU64,
}

impl Histogram {
    fn new(bounds: &[f64]) -> Self {
        Histogram(Arc::new(HistogramCells {
            bounds: bounds.to_vec(),
            buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_bits: AtomicU64::new(0f64.to_bits()),
        }))
    }

    pub fn observe(&self, value: f64) {
        let cells = &self.0;
        let index = cells
            .bounds
            .iter()
            .position(|bound| value <= *bound)
            .unwrap_or(cells.bounds.len());
        cells.buckets[index].fetch_add(1, Ordering::Relaxed);
        cells.count.fetch_add(1, Ordering::Relaxed);
        // No atomic f64 add: retry until no other observer got in between.
        let _ = cells
            .sum_bits
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + value).to_bits())
            });
    }

    pub fn count(&self) -> u64 {
        self.0.count.load(Ordering::Relaxed)
    }

    pub fn sum(&self) -> f64 {
        f64::from_bits(self.0.sum_bits.load(Ordering::Relaxed))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

#[derive(Clone)]
enum Cell {
    Counter(Counter),
    Gauge(Gauge),
    Histogram(Histogram),
}

struct Series {
    /// Rendered `{a="x",b="y"}`, or empty.
    labels: String,
    cell: Cell,
}

struct Family {
    name: String,
    help: String,
    kind: Kind,
    series: Vec<Series>,
}

/// The registry. Share it as `Arc<Metrics>`.
#[derive(Default)]
pub struct Metrics {
    families: Mutex<Vec<Family>>,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn counter(&self, name: &str, help: &str, labels: &[(&str, &str)]) -> Counter {
        match self.register(name, help, Kind::Counter, labels, || {
            Cell::Counter(Counter::default())
        }) {
            Cell::Counter(counter) => counter,
            _ => unreachable!("register checks the kind"),
        }
    }

    pub fn gauge(&self, name: &str, help: &str, labels: &[(&str, &str)]) -> Gauge {
        match self.register(name, help, Kind::Gauge, labels, || {
            Cell::Gauge(Gauge::default())
        }) {
            Cell::Gauge(gauge) => gauge,
            _ => unreachable!("register checks the kind"),
        }
    }

    /// `bounds` must increase; a series registered again keeps its first
    /// bounds.
    pub fn histogram(
        &self,
        name: &str,
        help: &str,
        labels: &[(&str, &str)],
        bounds: &[f64],
    ) -> Histogram {
        assert!(
            bounds.windows(2).all(|pair| pair[0] < pair[1]),
            "histogram {name}: bucket bounds must increase"
        );
        match self.register(name, help, Kind::Histogram, labels, || {
            Cell::Histogram(Histogram::new(bounds))
        }) {
            Cell::Histogram(histogram) => histogram,
            _ => unreachable!("register checks the kind"),
        }
    }

    /// Panics on a name registered with another kind or an invalid name: both
    /// are programming errors that would otherwise corrupt the exposition.
    fn register(
        &self,
        name: &str,
        help: &str,
        kind: Kind,
        labels: &[(&str, &str)],
        new: impl FnOnce() -> Cell,
    ) -> Cell {
        assert!(valid_name(name), "invalid metric name {name:?}");
        let labels = render_labels(labels);
        let mut families = self.families.lock().unwrap_or_else(|e| e.into_inner());
        let family = match families.iter().position(|f| f.name == name) {
            Some(index) => &mut families[index],
            None => {
                families.push(Family {
                    name: name.to_owned(),
                    help: help.to_owned(),
                    kind,
                    series: Vec::new(),
                });
                families.last_mut().expect("just pushed")
            }
        };
        assert_eq!(
            family.kind,
            kind,
            "metric {name} is already registered as a {}",
            family.kind.name()
        );
        if let Some(series) = family.series.iter().find(|s| s.labels == labels) {
            return series.cell.clone();
        }
        let cell = new();
        family.series.push(Series {
            labels,
            cell: cell.clone(),
        });
        cell
    }

    /// Every series in the Prometheus text format (version 0.0.4), families
    /// in registration order.
    pub fn render(&self) -> String {
        let families = self.families.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        for family in families.iter() {
            let name = &family.name;
            let _ = writeln!(out, "# HELP {name} {}", escape_help(&family.help));
            let _ = writeln!(out, "# TYPE {name} {}", family.kind.name());
            for series in &family.series {
                let labels = &series.labels;
                match &series.cell {
                    Cell::Counter(counter) => {
                        let _ = writeln!(out, "{name}{labels} {}", counter.get());
                    }
                    Cell::Gauge(gauge) => {
                        let _ = writeln!(out, "{name}{labels} {}", gauge.get());
                    }
                    Cell::Histogram(histogram) => {
                        render_histogram(&mut out, name, labels, histogram)
                    }
                }
            }
        }
        out
    }
}

fn render_histogram(out: &mut String, name: &str, labels: &str, histogram: &Histogram) {
    let cells = &histogram.0;
    let mut cumulative = 0u64;
    for (index, bucket) in cells.buckets.iter().enumerate() {
        cumulative += bucket.load(Ordering::Relaxed);
        let le = cells
            .bounds
            .get(index)
            .map_or_else(|| "+Inf".to_owned(), |bound| bound.to_string());
        let _ = writeln!(
            out,
            "{name}_bucket{} {cumulative}",
            with_label(labels, "le", &le)
        );
    }
    let _ = writeln!(out, "{name}_sum{labels} {}", histogram.sum());
    let _ = writeln!(out, "{name}_count{labels} {}", histogram.count());
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn render_labels(labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = labels
        .iter()
        .map(|(key, value)| {
            assert!(valid_name(key), "invalid label name {key:?}");
            format!("{key}=\"{}\"", escape_label(value))
        })
        .collect();
    format!("{{{}}}", pairs.join(","))
}

/// `labels` (rendered) with one more pair appended.
fn with_label(labels: &str, key: &str, value: &str) -> String {
    match labels.strip_suffix('}') {
        Some(open) => format!("{open},{key}=\"{value}\"}}"),
        None => format!("{{{key}=\"{value}\"}}"),
    }
}

fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_kind_in_the_text_format() {
        let metrics = Metrics::new();
        let accepted = metrics.counter("reports_total", "Reports.", &[("reason", "late")]);
        accepted.add(3);
        metrics.gauge("queue", "Queued.", &[]).set(-2);
        let sizes = metrics.histogram("batch", "Sizes.", &[], &[1.0, 10.0]);
        sizes.observe(1.0);
        sizes.observe(5.0);
        sizes.observe(50.0);
        assert_eq!(
            metrics.render(),
            "# HELP reports_total Reports.\n# TYPE reports_total counter\n\
             reports_total{reason=\"late\"} 3\n\
             # HELP queue Queued.\n# TYPE queue gauge\nqueue -2\n\
             # HELP batch Sizes.\n# TYPE batch histogram\n\
             batch_bucket{le=\"1\"} 1\nbatch_bucket{le=\"10\"} 2\n\
             batch_bucket{le=\"+Inf\"} 3\nbatch_sum 56\nbatch_count 3\n"
        );
    }

    #[test]
    fn registering_again_returns_the_same_series() {
        let metrics = Metrics::new();
        metrics.counter("c", "C.", &[("a", "1")]).inc();
        metrics.counter("c", "C.", &[("a", "1")]).inc();
        metrics.counter("c", "C.", &[("a", "2")]).inc();
        assert_eq!(metrics.counter("c", "C.", &[("a", "1")]).get(), 2);
        assert!(metrics.render().contains("c{a=\"2\"} 1\n"));
    }

    #[test]
    #[should_panic(expected = "already registered as a counter")]
    fn a_name_keeps_its_kind() {
        let metrics = Metrics::new();
        metrics.counter("c", "C.", &[]);
        metrics.gauge("c", "C.", &[]);
    }

    #[test]
    fn histogram_labels_get_le_appended() {
        assert_eq!(with_label("{a=\"1\"}", "le", "5"), "{a=\"1\",le=\"5\"}");
        assert_eq!(with_label("", "le", "5"), "{le=\"5\"}");
        assert_eq!(escape_label("a\"b\\"), "a\\\"b\\\\");
    }
}
