//! The integration tests of kerosene-autograd, one module per topic, linked into one test binary
//! (one binary per crate keeps the workspace build small and fast).

mod fused;
mod gradcheck_all;
mod gradcheck_conv;
mod gradcheck_rnn;
mod graph;
