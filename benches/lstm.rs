//! The W4 recurrent workload: an `LSTM(128)` layer over `[64, 28, 28]` (Fashion-MNIST images
//! read row by row), forward + backward, in sequences per second; and the whole training step
//! of the W4 model (LSTM(128) -> last h -> Dense(10), cross-entropy, Adam).
//!
//! `cargo bench --bench lstm -- --warm-up-time 1 --measurement-time 3`
//!
//! An epoch of W4 is 157 such steps (10,000 images at batch 64).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kerosene::autograd::Var;
use kerosene::nn::{Dense, LSTM, Module};
use kerosene::optim::{Adam, Optimizer};
use kerosene::tensor::{Rng, Tensor};
use std::hint::black_box;

fn lstm(c: &mut Criterion) {
    let (n, t, f, u) = (64, 28, 28, 128);
    let mut rng = Rng::new(0);
    let x = Var::new(Tensor::rand_uniform(&[n, t, f], 0.0, 1.0, &mut rng));
    let seed = Tensor::randn(&[n, u], &mut rng);
    let layer = LSTM::new(u).seed(1);
    layer.forward(&x); // build
    let params = layer.parameters();

    let mut g = c.benchmark_group("lstm128_t28_f28_batch64");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("layer_forward_backward", |b| {
        b.iter(|| {
            let h = layer.forward(&x);
            h.backward_with(&seed, false).unwrap();
            for p in &params {
                black_box(p.take_grad());
            }
        })
    });
    g.bench_function("layer_forward_only", |b| b.iter(|| black_box(kerosene::autograd::no_grad(|| layer.forward(&x)))));

    let head = Dense::new(10).seed(2);
    head.forward(&layer.forward(&x));
    let y = Tensor::from_vec((0..n).map(|i| (i % 10) as f32).collect(), &[n]);
    let mut all = layer.parameters();
    all.extend(head.parameters());
    let mut opt = Adam::new(all, 1e-3);
    g.bench_function("w4_train_step_adam", |b| {
        b.iter(|| {
            opt.zero_grad();
            let logits = head.forward(&layer.forward(&x));
            let loss = logits.log_softmax_nll(&y).unwrap().mean_all();
            loss.backward();
            opt.step();
        })
    });
    g.finish();
}

criterion_group!(benches, lstm);
criterion_main!(benches);
