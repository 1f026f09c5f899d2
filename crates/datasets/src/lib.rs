//! # kerosene-datasets
//!
//! Data in, batches out. A tour:
//!
//! - **[`Dataset`]**: `len` + `get(i) -> (x, y)`, with a batched `get_batch`;
//!   **[`TensorDataset`]** holds `x` and `y` in memory and gathers a batch with one row copy per
//!   sample.
//! - **[`DataLoader`]**: batches of a dataset, shuffled with a seed (a new, reproducible order
//!   each epoch), with or without the short last batch:
//!   `DataLoader::new(&ds, 32)?.shuffle(42).drop_last(true)`.
//! - **Images**: [`mnist()`] and [`fashion_mnist()`] find the IDX files (explicit directory,
//!   `$KEROSENE_DATA/<name>/`, `~/.cache/kerosene/<name>/`, `/usr/share/datasets/<name>/`) or
//!   download them (feature `download`, on by default; SHA-256 verified) into an
//!   [`ImageDataset`]; [`LoadOptions`] controls where to look. The strict IDX reader
//!   ([`read_idx_images`], [`read_idx_labels`]) is public too.
//! - **Tables**: [`read_csv`] / [`parse_csv`] for numeric CSV; [`StandardScaler`] and
//!   [`MinMaxScaler`]; [`train_test_split`] and [`validation_split`] with a seed.
//! - **Embedded data** for instant examples: [`iris`], [`wine`], [`breast_cancer`],
//!   [`diabetes`], [`digits`] as [`TabularDataset`]s (copies of scikit-learn's data files,
//!   BSD-3-Clause, originally from the UCI repository and Efron et al. 2004; provenance in
//!   `data/README.md`).
//! - **Sequence tasks** for sequence-to-sequence models: [`AdditionTask`] (`"535+61"` ->
//!   `"596"`), [`ReversalTask`], a [`CharVocab`] with pad / start / end tokens, and
//!   [`SeqPairs::to_tensors`] for teacher forcing.
//!
//! Labels and token ids are `f32` tensors of whole numbers (Keras style); class labels are `[N]`
//! tensors of class indices.
//!
//! Errors: every fallible function returns [`DatasetError`], whose message names the file (and
//! line and column), the argument, or, for a missing dataset, how to get it. Bad data never
//! panics.
//!
//! ```
//! use kerosene_datasets::{DataLoader, StandardScaler, iris};
//!
//! let iris = iris();
//! let (train, test) = iris.train_test_split(0.2, 42)?;
//! let scaler = StandardScaler::fit(train.x())?;
//! let train = kerosene_datasets::TensorDataset::new(scaler.transform(train.x())?, train.y().clone())?;
//! let loader = DataLoader::new(&train, 32)?.shuffle(0);
//! assert_eq!(loader.num_batches(), 4); // 120 samples: 32 + 32 + 32 + 24
//! for batch in loader.iter()? {
//!     let (x, y) = batch?;
//!     assert_eq!(x.shape()[1], 4);
//!     assert_eq!(x.shape()[0], y.shape()[0]);
//! }
//! assert_eq!(test.x().shape(), &[30, 4]);
//! # Ok::<(), kerosene_datasets::DatasetError>(())
//! ```
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod addition;
mod csv;
mod data_loader;
mod dataset;
mod download;
mod embedded;
mod error;
mod idx;
mod image_dataset;
mod load_options;
mod mnist;
mod reversal;
mod scaler;
mod sequence;
mod split;
mod tabular;
mod vocab;

pub use addition::{AdditionTask, MAX_ADDITION_DIGITS};
pub use csv::{CsvData, CsvOptions, Delimiter, TargetColumn, parse_csv, read_csv};
pub use data_loader::{Batches, DataLoader};
pub use dataset::{Dataset, TensorDataset};
pub use download::RemoteFile;
#[cfg(feature = "download")]
pub use download::verify_file;
pub use embedded::{breast_cancer, diabetes, digits, iris, wine};
pub use error::{DatasetError, Result};
pub use idx::{IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IdxArray, parse_idx, read_idx, read_idx_images, read_idx_labels};
pub use image_dataset::ImageDataset;
pub use load_options::{DATA_ENV, LoadOptions};
pub use mnist::{
    MnistFamily, fashion_mnist, fashion_mnist_from_dir, fashion_mnist_with, mnist, mnist_from_dir, mnist_with,
};
pub use reversal::ReversalTask;
pub use scaler::{MinMaxScaler, StandardScaler};
pub use sequence::{Seq2SeqTensors, SeqPairs};
pub use split::{split_indices, train_test_split, validation_split};
pub use tabular::TabularDataset;
pub use vocab::{CharVocab, END, NUM_SPECIAL, PAD, START};
