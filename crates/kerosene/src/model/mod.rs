//! The Keras-like model: [`Sequential`] with `compile`, `fit`, `evaluate`, `predict`,
//! `summary`, and save / load.

mod compile;
mod evaluate;
mod fit;
mod save;
mod sequential;
mod summary;
mod validate;

pub use compile::{IntoLoss, IntoMetrics, IntoOptimizer};
pub use fit::Fit;
pub use save::FORMAT_VERSION;
pub use sequential::Sequential;

/// Named scores from `evaluate` / `train_on_batch`: `scores["loss"]`, `scores["accuracy"]`.
pub type Scores = std::collections::BTreeMap<String, f64>;
