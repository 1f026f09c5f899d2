//! The graph is freed after backward: many training steps do not grow the number of live
//! variables. (Alone in its own test binary, so no other test changes the global count.)

use kerosene_autograd::{FusedActivation, Var, live_vars, no_grad};
use kerosene_tensor::{Rng, Tensor};

#[test]
fn ten_thousand_training_steps_do_not_leak_graph_nodes() {
    let mut rng = Rng::new(7);
    let w1 = Var::param(Tensor::glorot_uniform(&[8, 16], (8, 16), &mut rng));
    let b1 = Var::param(Tensor::zeros(&[16]));
    let w2 = Var::param(Tensor::glorot_uniform(&[16, 3], (16, 3), &mut rng));
    let x = Var::new(Tensor::randn(&[4, 8], &mut rng));
    let t = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 1.0], &[4]);
    let params = [w1.clone(), b1.clone(), w2.clone()];
    let step = || {
        let h = x.dense(&w1, Some(&b1), FusedActivation::Relu).dropout(0.1, &mut Rng::new(3));
        let loss = h.matmul(&w2).log_softmax(-1).mul_scalar(1.0).log_softmax_nll(&t).unwrap().mean_all();
        loss.backward();
        no_grad(|| {
            for p in &params {
                let g = p.take_grad().unwrap();
                p.update_value(|v| v.add_assign_scaled(&g, -0.01));
            }
        });
        loss.item()
    };
    let first = step();
    let baseline = live_vars();
    let mut last = first;
    for i in 0..10_000 {
        last = step();
        assert_eq!(live_vars(), baseline, "live variables grew at step {i}");
    }
    assert!(last < first, "training should reduce the loss: {first} -> {last}");
}
