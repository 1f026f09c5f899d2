//! Graph semantics: accumulation, no_grad, detach, freeing, retain_graph, errors, and
//! gradients checked against hand-derived values.

use kerosene_autograd::{AutogradError, Var, no_grad};
use kerosene_tensor::Tensor;

fn v64(data: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_vec(data.to_vec(), shape)
}

#[test]
fn polynomial_by_hand() {
    // y = x^2 + 5x + 4, dy/dx = 2x + 5
    let x = Var::param(Tensor::scalar(-1.5));
    let y = &(&x.square() + &x.mul_scalar(5.0)) + 4.0;
    y.backward();
    assert_eq!(y.item(), 2.25 - 7.5 + 4.0);
    assert_eq!(x.grad().unwrap().item(), 2.0);
}

#[test]
fn matmul_gradients_by_hand() {
    // y = sum(A B), dA = 1 Bᵀ (row sums of B per column), dB = Aᵀ 1
    let a = Var::param(v64(&[1.0, 2.0, 3.0, 4.0], &[2, 2]));
    let b = Var::param(v64(&[5.0, 6.0, 7.0, 8.0], &[2, 2]));
    a.matmul(&b).sum_all().backward();
    assert_eq!(a.grad().unwrap().to_vec::<f64>(), vec![11.0, 15.0, 11.0, 15.0]);
    assert_eq!(b.grad().unwrap().to_vec::<f64>(), vec![4.0, 4.0, 6.0, 6.0]);
}

#[test]
fn broadcast_add_sums_gradient_over_broadcast_axes() {
    let x = Var::param(v64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]));
    let b = Var::param(v64(&[0.5, 0.5, 0.5], &[3]));
    x.add(&b).mul(&x).sum_all().backward();
    // d/db sum((x + b) x) = sum over rows of x
    assert_eq!(b.grad().unwrap().to_vec::<f64>(), vec![5.0, 7.0, 9.0]);
    // d/dx = 2x + b
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![2.5, 4.5, 6.5, 8.5, 10.5, 12.5]);
}

#[test]
fn sigmoid_tanh_relu_by_hand() {
    let x = Var::param(v64(&[0.0, 1.0, -1.0], &[3]));
    x.sigmoid().sum_all().backward();
    let s1 = 1.0 / (1.0 + (-1.0f64).exp());
    let g = x.grad().unwrap().to_vec::<f64>();
    assert!((g[0] - 0.25).abs() < 1e-12 && (g[1] - s1 * (1.0 - s1)).abs() < 1e-12);
    x.zero_grad();
    x.tanh().sum_all().backward();
    let t1 = 1.0f64.tanh();
    assert!((x.grad().unwrap().to_vec::<f64>()[2] - (1.0 - t1 * t1)).abs() < 1e-12);
    x.zero_grad();
    x.relu().sum_all().backward();
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![0.0, 1.0, 0.0]);
}

#[test]
fn cross_entropy_gradient_is_softmax_minus_onehot() {
    let z = Var::param(v64(&[1.0, 2.0, 3.0], &[1, 3]));
    z.log_softmax_nll(&v64(&[1.0], &[1])).unwrap().sum_all().backward();
    let e: Vec<f64> = [1.0f64, 2.0, 3.0].iter().map(|v| v.exp()).collect();
    let s: f64 = e.iter().sum();
    let want = [e[0] / s, e[1] / s - 1.0, e[2] / s];
    for (g, w) in z.grad().unwrap().to_vec::<f64>().iter().zip(want) {
        assert!((g - w).abs() < 1e-12);
    }
}

#[test]
fn gradients_accumulate_across_backward_calls_until_zeroed() {
    let x = Var::param(Tensor::scalar(2.0));
    x.mul_scalar(3.0).backward();
    x.mul_scalar(3.0).backward();
    assert_eq!(x.grad().unwrap().item(), 6.0);
    x.zero_grad();
    assert!(x.grad().is_none());
    x.square().backward();
    assert_eq!(x.grad().unwrap().item(), 4.0);
}

#[test]
fn shared_subexpression_gets_both_paths() {
    // y = h * h with h = 3x: dy/dx = 2 h 3 = 18x
    let x = Var::param(Tensor::scalar(1.0));
    let h = x.mul_scalar(3.0);
    h.mul(&h).backward();
    assert_eq!(x.grad().unwrap().item(), 18.0);
}

