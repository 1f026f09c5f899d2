//! One training step's forward + backward of the seed MLP (784-64-64-10, ReLU, batch 32,
//! softmax cross-entropy), through the autograd and as hand-written tensor code doing the same
//! arithmetic with no graph. The ratio of the two is the autograd's overhead.
//!
//! `cargo bench --bench autograd_mlp`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kerosene::autograd::{FusedActivation, Var};
use kerosene::tensor::{Rng, Tensor};
use std::hint::black_box;

struct Mlp {
    w: [Tensor; 3],
    b: [Tensor; 3],
}

fn mlp(rng: &mut Rng) -> Mlp {
    let dims = [784, 64, 64, 10];
    let w = std::array::from_fn(|i| Tensor::glorot_uniform(&[dims[i], dims[i + 1]], (dims[i], dims[i + 1]), rng));
    let b = std::array::from_fn(|i| Tensor::zeros(&[dims[i + 1]]));
    Mlp { w, b }
}

/// The same step written by hand: forward, softmax cross-entropy gradient, backward.
fn manual_step(m: &Mlp, x: &Tensor, y: &Tensor) -> Vec<Tensor> {
    let h1 = x.matmul(&m.w[0]).add(&m.b[0]).relu();
    let h2 = h1.matmul(&m.w[1]).add(&m.b[1]).relu();
    let z = h2.matmul(&m.w[2]).add(&m.b[2]);
    let n = x.shape()[0] as f64;
    let dz = z.softmax(-1).sub(&y.one_hot(10)).mul_scalar(1.0 / n);
    let dw3 = h2.t().matmul(&dz);
    let db3 = dz.sum(&[0], false);
    let dh2 = dz.matmul(&m.w[2].t()).zip_map_f64(&h2, |g, h| if h > 0.0 { g } else { 0.0 });
    let dw2 = h1.t().matmul(&dh2);
    let db2 = dh2.sum(&[0], false);
    let dh1 = dh2.matmul(&m.w[1].t()).zip_map_f64(&h1, |g, h| if h > 0.0 { g } else { 0.0 });
    let dw1 = x.t().matmul(&dh1);
    let db1 = dh1.sum(&[0], false);
    vec![dw1, db1, dw2, db2, dw3, db3]
}

fn train_step(c: &mut Criterion) {
    let mut rng = Rng::new(0);
    let m = mlp(&mut rng);
    let x = Tensor::rand_uniform(&[32, 784], 0.0, 1.0, &mut rng);
    let y = Tensor::from_vec((0..32).map(|i| (i % 10) as f32).collect(), &[32]);
    let params: Vec<Var> =
        m.w.iter().zip(&m.b).flat_map(|(w, b)| [Var::param(w.clone()), Var::param(b.clone())]).collect();
    let xv = Var::new(x.clone());

    let mut g = c.benchmark_group("mlp_784_64_64_10_batch32");
    g.throughput(Throughput::Elements(32));
    g.bench_function("autograd_forward_backward", |b| {
        b.iter(|| {
            let h = xv.dense(&params[0], Some(&params[1]), FusedActivation::Relu);
            let h = h.dense(&params[2], Some(&params[3]), FusedActivation::Relu);
            let z = h.dense(&params[4], Some(&params[5]), FusedActivation::Identity);
            let loss = z.log_softmax_nll(&y).unwrap().mean_all();
            loss.backward();
            for p in &params {
                black_box(p.take_grad());
            }
        })
    });
    g.bench_function("manual_tensor_forward_backward", |b| b.iter(|| black_box(manual_step(&m, &x, &y))));
    g.finish();
}

criterion_group!(benches, train_step);
criterion_main!(benches);
