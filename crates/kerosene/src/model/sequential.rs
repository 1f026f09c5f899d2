//! [`Sequential`]: a stack of layers, Keras style.

use kerosene_autograd::{Var, no_grad};
use kerosene_losses::Loss;
use kerosene_nn::{Layer, Module, Visitor, snake_case};
use kerosene_optim::Optimizer;
use kerosene_tensor::{Rng, Tensor};

use crate::error::{Error, Result};
use crate::metrics::Metric;

/// What `compile` fixed: the optimizer (holding the model's parameters), the loss, the metrics.
pub(crate) struct Compiled {
    pub(crate) optimizer: Box<dyn Optimizer>,
    pub(crate) loss: Loss,
    pub(crate) metrics: Vec<Metric>,
}

/// A linear stack of layers (Keras' `Sequential`).
///
/// ```
/// use kerosene::prelude::*;
///
/// # fn main() -> kerosene::Result<()> {
/// let mut model = Sequential::new()
///     .add(Dense::new(16).activation(Activation::Relu).input_shape(&[4]))
///     .add(Dense::new(3).activation(Activation::Softmax));
/// model.compile("adam", "sparse_categorical_crossentropy", &["accuracy"])?;
/// let data = datasets::iris();
/// let history = model.fit(&data.x, &data.y, Fit::epochs(2).verbose(0))?;
/// assert_eq!(history.get("loss").unwrap().len(), 2);
/// let probs = model.predict(&data.x)?;
/// assert_eq!(probs.shape(), &[150, 3]);
/// # Ok(())
/// # }
/// ```
///
/// Models start in evaluation mode (Keras: calling a model is inference); `fit` trains in
/// training mode and returns the model to evaluation mode. Initialization, shuffling and
/// dropout masks follow the model's seed ([`Sequential::seed`], default 42), so a run is
/// reproducible.
pub struct Sequential {
    pub(crate) layers: Vec<Box<dyn Layer>>,
    pub(crate) input_shape: Option<Vec<usize>>,
    pub(crate) seed: u64,
    pub(crate) compiled: Option<Compiled>,
    pub(crate) stop: bool,
    pub(crate) name: String,
}

impl Default for Sequential {
    fn default() -> Self {
        Sequential::new()
    }
}

impl Sequential {
    /// An empty model.
    pub fn new() -> Sequential {
        Sequential {
            layers: Vec::new(),
            input_shape: None,
            seed: 42,
            compiled: None,
            stop: false,
            name: "sequential".into(),
        }
    }

