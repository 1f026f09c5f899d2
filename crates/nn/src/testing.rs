//! [`check_layer`]: the layer contract, one call per layer in tests (Keras' `run_layer_test`).

use kerosene_autograd::{Tolerances, Var, gradcheck_with_params, no_grad};
use kerosene_tensor::{DType, Rng, Tensor};

use crate::layer::Layer;

/// What a layer must satisfy, checked on an input of `input_shape` (with the batch axis):
/// 1. `build` and `output_shape` agree with the shape `forward` produces, and with
///    `expected_output` (with the batch axis);
/// 2. the parameter count is `expected_params`;
/// 3. gradients w.r.t. the input (unless `integer_input`) and every parameter pass
///    [`gradcheck_with_params`] in `f64`, in training mode and in evaluation mode (layers whose
///    training forward is random are checked in evaluation mode only; pass `stochastic`);
/// 4. the state dict round-trips: a second instance from `make` loaded with the first one's
///    state dict gives bit-identical outputs in evaluation mode.
///
/// `make` builds a fresh, unbuilt layer; `input` generates the input from a seed.
///
/// # Panics
/// With a message saying which part of the contract failed.
#[allow(clippy::too_many_arguments)]
pub fn check_layer<L: Layer>(
    make: impl Fn() -> L,
    input_shape: &[usize],
    expected_output: &[usize],
    expected_params: usize,
    input: impl Fn(&mut Rng) -> Tensor,
    integer_input: bool,
    stochastic: bool,
) {
    let mut rng = Rng::new(11);
    let mut layer = make();
    let name = layer.kind();
    let out = layer.build(&input_shape[1..], &mut rng).unwrap_or_else(|e| panic!("{name}: build failed: {e}"));
    assert_eq!(out, expected_output[1..], "{name}: build returned a different per-sample output shape");
    let inferred = layer.output_shape(&input_shape[1..]).unwrap_or_else(|e| panic!("{name}: output_shape failed: {e}"));
    assert_eq!(inferred, expected_output[1..], "{name}: output_shape disagrees with the expected shape");
    let x = input(&mut rng);
    assert_eq!(x.shape(), input_shape, "{name}: the input generator made the wrong shape");
    let y = layer.forward(&Var::new(x.clone()));
    assert_eq!(y.shape(), expected_output, "{name}: forward produced the wrong shape");
    assert_eq!(layer.num_parameters(), expected_params, "{name}: wrong parameter count");

    // Gradients in f64, through the layer's own parameters.
    layer.to_dtype(DType::F64);
    let params = layer.parameters();
    let modes: &[bool] = if stochastic { &[false] } else { &[true, false] };
    for &training in modes {
        layer.set_training(training);
        let tol = Tolerances { eps: 1e-6, atol: 1e-5, rtol: 1e-3 };
        let r = if integer_input {
            let xc = Var::new(x.to_f64());
            gradcheck_with_params(|_| layer.forward(&xc), &[], &params, tol)
        } else {
            gradcheck_with_params(|v| layer.forward(&v[0]), std::slice::from_ref(&x), &params, tol)
        };
        if let Err(e) = r {
            panic!("{name}: gradcheck failed in {} mode: {e}", if training { "training" } else { "evaluation" });
        }
    }

    // State dict round trip into a fresh instance.
    layer.eval();
    let sd = layer.state_dict();
    let mut other = make();
    other.build(&input_shape[1..], &mut Rng::new(99)).expect("second build");
    other.to_dtype(DType::F64);
    other.load_state_dict(&sd).unwrap_or_else(|e| panic!("{name}: load_state_dict failed: {e}"));
    other.eval();
    let xv = Var::new(x.to_f64());
    let (a, b) = no_grad(|| (layer.forward(&xv).value(), other.forward(&xv).value()));
    assert_eq!(a, b, "{name}: outputs differ after a state-dict round trip");
}
