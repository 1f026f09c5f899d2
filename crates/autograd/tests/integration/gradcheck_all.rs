//! Runs `gradcheck` over every differentiable op, with broadcast shapes and with inputs used
//! more than once, and proves that gradcheck fails on a wrong backward.

use kerosene_autograd::{FusedActivation, Tolerances, Var, gradcheck};
use kerosene_tensor::{Rng, Tensor};

fn rand(shape: &[usize], lo: f64, hi: f64, seed: u64) -> Tensor {
    Tensor::rand_uniform(shape, lo, hi, &mut Rng::new(seed)).to_f64()
}

fn sym(shape: &[usize], seed: u64) -> Tensor {
    rand(shape, -2.0, 2.0, seed)
}

fn pos(shape: &[usize], seed: u64) -> Tensor {
    rand(shape, 0.5, 2.0, seed)
}

#[track_caller]
fn check(f: impl Fn(&[Var]) -> Var, inputs: &[Tensor]) {
    if let Err(e) = gradcheck(f, inputs, Tolerances::default()) {
        panic!("{e}");
    }
}

#[test]
fn binary_arithmetic_with_broadcasting() {
    let shapes: [(&[usize], &[usize]); 4] =
        [(&[3, 4], &[3, 4]), (&[3, 4], &[4]), (&[2, 1, 4], &[3, 1]), (&[], &[2, 3])];
    for (i, (sa, sb)) in shapes.into_iter().enumerate() {
        let (a, b) = (sym(sa, i as u64), sym(sb, 100 + i as u64));
        check(|v| v[0].add(&v[1]), &[a.clone(), b.clone()]);
        check(|v| v[0].sub(&v[1]), &[a.clone(), b.clone()]);
        check(|v| v[0].mul(&v[1]), &[a.clone(), b.clone()]);
        check(|v| v[0].div(&v[1]), &[a.clone(), pos(sb, 200 + i as u64)]);
        check(|v| v[0].maximum(&v[1]), &[a.clone(), b.clone()]);
        check(|v| v[0].minimum(&v[1]), &[a.clone(), b.clone()]);
        check(|v| v[0].pow(&v[1]), &[pos(sa, 300 + i as u64), b.clone()]);
    }
}

#[test]
fn input_used_twice_accumulates() {
    let a = sym(&[3, 4], 1);
    check(|v| v[0].mul(&v[0]), std::slice::from_ref(&a));
    check(|v| v[0].tanh().mul(&v[0]).add(&v[0].exp()), std::slice::from_ref(&a));
    check(|v| v[0].matmul(&v[0].t()), std::slice::from_ref(&a));
    check(|v| Var::concat(&[&v[0], &v[0].neg()], 0), &[a]);
}

#[test]
fn scalar_ops() {
    let a = sym(&[2, 3], 2);
    check(|v| v[0].add_scalar(1.5), std::slice::from_ref(&a));
    check(|v| v[0].mul_scalar(-2.5), std::slice::from_ref(&a));
    check(|v| v[0].rsub_scalar(3.0), std::slice::from_ref(&a));
    check(|v| v[0].neg(), std::slice::from_ref(&a));
    check(|v| (&v[0] * 2.0 + 1.0) / 4.0 - 0.5, &[a]);
}

#[test]
fn unary_math() {
    let (a, p) = (sym(&[2, 3], 3), pos(&[2, 3], 4));
    check(|v| v[0].exp(), std::slice::from_ref(&a));
    check(|v| v[0].ln(), std::slice::from_ref(&p));
    check(|v| v[0].ln_1p(), std::slice::from_ref(&p));
    check(|v| v[0].sqrt(), std::slice::from_ref(&p));
    check(|v| v[0].square(), std::slice::from_ref(&a));
    check(|v| v[0].recip(), std::slice::from_ref(&p));
    check(|v| v[0].powf(2.5), std::slice::from_ref(&p));
    check(|v| v[0].abs(), std::slice::from_ref(&a));
    check(|v| v[0].clamp(-1.0, 1.0), &[a]);
}

#[test]
fn activations() {
    let a = sym(&[3, 5], 5);
    check(|v| v[0].relu(), std::slice::from_ref(&a));
    check(|v| v[0].leaky_relu(0.1), std::slice::from_ref(&a));
    check(|v| v[0].elu(1.3), std::slice::from_ref(&a));
    check(|v| v[0].gelu(), std::slice::from_ref(&a));
    check(|v| v[0].sigmoid(), std::slice::from_ref(&a));
    check(|v| v[0].tanh(), std::slice::from_ref(&a));
    check(|v| v[0].softplus(), &[a]);
}