    /// Appends a layer (builder style; Keras' `model.add`).
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, layer: impl Layer + 'static) -> Sequential {
        self.push(Box::new(layer));
        self
    }

    /// Appends a boxed layer; renames it `<name>_<k>` if its name is taken.
    pub fn push(&mut self, mut layer: Box<dyn Layer>) {
        let base = layer.name().to_string();
        let base = if base.is_empty() { snake_case(layer.kind()) } else { base };
        let mut name = base.clone();
        let mut k = 1;
        while self.layers.iter().any(|l| l.name() == name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        layer.set_name(&name);
        layer.set_training(false);
        self.layers.push(layer);
    }

    /// Sets the seed of initialization, shuffling and dropout (before the model is built).
    pub fn seed(mut self, seed: u64) -> Sequential {
        self.seed = seed;
        self
    }

    /// Sets the model's name (shown by `summary`).
    pub fn name(mut self, name: &str) -> Sequential {
        self.name = name.to_string();
        self
    }

    /// The layers.
    pub fn layers(&self) -> &[Box<dyn Layer>] {
        &self.layers
    }

    /// The layer named `name`.
    pub fn get_layer(&self, name: &str) -> Option<&dyn Layer> {
        self.layers.iter().find(|l| l.name() == name).map(|l| l.as_ref())
    }

    /// True once every layer has its weights.
    pub fn is_built(&self) -> bool {
        self.input_shape.is_some()
    }

    /// The per-sample input shape the model was built for.
    pub fn input_shape(&self) -> Option<&[usize]> {
        self.input_shape.as_deref()
    }

    /// Creates every layer's weights for a per-sample input shape (`[784]` for flat MNIST).
    ///
    /// # Errors
    /// If a layer cannot take the shape that reaches it; the message names the layer and the
    /// shapes.
    pub fn build(&mut self, input_shape: &[usize]) -> Result<()> {
        if let Some(s) = &self.input_shape {
            if s == input_shape {
                return Ok(());
            }
            return Err(Error::Data(format!(
                "the model was built for inputs of per-sample shape {s:?}, got {input_shape:?}"
            )));
        }
        if self.layers.is_empty() {
            return Err(Error::Config("the model has no layers; add some with Sequential::add".into()));
        }
        // Check the whole chain before creating anything, so a failure leaves the model unbuilt.
        self.output_shape_for(input_shape)?;
        let mut rng = Rng::new(self.seed);
        let mut shape = input_shape.to_vec();
        for l in &mut self.layers {
            shape = l.build(&shape, &mut rng.fork())?;
        }
        self.input_shape = Some(input_shape.to_vec());
        if let Some(c) = &mut self.compiled {
            c.optimizer.add_params(self.layers.iter().flat_map(|l| l.parameters()).collect());
        }
        Ok(())
    }

    /// Builds from the first layer's declared `input_shape`, if it has one and the model is unbuilt.
    pub(crate) fn build_from_declared(&mut self) -> Result<()> {
        if self.input_shape.is_none()
            && let Some(s) = self.layers.first().and_then(|l| l.declared_input_shape())
        {
            self.build(&s)?;
        }
        Ok(())
    }

    /// The per-sample output shape for a per-sample input shape, through every layer.
    pub fn output_shape_for(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let mut shape = input_shape.to_vec();
        for l in &self.layers {
            shape = l.output_shape(&shape)?;
        }
        Ok(shape)
    }

    /// The per-sample output shape of the built model.
    pub fn output_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.as_ref().and_then(|s| self.output_shape_for(s).ok())
    }

    /// Asks `fit` to stop at the end of the current batch (used by callbacks).
    pub fn stop_training(&mut self) {
        self.stop = true;
    }

    /// True if a callback asked training to stop.
    pub fn is_stopping(&self) -> bool {
        self.stop
    }

    /// The optimizer's current learning rate.
    ///
    /// # Errors
    /// If the model is not compiled.
    pub fn learning_rate(&self) -> Result<f64> {
        Ok(self.compiled()?.optimizer.learning_rate())
    }

    /// Sets the optimizer's learning rate.
    ///
    /// # Errors
    /// If the model is not compiled.
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        self.compiled_mut()?.optimizer.set_learning_rate(lr);
        Ok(())
    }

    /// The optimizer, once compiled.
    pub fn optimizer(&self) -> Option<&dyn Optimizer> {
        self.compiled.as_ref().map(|c| c.optimizer.as_ref() as &dyn Optimizer)
    }

    /// The loss, once compiled.
    pub fn loss(&self) -> Option<Loss> {
        self.compiled.as_ref().map(|c| c.loss)
    }

    pub(crate) fn compiled(&self) -> Result<&Compiled> {
        self.compiled.as_ref().ok_or_else(not_compiled)
    }

    pub(crate) fn compiled_mut(&mut self) -> Result<&mut Compiled> {
        self.compiled.as_mut().ok_or_else(not_compiled)
    }

    /// Runs the model on `x` (`[N, ..per-sample shape]`) in batches of 32, in evaluation mode
    /// with no graph recorded, and returns the stacked outputs.
    ///
    /// # Errors
    /// If `x` is empty or does not fit the model.
    pub fn predict(&mut self, x: &Tensor) -> Result<Tensor> {
        self.predict_batched(x, 32)
    }

    /// [`Sequential::predict`] with a batch size.
    ///
    /// # Errors
    /// If `x` is empty or does not fit the model, or `batch_size` is 0.
    pub fn predict_batched(&mut self, x: &Tensor, batch_size: usize) -> Result<Tensor> {
        crate::model::validate::check_batch_size(batch_size)?;
        crate::model::validate::check_x(x)?;
        self.ensure_built_for(x)?;
        self.set_training(false);
        let n = x.shape()[0];
        let outs: Vec<Tensor> = no_grad(|| {
            (0..n)
                .step_by(batch_size)
                .map(|s| {
                    let xb = x.slice(0, s, (s + batch_size).min(n), 1);
                    self.forward(&Var::new(xb)).value()
                })
                .collect()
        });
        let refs: Vec<&Tensor> = outs.iter().collect();
        Ok(Tensor::try_concat(&refs, 0)?)
    }

    /// Builds for `x`'s per-sample shape if unbuilt, else checks that `x` fits.
    pub(crate) fn ensure_built_for(&mut self, x: &Tensor) -> Result<()> {
        let per_sample = &x.shape()[1..];
        self.build_from_declared()?;
        match &self.input_shape {
            None => self.build(per_sample).map_err(|e| Error::Data(format!("x does not fit the model: {e}"))),
            Some(s) if s.as_slice() == per_sample => Ok(()),
            Some(_) => match self.output_shape_for(per_sample) {
                Err(e) => Err(Error::Data(format!("x does not fit the model: {e}"))),
                Ok(_) => Err(Error::Data(format!(
                    "x has per-sample shape {per_sample:?}, but the model was built for {:?}",
                    self.input_shape.as_ref().expect("built")
                ))),
            },
        }
    }

    /// The forward pass split for training: the output to feed the loss, and the loss to use.
    /// A final softmax (or sigmoid) with a cross-entropy on probabilities becomes logits with the
    /// cross-entropy on logits: one fused, stable log-softmax path whichever way the model was
    /// written.
    pub(crate) fn forward_for_loss(&self, x: &Var, loss: Loss) -> (Var, Loss, Option<kerosene_nn::Activation>) {
        use kerosene_nn::Activation;
        let (last, body) = self.layers.split_last().expect("a built model has layers");
        let h = body.iter().fold(x.clone(), |h, l| l.forward(&h));
        let act = last.output_activation();
        let fuse = !loss.takes_logits()
            && ((loss.is_categorical() && act == Activation::Softmax)
                || (loss.is_binary() && act == Activation::Sigmoid));
        if fuse { (last.forward_logits(&h), loss.from_logits(), Some(act)) } else { (last.forward(&h), loss, None) }
    }
}

fn not_compiled() -> Error {
    Error::Config("the model is not compiled; call compile(optimizer, loss, metrics) first".into())
}

impl Module for Sequential {
    fn forward(&self, x: &Var) -> Var {
        self.layers.iter().fold(x.clone(), |h, l| l.forward(&h))
    }

    fn visit(&self, v: &mut Visitor<'_>) {
        for l in &self.layers {
            v.module(l.name(), l.as_ref());
        }
    }
}

impl std::fmt::Debug for Sequential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let layers: Vec<String> = self.layers.iter().map(|l| format!("{} ({})", l.name(), l.kind())).collect();
        f.debug_struct("Sequential")
            .field("name", &self.name)
            .field("layers", &layers)
            .field("input_shape", &self.input_shape)
            .field("loss", &self.compiled.as_ref().map(|c| c.loss))
            .finish()
    }
}
