//! The integration tests of kerosene-kerosene, one module per topic, linked into one test binary
//! (one binary per crate keeps the workspace build small and fast).

mod errors;
mod fit;
mod save_load;
mod seq2seq_keras;
mod stack;
mod threads;
