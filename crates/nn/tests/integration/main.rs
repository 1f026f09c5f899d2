//! The integration tests of kerosene-nn, one module per topic, linked into one test binary
//! (one binary per crate keeps the workspace build small and fast).

mod layer_contract;
mod layer_contract_conv;
mod module;
mod recurrent;
