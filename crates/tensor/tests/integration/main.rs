//! The integration tests of kerosene-tensor, one module per topic, linked into one test binary
//! (one binary per crate keeps the workspace build small and fast).

mod common;
mod conv;
mod create;
mod elementwise;
mod errors;
mod gemm_kernel;
mod index;
mod layout;
mod matmul;
mod props;
mod random;
mod reduce;
mod serialization;
