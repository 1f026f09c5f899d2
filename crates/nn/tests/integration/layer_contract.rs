//! Every built-in layer against the layer contract (`check_layer`): shapes, parameter count,
//! gradcheck through the layer in training and evaluation mode, state-dict round trip.

use kerosene_nn::testing::check_layer;
use kerosene_nn::*;
use kerosene_tensor::{Rng, Tensor};

fn randn(shape: &'static [usize]) -> impl Fn(&mut Rng) -> Tensor {
    move |rng| Tensor::randn(shape, rng)
}

#[test]
fn dense_every_fusable_and_unfused_activation() {
    for act in [
        Activation::Linear,
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Softmax,
        Activation::Gelu,
        Activation::Elu(1.0),
        Activation::LeakyRelu(0.2),
        Activation::Softplus,
        Activation::Silu,
        Activation::LogSoftmax,
    ] {
        check_layer(|| Dense::new(4).activation(act), &[3, 5], &[3, 4], 5 * 4 + 4, randn(&[3, 5]), false, false);
    }
    check_layer(|| Dense::new(4).use_bias(false), &[2, 3, 5], &[2, 3, 4], 20, randn(&[2, 3, 5]), false, false);
}

#[test]
fn linear() {
    check_layer(|| Linear::new(5, 3, &mut Rng::new(1)), &[4, 5], &[4, 3], 5 * 3 + 3, randn(&[4, 5]), false, false);
    check_layer(
        || Linear::with_bias(5, 3, false, &mut Rng::new(1)),
        &[2, 4, 5],
        &[2, 4, 3],
        15,
        randn(&[2, 4, 5]),
        false,
        false,
    );
}

#[test]
fn activation_layers() {
    check_layer(ReLU::new, &[3, 4], &[3, 4], 0, randn(&[3, 4]), false, false);
    check_layer(|| LeakyReLU::new(0.01), &[3, 4], &[3, 4], 0, randn(&[3, 4]), false, false);
    check_layer(|| ELU::new(1.0), &[3, 4], &[3, 4], 0, randn(&[3, 4]), false, false);
    check_layer(GELU::new, &[3, 4], &[3, 4], 0, randn(&[3, 4]), false, false);
    check_layer(Sigmoid::new, &[3, 4], &[3, 4], 0, randn(&[3, 4]), false, false);
    check_layer(Tanh::new, &[3, 4], &[3, 4], 0, randn(&[3, 4]), false, false);
    check_layer(Softmax::new, &[3, 4], &[3, 4], 0, randn(&[3, 4]), false, false);
    check_layer(Softplus::new, &[3, 4], &[3, 4], 0, randn(&[3, 4]), false, false);
    check_layer(|| ActivationLayer::new(Activation::Silu), &[3, 4], &[3, 4], 0, randn(&[3, 4]), false, false);
}

#[test]
fn dropout_flatten() {
    check_layer(|| Dropout::new(0.3), &[4, 6], &[4, 6], 0, randn(&[4, 6]), false, true);
    check_layer(Flatten::new, &[2, 3, 4, 2], &[2, 24], 0, randn(&[2, 3, 4, 2]), false, false);
}

#[test]
fn embedding() {
    let ids = |rng: &mut Rng| Tensor::from_vec((0..6).map(|_| rng.below(7) as f32).collect(), &[2, 3]);
    check_layer(|| Embedding::new(7, 4), &[2, 3], &[2, 3, 4], 28, ids, true, false);
    check_layer(|| Embedding::new(7, 4).padding_idx(0), &[2, 3], &[2, 3, 4], 28, ids, true, false);
}

#[test]
fn normalization() {
    check_layer(BatchNormalization::new, &[6, 3], &[6, 3], 6, randn(&[6, 3]), false, false);
    check_layer(BatchNormalization::new, &[2, 3, 3, 2], &[2, 3, 3, 2], 4, randn(&[2, 3, 3, 2]), false, false);
    check_layer(|| BatchNormalization::new().center(false), &[6, 3], &[6, 3], 3, randn(&[6, 3]), false, false);
    check_layer(LayerNormalization::new, &[4, 5], &[4, 5], 10, randn(&[4, 5]), false, false);
    check_layer(LayerNormalization::new, &[2, 3, 5], &[2, 3, 5], 10, randn(&[2, 3, 5]), false, false);
}

/// A layer whose parameter gradient is deliberately wrong (`y = x * w`, backward forgets `x`).
struct BadScale {
    w: kerosene_autograd::Var,
}

impl Module for BadScale {
    fn forward(&self, x: &kerosene_autograd::Var) -> kerosene_autograd::Var {
        let (xv, wv) = (x.value(), self.w.value());
        kerosene_autograd::Var::from_op("bad_scale", xv.mul(&wv), &[x, &self.w], move |g, _| {
            vec![Some(g.mul(&wv)), Some(g.sum_to_shape(wv.shape()))]
        })
    }
    fn visit(&self, v: &mut Visitor) {
        v.param("w", &self.w);
    }
}

impl Layer for BadScale {
    fn name(&self) -> &str {
        "bad_scale"
    }
    fn set_name(&mut self, _: &str) {}
    fn kind(&self) -> &'static str {
        "BadScale"
    }
    fn build(&mut self, s: &[usize], _: &mut Rng) -> Result<Vec<usize>> {
        Ok(s.to_vec())
    }
    fn is_built(&self) -> bool {
        true
    }
    fn output_shape(&self, s: &[usize]) -> Result<Vec<usize>> {
        Ok(s.to_vec())
    }
}

#[test]
#[should_panic(expected = "BadScale: gradcheck failed in training mode: gradcheck: parameter 0")]
fn the_contract_catches_a_wrong_parameter_gradient() {
    let make = || BadScale { w: kerosene_autograd::Var::param(Tensor::from_vec(vec![0.5f32, -1.5, 2.0], &[3])) };
    check_layer(make, &[2, 3], &[2, 3], 3, randn(&[2, 3]), false, false);
}