#[test]
fn matmul_all_forms() {
    check(|v| v[0].matmul(&v[1]), &[sym(&[3, 4], 6), sym(&[4, 2], 7)]);
    check(|v| v[0].matmul(&v[1]), &[sym(&[2, 3, 4], 8), sym(&[4, 5], 9)]); // batched lhs, shared rhs
    check(|v| v[0].matmul(&v[1]), &[sym(&[2, 1, 3, 4], 10), sym(&[3, 4, 2], 11)]); // broadcast batch
    check(|v| v[0].matmul(&v[1]), &[sym(&[3, 4], 12), sym(&[4], 13)]); // matrix-vector
    check(|v| v[0].matmul(&v[1]), &[sym(&[4], 14), sym(&[4, 3], 15)]); // vector-matrix
    check(|v| v[0].matmul(&v[1]), &[sym(&[4], 16), sym(&[4], 17)]); // dot
    check(|v| v[0].t().matmul(&v[1].t()), &[sym(&[4, 3], 18), sym(&[2, 4], 19)]); // strided operands
}

#[test]
fn reductions() {
    let a = sym(&[2, 3, 4], 20);
    for axes in [&[0isize][..], &[1], &[-1], &[0, 2], &[0, 1, 2]] {
        for keep in [false, true] {
            check(|v| v[0].sum(axes, keep), std::slice::from_ref(&a));
            check(|v| v[0].mean(axes, keep), std::slice::from_ref(&a));
            check(|v| v[0].max(axes, keep), std::slice::from_ref(&a));
            check(|v| v[0].min(axes, keep), std::slice::from_ref(&a));
            check(|v| v[0].var(axes, keep), std::slice::from_ref(&a));
        }
    }
    check(|v| v[0].sum_all(), std::slice::from_ref(&a));
    check(|v| v[0].mean_all(), &[a]);
}

#[test]
fn max_with_ties_splits_the_gradient() {
    let x = Var::param(Tensor::from_vec(vec![1.0f64, 3.0, 3.0, 2.0], &[4]));
    x.max(&[0], false).backward();
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![0.0, 0.5, 0.5, 0.0]);
    let a = Var::param(Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
    let b = Var::param(Tensor::from_vec(vec![1.0f64, 0.0], &[2]));
    a.maximum(&b).sum_all().backward();
    assert_eq!(a.grad().unwrap().to_vec::<f64>(), vec![0.5, 1.0]);
    assert_eq!(b.grad().unwrap().to_vec::<f64>(), vec![0.5, 0.0]);
}

#[test]
fn shape_ops() {
    let a = sym(&[2, 3, 4], 21);
    check(|v| v[0].reshape(&[4, -1]), std::slice::from_ref(&a));
    check(|v| v[0].permute(&[2, 0, 1]), std::slice::from_ref(&a));
    check(|v| v[0].transpose(0, 2), std::slice::from_ref(&a));
    check(|v| v[0].t(), std::slice::from_ref(&a));
    check(|v| v[0].unsqueeze(1).squeeze(Some(1)), std::slice::from_ref(&a));
    check(|v| v[0].flatten_batch(), std::slice::from_ref(&a));
    check(|v| v[0].slice(2, 1, 4, 2), std::slice::from_ref(&a));
    check(|v| v[0].select(1, 2), std::slice::from_ref(&a));
    check(|v| v[0].split(&[1, 3], 2)[1].clone(), std::slice::from_ref(&a));
    check(|v| v[0].chunk(3, 1)[2].clone(), std::slice::from_ref(&a));
    check(|v| v[0].broadcast_to(&[5, 2, 3, 4]), std::slice::from_ref(&a));
    check(|v| Var::concat(&[&v[0], &v[1]], 1), &[a.clone(), sym(&[2, 5, 4], 22)]);
    check(|v| Var::stack(&[&v[0], &v[1]], 1), &[a.clone(), sym(&[2, 3, 4], 23)]);
}

#[test]
fn indexing() {
    let table = sym(&[5, 3], 24);
    check(|v| v[0].index_select(0, &[4, 0, 4, 2]), std::slice::from_ref(&table)); // repeated index accumulates
    check(|v| v[0].index_select(1, &[2, 0]), std::slice::from_ref(&table));
    let ids = Tensor::from_vec(vec![1.0f64, 3.0, 1.0, 0.0, 4.0, 4.0], &[2, 3]);
    check(|v| v[0].embedding(&ids), std::slice::from_ref(&table));
    let idx = Tensor::from_vec(vec![2.0f64, 0.0, 1.0, 1.0, 0.0, 2.0, 2.0, 2.0, 1.0, 0.0], &[5, 2]);
    check(|v| v[0].gather(1, &idx), &[table]);
}

