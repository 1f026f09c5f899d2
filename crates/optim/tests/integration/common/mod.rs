//! Helpers shared by the integration tests.
#![allow(dead_code)]

use kerosene_autograd::Var;
use kerosene_optim::Optimizer;
use kerosene_tensor::Tensor;

/// The starting point of the reference runs.
pub const P0: [f64; 3] = [1.0, -2.0, 3.0];
/// The minimum of the reference loss `sum((p - TARGET)^2)`, whose gradient is `2 (p - TARGET)`.
pub const TARGET: [f64; 3] = [0.5, 0.25, -1.0];

/// Runs `steps` steps of the optimizer `make` builds on the reference problem in `f64`, and
/// returns the parameter after each step.
pub fn run_reference<O: Optimizer>(make: impl FnOnce(Vec<Var>) -> O, steps: usize) -> Vec<Vec<f64>> {
    let p = Var::param(Tensor::from_vec(P0.to_vec(), &[3]));
    let target = Var::new(Tensor::from_vec(TARGET.to_vec(), &[3]));
    let mut opt = make(vec![p.clone()]);
    (0..steps)
        .map(|_| {
            opt.zero_grad();
            p.sub(&target).square().sum_all().backward();
            opt.step();
            p.value().to_vec::<f64>()
        })
        .collect()
}

/// Asserts `|a - b| <= atol + rtol * |b|` element by element.
#[track_caller]
pub fn assert_close(actual: &[Vec<f64>], expected: &[[f64; 3]], rtol: f64, atol: f64) {
    assert_eq!(actual.len(), expected.len(), "number of steps");
    for (step, (a, e)) in actual.iter().zip(expected).enumerate() {
        for (i, (x, y)) in a.iter().zip(e).enumerate() {
            assert!((x - y).abs() <= atol + rtol * y.abs(), "step {} element {i}: {x} vs expected {y}", step + 1);
        }
    }
}

/// [`run_reference`] with an `f32` parameter (the results are widened to `f64`).
pub fn run_reference_f32<O: Optimizer>(make: impl FnOnce(Vec<Var>) -> O, steps: usize) -> Vec<Vec<f64>> {
    let p = Var::param(Tensor::from_vec(P0.iter().map(|&v| v as f32).collect(), &[3]));
    let target = Var::new(Tensor::from_vec(TARGET.iter().map(|&v| v as f32).collect(), &[3]));
    let mut opt = make(vec![p.clone()]);
    (0..steps)
        .map(|_| {
            opt.zero_grad();
            p.sub(&target).square().sum_all().backward();
            opt.step();
            p.value().to_vec::<f64>()
        })
        .collect()
}
