//! Gradient clipping against hand-computed values: the free functions (PyTorch semantics) and the
//! optimizer option.

use kerosene_autograd::Var;
use kerosene_optim::{Clip, Optimizer, Sgd, clip_grad_norm, clip_grad_value};
use kerosene_tensor::Tensor;

fn param_with_grad(grad: Vec<f64>) -> Var {
    let n = grad.len();
    let p = Var::param(Tensor::zeros(&[n]).to_f64());
    p.set_grad(Some(Tensor::from_vec(grad, &[n])));
    p
}

fn grad(p: &Var) -> Vec<f64> {
    p.grad().unwrap().to_vec::<f64>()
}

// Global norm of [3, 0] and [4]: sqrt(9 + 16) = 5. max_norm 2 -> scale 2 / (5 + 1e-6).
#[test]
fn clip_grad_norm_scales_all_gradients_together() {
    let (a, b, none) = (param_with_grad(vec![3.0, 0.0]), param_with_grad(vec![4.0]), Var::param(Tensor::zeros(&[2])));
    let params = [a.clone(), b.clone(), none.clone()];
    let norm = clip_grad_norm(&params, 2.0);
    assert_eq!(norm, 5.0);
    let s = 2.0 / (5.0 + 1e-6);
    assert_eq!(grad(&a), vec![3.0 * s, 0.0]);
    assert_eq!(grad(&b), vec![4.0 * s]);
    assert!(none.grad().is_none(), "parameters without a gradient are skipped");

    // Below the threshold nothing changes, and the norm is still returned.
    let before = grad(&a);
    let norm = clip_grad_norm(&params, 100.0);
    assert!((norm - 2.0).abs() < 1e-5);
    assert_eq!(grad(&a), before);
}

#[test]
fn clip_grad_norm_handles_f32_and_mixed_types() {
    let a = Var::param(Tensor::zeros(&[2]));
    a.set_grad(Some(Tensor::from_vec(vec![6.0f32, 8.0], &[2])));
    let b = param_with_grad(vec![0.0]);
    let norm = clip_grad_norm(&[a.clone(), b], 1.0);
    assert_eq!(norm, 10.0);
    let g = a.grad().unwrap().to_vec::<f32>();
    assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
}

#[test]
fn clip_grad_value_clamps_elements() {
    let a = param_with_grad(vec![-3.0, 0.5, 2.0, -0.25]);
    clip_grad_value(std::slice::from_ref(&a), 1.0);
    assert_eq!(grad(&a), vec![-1.0, 0.5, 1.0, -0.25]);
}

#[test]
#[should_panic(expected = "clip_grad_norm: max_norm must be non-negative, got -1.0")]
fn negative_max_norm_panics() {
    clip_grad_norm(&[], -1.0);
}

#[test]
#[should_panic(expected = "clip_grad_value: clip must be non-negative, got NaN")]
fn nan_clip_value_panics() {
    clip_grad_value(&[], f64::NAN);
}

// SGD with lr 1 from 0 turns the clipped gradient into minus the parameter.
fn step_with(clip: Clip) -> (Vec<f64>, Vec<f64>) {
    let (a, b) = (param_with_grad(vec![3.0, 4.0]), param_with_grad(vec![0.0, 12.0]));
    let mut opt = Sgd::new(vec![a.clone(), b.clone()], 1.0).clip(clip);
    opt.step();
    let neg = |p: &Var| p.value().to_vec::<f64>().iter().map(|v| -v).collect();
    (neg(&a), neg(&b))
}

#[test]
fn clip_option_is_applied_before_the_update() {
    // Global: norm sqrt(9 + 16 + 144) = 13, scale 6.5 / (13 + 1e-6) ~ 0.5.
    let (a, b) = step_with(Clip::GlobalNorm(6.5));
    let s = 6.5 / (13.0 + 1e-6);
    assert_eq!((a, b), (vec![3.0 * s, 4.0 * s], vec![0.0, 12.0 * s]));

    // Per parameter (Keras clipnorm): a has norm 5 (scaled to 2.5 / 5), b norm 12 (to 2.5 / 12).
    let (a, b) = step_with(Clip::Norm(2.5));
    assert_eq!(a, vec![1.5, 2.0]);
    assert!((b[1] - 2.5).abs() < 1e-15 && b[0] == 0.0);

    // Per element.
    let (a, b) = step_with(Clip::Value(3.5));
    assert_eq!((a, b), (vec![3.0, 3.5], vec![0.0, 3.5]));
}

#[test]
#[should_panic(expected = "Invalid clip value: -1.0")]
fn clip_option_is_validated() {
    let _ = Sgd::new(vec![], 0.1).clip(Clip::Value(-1.0));
}

#[test]
fn try_clip_returns_the_error() {
    let err = Sgd::new(vec![], 0.1).try_clip(Clip::Norm(f64::NAN)).unwrap_err();
    assert_eq!(err.to_string(), "Invalid clip value: NaN");
}
