//! [`Embedding`]: a table of vectors looked up by integer id.

use std::sync::OnceLock;

use kerosene_autograd::Var;
use kerosene_tensor::{Rng, Tensor};

use crate::error::{NnError, Result};
use crate::init::Initializer;
use crate::layer::Layer;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// `y[.., :] = table[id]` (Keras `layers.Embedding`, PyTorch `nn.Embedding`).
///
/// Ids are whole numbers stored in the input tensor (as Keras accepts float id arrays); an id
/// outside `0..input_dim` panics with its value and position (the Keras-style API checks them
/// before training).
///
/// With a padding index (PyTorch `padding_idx`, or Keras `mask_zero` for id 0), that row starts
/// at zero, its output is zero, and it never receives a gradient; recurrent layers can skip
/// padded steps using [`Embedding::padding_idx`].
///
/// # Shapes
/// - input `[..]` of ids, output `[.., output_dim]`
/// - `embeddings: [input_dim, output_dim]`, initialized `U(-0.05, 0.05)` (Keras)
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Embedding, Module};
/// use kerosene_tensor::Tensor;
/// let e = Embedding::new(10, 4).padding_idx(0).seed(1);
/// let ids = Var::new(Tensor::from_vec(vec![3.0f32, 0.0, 9.0], &[1, 3]));
/// let y = e.forward(&ids);
/// assert_eq!(y.shape(), &[1, 3, 4]);
/// assert_eq!(y.value().select(1, 1).to_vec::<f32>(), vec![0.0; 4]); // the padding id
/// ```
pub struct Embedding {
    input_dim: usize,
    output_dim: usize,
    padding_idx: Option<usize>,
    initializer: Initializer,
    seed: u64,
    name: String,
    input_shape: Option<Vec<usize>>,
    table: OnceLock<Var>,
}

impl Embedding {
    /// A table of `input_dim` vectors of size `output_dim`.
    ///
    /// # Panics
    /// If either size is 0.
    #[track_caller]
    pub fn new(input_dim: usize, output_dim: usize) -> Embedding {
        assert!(input_dim > 0 && output_dim > 0, "Embedding: sizes must be positive, got {input_dim} x {output_dim}");
        Embedding {
            input_dim,
            output_dim,
            padding_idx: None,
            initializer: Initializer::RandomUniform { min: -0.05, max: 0.05 },
            seed: 0,
            name: "embedding".into(),
            input_shape: None,
            table: OnceLock::new(),
        }
    }

    /// Declares the per-sample input shape (Keras `input_shape=(T,)` or `input_length=T`), for
    /// the first layer of a model, so that `compile` can build it and `summary` show shapes.
    ///
    /// ```
    /// use kerosene_nn::{Embedding, Layer};
    /// assert_eq!(Embedding::new(100, 8).input_shape(&[12]).declared_input_shape(), Some(vec![12]));
    /// ```
    pub fn input_shape(mut self, shape: &[usize]) -> Embedding {
        self.input_shape = Some(shape.to_vec());
        self
    }

    /// Marks `idx` as padding: zero vector, no gradient.
    ///
    /// # Panics
    /// If `idx >= input_dim`.
    #[track_caller]
    pub fn padding_idx(mut self, idx: usize) -> Embedding {
        assert!(idx < self.input_dim, "Embedding: padding_idx {idx} is out of range 0..{}", self.input_dim);
        self.padding_idx = Some(idx);
        self
    }

    /// Keras `mask_zero=True`: id 0 is padding.
    pub fn mask_zero(self, on: bool) -> Embedding {
        if on { self.padding_idx(0) } else { self }
    }

    /// Sets the initializer.
    pub fn initializer(mut self, init: Initializer) -> Embedding {
        self.initializer = init;
        self
    }

    /// Seeds the initialization used when the layer builds itself at its first call.
    pub fn seed(mut self, seed: u64) -> Embedding {
        self.seed = seed;
        self
    }

    /// The padding id, if any.
    pub fn get_padding_idx(&self) -> Option<usize> {
        self.padding_idx
    }

    /// The `[input_dim, output_dim]` table (builds it if needed).
    pub fn embeddings(&self) -> &Var {
        self.table.get_or_init(|| self.make_table(&mut Rng::new(self.seed)))
    }

    fn make_table(&self, rng: &mut Rng) -> Var {
        let mut t = self.initializer.init(&[self.input_dim, self.output_dim], rng);
        if let Some(p) = self.padding_idx {
            let mut rows = t.to_vec::<f32>();
            rows[p * self.output_dim..(p + 1) * self.output_dim].iter_mut().for_each(|v| *v = 0.0);
            t = Tensor::from_vec(rows, t.shape());
        }
        Var::param(t)
    }
}

impl Module for Embedding {
    fn forward(&self, x: &Var) -> Var {
        let ids = x.value();
        let table = self.embeddings();
        let y = table.embedding(&ids);
        match self.padding_idx {
            None => y,
            Some(p) => {
                // Zero the padded positions: their output is 0 and no gradient reaches row p.
                let keep = ids.ne_elem(&Tensor::scalar_dtype(p as f64, ids.dtype())).unsqueeze(-1).to_dtype(y.dtype());
                y.mul_mask(&keep)
            }
        }
    }
    fn visit(&self, v: &mut Visitor<'_>) {
        if let Some(t) = self.table.get() {
            v.param("embeddings", t);
        }
    }
}

impl Layer for Embedding {
    fn name(&self) -> &str {
        &self.name
    }
    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.clone()
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "Embedding"
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        if self.table.get().is_none() {
            let t = self.make_table(rng);
            let _ = self.table.set(t);
        }
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        self.table.get().is_some()
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        if input_shape.is_empty() {
            return Err(NnError::InputShape {
                layer: self.name.clone(),
                message: "expects per-sample id sequences of rank at least 1, got a scalar per sample".into(),
            });
        }
        let mut out = input_shape.to_vec();
        out.push(self.output_dim);
        Ok(out)
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::Embedding {
            input_dim: self.input_dim,
            output_dim: self.output_dim,
            padding_idx: self.padding_idx,
            initializer: self.initializer,
        })
    }
}
