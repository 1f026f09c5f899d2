//! Each fused primitive equals the composition of the primitives it replaces, in value and in
//! gradient.

use kerosene_autograd::{FusedActivation, Var};
use kerosene_tensor::{Rng, Tensor};

fn grads(vars: &[Var]) -> Vec<Tensor> {
    vars.iter().map(|v| v.take_grad().unwrap()).collect()
}

fn assert_close(a: &Tensor, b: &Tensor) {
    assert!(a.allclose(b, 1e-10, 1e-12), "{a:?} vs {b:?}");
}

#[test]
fn dense_equals_matmul_add_activation() {
    let mut rng = Rng::new(1);
    let x = Var::param(Tensor::randn(&[2, 5, 4], &mut rng).to_f64());
    let k = Var::param(Tensor::randn(&[4, 3], &mut rng).to_f64());
    let b = Var::param(Tensor::randn(&[3], &mut rng).to_f64());
    let all = [x.clone(), k.clone(), b.clone()];
    let seed = Tensor::randn(&[2, 5, 3], &mut rng).to_f64();
    for act in [FusedActivation::Identity, FusedActivation::Relu, FusedActivation::Sigmoid, FusedActivation::Tanh] {
        let fused = x.dense(&k, Some(&b), act);
        fused.backward_with(&seed, false).unwrap();
        let gf = grads(&all);
        let z = x.matmul(&k).add(&b);
        let composed = match act {
            FusedActivation::Identity => z,
            FusedActivation::Relu => z.relu(),
            FusedActivation::Sigmoid => z.sigmoid(),
            FusedActivation::Tanh => z.tanh(),
        };
        assert_close(&fused.value(), &composed.value());
        composed.backward_with(&seed, false).unwrap();
        for (a, b) in gf.iter().zip(grads(&all)) {
            assert_close(a, &b);
        }
    }
}

#[test]
fn linear_equals_matmul_with_transposed_weight() {
    let mut rng = Rng::new(2);
    let x = Var::param(Tensor::randn(&[6, 4], &mut rng).to_f64());
    let w = Var::param(Tensor::randn(&[3, 4], &mut rng).to_f64());
    let b = Var::param(Tensor::randn(&[3], &mut rng).to_f64());
    let all = [x.clone(), w.clone(), b.clone()];
    let fused = x.linear(&w, Some(&b));
    fused.sum_all().backward();
    let gf = grads(&all);
    let composed = x.matmul(&w.t()).add(&b);
    assert_close(&fused.value(), &composed.value());
    composed.sum_all().backward();
    for (a, b) in gf.iter().zip(grads(&all)) {
        assert_close(a, &b);
    }
}

#[test]
fn log_softmax_nll_equals_log_softmax_then_pick() {
    let mut rng = Rng::new(3);
    let z = Var::param(Tensor::randn(&[5, 7], &mut rng).mul_scalar(10.0).to_f64());
    let t = Tensor::from_vec(vec![0.0f64, 6.0, 3.0, 3.0, 1.0], &[5]);
    let fused = z.log_softmax_nll(&t).unwrap();
    fused.mean_all().backward();
    let gf = z.take_grad().unwrap();
    let onehot = t.one_hot(7);
    let composed = z.log_softmax(-1).mul(&Var::new(onehot)).sum(&[-1], false).neg();
    assert_close(&fused.value(), &composed.value());
    composed.mean_all().backward();
    assert_close(&gf, &z.take_grad().unwrap());
}

#[test]
fn log_softmax_nll_is_finite_for_extreme_logits() {
    let z = Var::param(Tensor::from_vec(vec![1e30f32, -1e30, 0.0, 0.0, 0.0, 80.0], &[2, 3]));
    let l = z.log_softmax_nll(&Tensor::from_vec(vec![1.0f32, 2.0], &[2])).unwrap();
    assert!(l.value().all_finite(), "{:?}", l.value());
    let l2 = z.log_softmax_nll(&Tensor::from_vec(vec![0.0f32, 2.0], &[2])).unwrap();
    assert!(l2.value().all_finite());
    l2.sum_all().backward();
    assert!(z.grad().unwrap().all_finite());
}
