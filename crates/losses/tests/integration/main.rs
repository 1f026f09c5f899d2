//! The integration tests of kerosene-losses, one module per topic, linked into one test binary
//! (one binary per crate keeps the workspace build small and fast).

mod losses;