#[test]
fn constants_and_no_grad_record_nothing() {
    let w = Var::param(Tensor::ones(&[3]));
    let c = Var::new(Tensor::ones(&[3]));
    assert!(!c.mul(&c).requires_grad());
    let y = no_grad(|| w.mul(&c));
    assert!(!y.requires_grad() && y.is_leaf());
    assert!(w.mul(&c).requires_grad(), "recording resumes after no_grad");
    let d = w.mul_scalar(2.0).detach();
    assert!(!d.requires_grad());
    d.sum_all().backward(); // a constant: nothing to do, no error
    assert!(w.grad().is_none());
}

#[test]
fn second_backward_through_a_freed_graph_is_an_error() {
    let x = Var::param(Tensor::scalar(2.0));
    let y = x.square().mul_scalar(2.0);
    y.backward();
    let err = y.try_backward().unwrap_err();
    assert!(matches!(err, AutogradError::GraphFreed { op: "mul_scalar" }));
    assert!(err.to_string().contains("retain_graph"));
}

#[test]
fn retain_graph_allows_a_second_backward() {
    let x = Var::param(Tensor::scalar(2.0));
    let y = x.square();
    let seed = Tensor::scalar(1.0).to_f64();
    y.backward_with(&seed.to_f32(), true).unwrap();
    y.backward_with(&seed.to_f32(), false).unwrap();
    assert_eq!(x.grad().unwrap().item(), 8.0);
}

#[test]
fn backward_errors_name_the_shapes() {
    let x = Var::param(Tensor::ones(&[2, 3]));
    let y = x.mul_scalar(2.0);
    let e = y.try_backward().unwrap_err();
    assert_eq!(
        e.to_string(),
        "backward: called on a tensor of shape [2, 3]; it needs a one-element result (a loss), or use backward_with(seed)"
    );
    let e = y.backward_with(&Tensor::ones(&[3]), false).unwrap_err();
    assert_eq!(e.to_string(), "backward_with: seed of shape [3] for a variable of shape [2, 3]");
}

#[test]
fn updating_a_parameter_never_corrupts_a_recorded_graph() {
    // The graph saved w's old value; an in-place update between forward and backward must
    // copy (copy-on-write), so the gradient w.r.t. x still uses the old w.
    let w = Var::param(v64(&[2.0], &[1]));
    let x = Var::param(v64(&[5.0], &[1]));
    let y = x.mul(&w).sum_all();
    w.update_value(|t| t.as_slice_mut::<f64>().unwrap()[0] = 100.0);
    y.backward();
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![2.0]);
    assert_eq!(w.value().to_vec::<f64>(), vec![100.0]);
}

#[test]
fn set_value_checks_shape_and_leafness() {
    let w = Var::param(Tensor::ones(&[2]));
    let r = std::panic::catch_unwind(|| w.set_value(Tensor::ones(&[3])));
    assert!(r.is_err());
    let y = w.mul_scalar(2.0);
    let r = std::panic::catch_unwind(|| y.set_value(Tensor::ones(&[2])));
    assert!(r.is_err());
}

#[test]
fn shape_errors_in_ops_name_the_op_and_both_shapes() {
    let a = Var::param(Tensor::ones(&[32, 784]));
    let b = Var::param(Tensor::ones(&[128, 10]));
    let r = std::panic::catch_unwind(|| a.matmul(&b));
    let msg = r.unwrap_err().downcast_ref::<String>().cloned().unwrap();
    assert_eq!(msg, "matmul: inner dimensions differ: lhs [32, 784], rhs [128, 10] (784 != 128)");
    let k = Var::param(Tensor::ones(&[100, 64]));
    let r = std::panic::catch_unwind(|| a.dense(&k, None, Default::default()));
    let msg = r.unwrap_err().downcast_ref::<String>().cloned().unwrap();
    assert_eq!(msg, "dense: input features differ from the weight's: input [32, 784], weight [100, 64] (784 != 100)");
}

#[test]
fn bad_class_index_is_an_error_naming_it() {
    let z = Var::param(Tensor::zeros(&[3, 4]));
    let e = z.log_softmax_nll(&Tensor::from_vec(vec![0.0f32, 4.0, 1.0], &[3])).unwrap_err();
    assert_eq!(e.to_string(), "cross_entropy: index 4 at position [1] is out of range 0..4");
    let e = z.log_softmax_nll(&Tensor::from_vec(vec![0.0f32, 1.5, 1.0], &[3])).unwrap_err();
    assert_eq!(e.to_string(), "cross_entropy: index 1.5 at position [1] is not a whole number in range 0..4");
}

#[test]
fn deep_chains_do_not_overflow_the_stack_when_dropped() {
    let x = Var::param(Tensor::scalar(1.0));
    let mut y = x.clone();
    for _ in 0..200_000 {
        y = y.mul_scalar(1.0);
    }
    drop(y);
}
