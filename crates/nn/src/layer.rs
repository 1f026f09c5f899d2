//! The [`Layer`] trait: what Keras' `Sequential` needs beyond [`Module`] — a name, a lazy
//! `build` from the input shape, shape inference without data, and a serializable spec.
//!
//! Shapes here are per sample (Keras' `input_shape`, without the batch axis): a Dense layer
//! on `[batch, 784]` inputs has input shape `[784]`.

use kerosene_autograd::Var;
use kerosene_tensor::Rng;

use crate::activation::Activation;
use crate::error::Result;
use crate::module::Module;
use crate::spec::LayerSpec;

/// A layer that a Keras-style `Sequential` can hold.
pub trait Layer: Module {
    /// The layer's name, unique within a model (`"dense"`, `"dense_1"`).
    fn name(&self) -> &str;

    /// Renames the layer (the model does this to keep names unique).
    fn set_name(&mut self, name: &str);

    /// The Keras class name shown by `summary()` (`"Dense"`, `"Dropout"`).
    fn kind(&self) -> &'static str;

    /// Creates the weights for a per-sample input shape and returns the per-sample output
    /// shape. Building again with the same shape does nothing; with another shape it errors.
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>>;

    /// True once the weights exist.
    fn is_built(&self) -> bool;

    /// The per-sample output shape for a per-sample input shape, without data; errors name the
    /// layer and both shapes.
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>>;

    /// The input shape declared on the layer (Keras `input_shape=`), if any.
    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        None
    }

    /// The activation this layer ends with (Sequential fuses a final softmax with the
    /// cross-entropy loss).
    fn output_activation(&self) -> Activation {
        Activation::Linear
    }

    /// The output before [`Layer::output_activation`] (the logits of a softmax layer).
    fn forward_logits(&self, x: &Var) -> Var {
        self.forward(x)
    }

    /// A serializable description that rebuilds the layer, for saving whole models; `None` for
    /// layers Kerosene does not know (their weights can still be saved).
    fn spec(&self) -> Option<LayerSpec> {
        None
    }
}

/// Turns a Keras class name into the default layer name: `"BatchNormalization"` ->
/// `"batch_normalization"`, `"Conv2D"` -> `"conv2d"`.
pub fn snake_case(kind: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = kind.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && chars[i - 1].is_ascii_lowercase();
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Checks that a per-sample input shape has rank `rank` (or at least `rank` when `at_least`).
pub(crate) fn expect_rank(layer: &str, shape: &[usize], rank: usize, at_least: bool) -> Result<()> {
    let ok = if at_least { shape.len() >= rank } else { shape.len() == rank };
    if ok {
        Ok(())
    } else {
        Err(crate::NnError::InputShape {
            layer: layer.to_string(),
            message: format!(
                "expects inputs of rank {}{} (without the batch axis), got per-sample shape {shape:?}",
                if at_least { "at least " } else { "" },
                rank
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn keras_default_names() {
        assert_eq!(snake_case("Dense"), "dense");
        assert_eq!(snake_case("BatchNormalization"), "batch_normalization");
        assert_eq!(snake_case("Conv2D"), "conv2d");
        assert_eq!(snake_case("ReLU"), "re_lu");
        assert_eq!(snake_case("LSTM"), "lstm");
        assert_eq!(snake_case("SimpleRNN"), "simple_rnn");
        assert_eq!(snake_case("GlobalAveragePooling2D"), "global_average_pooling2d");
    }
}