#[test]
fn softmax_family() {
    let a = sym(&[3, 4], 25);
    for axis in [0isize, 1, -1] {
        check(|v| v[0].softmax(axis), std::slice::from_ref(&a));
        check(|v| v[0].log_softmax(axis), std::slice::from_ref(&a));
        check(|v| v[0].logsumexp(axis, false), std::slice::from_ref(&a));
        check(|v| v[0].logsumexp(axis, true), std::slice::from_ref(&a));
    }
    let t = Tensor::from_vec(vec![3.0f64, 0.0, 1.0], &[3]);
    check(|v| v[0].log_softmax_nll(&t).unwrap(), std::slice::from_ref(&a));
    let t3 = Tensor::from_vec(vec![3.0f64, 0.0, 1.0, 2.0, 2.0, 0.0], &[2, 3]);
    check(|v| v[0].log_softmax_nll(&t3).unwrap(), &[sym(&[2, 3, 4], 26)]);
}

#[test]
fn dropout_and_where() {
    let a = sym(&[4, 5], 27);
    check(|v| v[0].dropout(0.4, &mut Rng::new(9)), std::slice::from_ref(&a));
    let mask = Tensor::from_vec(vec![1.0f64, 0.0, 0.0, 1.0, 1.0], &[5]);
    check(|v| v[0].mul_mask(&mask), std::slice::from_ref(&a));
    let cond = Tensor::from_vec(vec![1.0f64, 0.0, 1.0, 0.0, 1.0], &[5]);
    check(|v| Var::where_cond(&cond, &v[0], &v[1]), &[a, sym(&[5], 28)]);
}

#[test]
fn fused_linear_every_activation_and_layout() {
    let x = sym(&[4, 3], 29);
    let x3 = sym(&[2, 4, 3], 30);
    let k = sym(&[3, 5], 31);
    let w = sym(&[5, 3], 32);
    let b = sym(&[5], 33);
    for act in [FusedActivation::Identity, FusedActivation::Relu, FusedActivation::Sigmoid, FusedActivation::Tanh] {
        check(|v| v[0].dense(&v[1], Some(&v[2]), act), &[x.clone(), k.clone(), b.clone()]);
        check(|v| v[0].dense(&v[1], None, act), &[x3.clone(), k.clone()]);
        check(|v| v[0].linear_act(&v[1], Some(&v[2]), act), &[x3.clone(), w.clone(), b.clone()]);
    }
}

#[test]
fn a_chain_like_a_network() {
    // Two layers, softmax cross-entropy, mean: the seed MLP in miniature.
    let t = Tensor::from_vec(vec![0.0f64, 2.0, 1.0, 2.0], &[4]);
    check(
        |v| {
            let h = v[0].dense(&v[1], Some(&v[2]), FusedActivation::Tanh);
            h.dense(&v[3], None, FusedActivation::Identity).log_softmax_nll(&t).unwrap().mean_all()
        },
        &[sym(&[4, 3], 34), sym(&[3, 6], 35), sym(&[6], 36), sym(&[6, 3], 37)],
    );
}

/// An op whose backward is deliberately wrong (it forgets the factor 2 of d x² / dx).
fn bad_square(x: &Var) -> Var {
    let xv = x.value();
    Var::from_op("bad_square", xv.square(), &[x], move |g, _| vec![Some(g.mul(&xv))])
}

#[test]
fn gradcheck_fails_on_a_wrong_backward() {
    let err = gradcheck(|v| bad_square(&v[0]), &[sym(&[3], 38)], Tolerances::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("gradcheck: input 0 (shape [3]) element [0]: backward gives"), "{msg}");
}

#[test]
fn gradcheck_fails_on_a_broadcast_backward_that_does_not_reduce() {
    // A backward that returns the gradient of the broadcast result without summing: wrong shape.
    fn bad_add(a: &Var, b: &Var) -> Var {
        let y = a.value().add(&b.value());
        Var::from_op("bad_add", y, &[a, b], |g, _| vec![Some(g.clone()), Some(g.clone())])
    }
    let r = std::panic::catch_unwind(|| {
        gradcheck(|v| bad_add(&v[0], &v[1]), &[sym(&[2, 3], 39), sym(&[3], 40)], Tolerances::default())
    });
    let msg = match r {
        Err(p) => p.downcast_ref::<String>().cloned().unwrap_or_default(),
        Ok(res) => res.unwrap_err().to_string(),
    };
    assert!(msg.contains("backward of bad_add: gradient of shape [2, 3] for an input of shape [3]"), "{msg}");
}
