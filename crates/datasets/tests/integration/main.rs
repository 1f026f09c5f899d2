//! The integration tests of kerosene-datasets, one module per topic, linked into one test binary
//! (one binary per crate keeps the workspace build small and fast).

mod common;
mod csv;
mod data_loader;
#[cfg(feature = "download")]
mod download;
mod embedded;
mod idx;
mod mnist;
mod preprocessing;
mod sequence;
