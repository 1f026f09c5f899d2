//! [`DataLoader`]: mini-batches of a [`Dataset`], optionally shuffled with a seed, one epoch at a time.

use std::sync::atomic::{AtomicU64, Ordering};

use kerosene_tensor::{Rng, Tensor};

use crate::dataset::Dataset;
use crate::error::{DatasetError, Result};

/// Iterates over a [`Dataset`] in mini-batches of `(x, y)` tensors.
///
/// - **Shuffling** is seeded: epoch `e` visits the samples in an order drawn from an [`Rng`]
///   derived from `(seed, e)`, so each epoch has a new order and a run is reproducible.
///   [`iter`](DataLoader::iter) walks epochs 0, 1, 2, ... on successive calls;
///   [`epoch`](DataLoader::epoch) asks for one by number. Without shuffling the order is
///   `0..len`.
/// - **The last batch** holds the remainder (`len % batch_size` samples) unless
///   [`drop_last`](DataLoader::drop_last) is set. A batch size larger than the dataset gives one
///   short batch, or, with `drop_last`, no batch at all, which is an error.
///
/// ```
/// use kerosene_datasets::{DataLoader, TensorDataset};
/// use kerosene_tensor::Tensor;
///
/// let x = Tensor::arange(0.0, 10.0, 1.0).reshape(&[10, 1]);
/// let y = Tensor::arange(0.0, 10.0, 1.0);
/// let ds = TensorDataset::new(x, y)?;
///
/// let loader = DataLoader::new(&ds, 4)?.shuffle(42);
/// assert_eq!(loader.num_batches(), 3); // 4 + 4 + 2
/// let mut seen = Vec::new();
/// for batch in loader.iter()? {
///     let (xb, yb) = batch?;
///     assert_eq!(xb.shape()[1], 1);
///     seen.extend(yb.to_vec::<f32>());
/// }
/// seen.sort_by(f32::total_cmp);
/// assert_eq!(seen, (0..10).map(|i| i as f32).collect::<Vec<_>>());
///
/// // drop_last keeps only full batches; a batch larger than the dataset then yields nothing.
/// assert_eq!(DataLoader::new(&ds, 4)?.drop_last(true).num_batches(), 2);
/// let err = DataLoader::new(&ds, 16)?.drop_last(true).iter().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "DataLoader: batch_size 16 with drop_last yields no batch from a dataset of 10 samples"
/// );
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
pub struct DataLoader<'a, D: Dataset + ?Sized> {
    dataset: &'a D,
    batch_size: usize,
    seed: Option<u64>,
    drop_last: bool,
    next_epoch: AtomicU64,
}

impl<'a, D: Dataset + ?Sized> DataLoader<'a, D> {
    /// A loader of batches of `batch_size` samples, in order, keeping a short last batch.
    ///
    /// An error if `batch_size` is 0 or the dataset is empty.
    pub fn new(dataset: &'a D, batch_size: usize) -> Result<Self> {
        if batch_size == 0 {
            return Err(DatasetError::invalid("DataLoader", "batch_size must be at least 1, got 0"));
        }
        if dataset.is_empty() {
            return Err(DatasetError::invalid("DataLoader", "the dataset is empty, so there is no batch to yield"));
        }
        Ok(DataLoader { dataset, batch_size, seed: None, drop_last: false, next_epoch: AtomicU64::new(0) })
    }

    /// Shuffles each epoch with an order derived from `seed` and the epoch number.
    pub fn shuffle(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Drops the last batch if it is shorter than `batch_size`.
    pub fn drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// The dataset.
    pub fn dataset(&self) -> &'a D {
        self.dataset
    }

    /// The number of samples per batch (the last may be shorter unless `drop_last`).
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The shuffling seed, if shuffling.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// Whether a short last batch is dropped.
    pub fn drops_last(&self) -> bool {
        self.drop_last
    }

    /// The number of batches in one epoch (0 only with `drop_last` and a batch larger than the
    /// dataset, in which case [`iter`](DataLoader::iter) is an error).
    pub fn num_batches(&self) -> usize {
        let n = self.dataset.len();
        if self.drop_last { n / self.batch_size } else { n.div_ceil(self.batch_size) }
    }

    /// The number of samples one epoch yields (`len`, less the dropped remainder).
    pub fn num_samples(&self) -> usize {
        if self.drop_last { self.num_batches() * self.batch_size } else { self.dataset.len() }
    }

    /// The batches of the next epoch: epoch 0 on the first call, then 1, 2, ...
    ///
    /// An error if the loader yields no batch (`drop_last` with a batch larger than the dataset).
    pub fn iter(&self) -> Result<Batches<'a, D>> {
        let e = self.next_epoch.fetch_add(1, Ordering::Relaxed);
        self.epoch(e)
    }

    /// The batches of epoch `e` (the same order every time for the same seed and `e`).
    ///
    /// An error if the loader yields no batch.
    pub fn epoch(&self, e: u64) -> Result<Batches<'a, D>> {
        let n = self.dataset.len();
        if self.num_batches() == 0 {
            return Err(DatasetError::invalid(
                "DataLoader",
                format!("batch_size {} with drop_last yields no batch from a dataset of {n} samples", self.batch_size),
            ));
        }
        Ok(Batches {
            dataset: self.dataset,
            order: self.order(e),
            pos: 0,
            end: self.num_samples(),
            batch_size: self.batch_size,
        })
    }

    /// The sample order of epoch `e`: a permutation of `0..len`.
    pub fn order(&self, e: u64) -> Vec<usize> {
        let n = self.dataset.len();
        match self.seed {
            Some(seed) => Rng::new(epoch_seed(seed, e)).permutation(n),
            None => (0..n).collect(),
        }
    }
}

impl<D: Dataset + ?Sized> std::fmt::Debug for DataLoader<'_, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataLoader")
            .field("len", &self.dataset.len())
            .field("batch_size", &self.batch_size)
            .field("seed", &self.seed)
            .field("drop_last", &self.drop_last)
            .field("next_epoch", &self.next_epoch.load(Ordering::Relaxed))
            .finish()
    }
}

/// Mixes a seed and an epoch number into one well-spread seed (SplitMix64's finalizer), so that
/// neighbouring epochs and seeds get unrelated streams.
fn epoch_seed(seed: u64, epoch: u64) -> u64 {
    let mut z = seed ^ epoch.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The batches of one epoch of a [`DataLoader`]: `(x, y)` tensors with a batch axis 0.
pub struct Batches<'a, D: Dataset + ?Sized> {
    dataset: &'a D,
    order: Vec<usize>,
    pos: usize,
    end: usize,
    batch_size: usize,
}

impl<D: Dataset + ?Sized> std::fmt::Debug for Batches<'_, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches")
            .field("pos", &self.pos)
            .field("end", &self.end)
            .field("batch_size", &self.batch_size)
            .finish()
    }
}

impl<D: Dataset + ?Sized> Batches<'_, D> {
    /// The sample indices of this epoch, in visiting order (including a dropped remainder).
    pub fn order(&self) -> &[usize] {
        &self.order
    }
}

impl<D: Dataset + ?Sized> Iterator for Batches<'_, D> {
    type Item = Result<(Tensor, Tensor)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.end {
            return None;
        }
        let stop = (self.pos + self.batch_size).min(self.end);
        let batch = self.dataset.get_batch(&self.order[self.pos..stop]);
        self.pos = stop;
        Some(batch)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.end - self.pos).div_ceil(self.batch_size);
        (left, Some(left))
    }
}

impl<D: Dataset + ?Sized> ExactSizeIterator for Batches<'_, D> {}
