//! # kerosene-datasets
//!
//! Data in, batches out (work in progress): the `Dataset` trait, `DataLoader`, IDX readers for
//! MNIST and Fashion-MNIST, CSV, embedded tabular sets and synthetic sequence tasks.
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]
