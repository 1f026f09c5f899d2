//! `compile`: the optimizer, loss and metrics, by value or by Keras name.

use kerosene_losses::Loss;
use kerosene_nn::Module;
use kerosene_optim::{Adagrad, Adam, AdamW, Adamax, Lion, NAdam, Optimizer, OptimizerConfig, RmsProp, Sgd};

use super::sequential::{Compiled, Sequential};
use crate::error::{Error, Result};
use crate::metrics::Metric;

/// An optimizer argument of `compile`: a Keras name (`"adam"`), an [`OptimizerConfig`], or an
/// optimizer value (`Adam::default()`; its parameters are attached by the model).
pub trait IntoOptimizer {
    /// The optimizer, without parameters yet.
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>>;
}

impl IntoOptimizer for &str {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        Ok(OptimizerConfig::from_name(self)?.build(Vec::new())?)
    }
}

impl IntoOptimizer for String {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        self.as_str().into_optimizer()
    }
}

impl IntoOptimizer for OptimizerConfig {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        Ok(self.build(Vec::new())?)
    }
}

impl IntoOptimizer for Box<dyn Optimizer> {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        Ok(self)
    }
}

macro_rules! optimizer_values {
    ($($t:ty),*) => {$(
        impl IntoOptimizer for $t {
            fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
                Ok(Box::new(self))
            }
        }
    )*};
}

optimizer_values!(Sgd, Adam, AdamW, RmsProp, Adagrad, Adamax, NAdam, Lion);

/// A loss argument of `compile`: a [`Loss`] or a Keras name.
pub trait IntoLoss {
    /// The loss.
    fn into_loss(self) -> Result<Loss>;
}

impl IntoLoss for Loss {
    fn into_loss(self) -> Result<Loss> {
        Ok(self)
    }
}

impl IntoLoss for &str {
    fn into_loss(self) -> Result<Loss> {
        Ok(Loss::from_name(self)?)
    }
}

/// The metrics argument of `compile`: `&[Metric::Accuracy]`, `&["accuracy", "mae"]`, or `()`.
pub trait IntoMetrics {
    /// The metrics.
    fn into_metrics(self) -> Result<Vec<Metric>>;
}

impl IntoMetrics for () {
    fn into_metrics(self) -> Result<Vec<Metric>> {
        Ok(Vec::new())
    }
}

impl IntoMetrics for &[Metric] {
    fn into_metrics(self) -> Result<Vec<Metric>> {
        Ok(self.to_vec())
    }
}

impl<const N: usize> IntoMetrics for &[Metric; N] {
    fn into_metrics(self) -> Result<Vec<Metric>> {
        Ok(self.to_vec())
    }
}

impl IntoMetrics for &[&str] {
    fn into_metrics(self) -> Result<Vec<Metric>> {
        self.iter().map(|n| Metric::from_name(n)).collect()
    }
}

impl<const N: usize> IntoMetrics for &[&str; N] {
    fn into_metrics(self) -> Result<Vec<Metric>> {
        self.iter().map(|n| Metric::from_name(n)).collect()
    }
}

impl IntoMetrics for Vec<Metric> {
    fn into_metrics(self) -> Result<Vec<Metric>> {
        Ok(self)
    }
}

impl Sequential {
    /// Configures training: `compile(Adam::default(), Loss::SparseCategoricalCrossentropy,
    /// &[Metric::Accuracy])`, or by names: `compile("adam", "sparse_categorical_crossentropy",
    /// &["accuracy"])`.
    ///
    /// # Errors
    /// On an unknown optimizer, loss or metric name, a repeated metric, or a model without layers.
    pub fn compile(
        &mut self,
        optimizer: impl IntoOptimizer,
        loss: impl IntoLoss,
        metrics: impl IntoMetrics,
    ) -> Result<()> {
        if self.layers.is_empty() {
            return Err(Error::Config("the model has no layers; add some before compile".into()));
        }
        let mut optimizer = optimizer.into_optimizer()?;
        let loss = loss.into_loss()?;
        let metrics = metrics.into_metrics()?;
        for (i, m) in metrics.iter().enumerate() {
            if metrics[..i].iter().any(|p| p.name() == m.name()) {
                return Err(Error::Config(format!("metric \"{}\" is listed twice", m.name())));
            }
        }
        self.build_from_declared()?;
        if self.is_built() {
            optimizer.add_params(self.parameters());
        }
        self.compiled = Some(Compiled { optimizer, loss, metrics });
        Ok(())
    }
}
