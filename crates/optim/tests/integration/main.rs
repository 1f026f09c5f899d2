//! The integration tests of kerosene-optim, one module per topic, linked into one test binary
//! (one binary per crate keeps the workspace build small and fast).

mod clipping;
mod common;
mod config;
mod hyperparams;
mod reference;
mod schedules;
mod state;
mod subnormal;
mod training;
