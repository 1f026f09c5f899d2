//! Convolutional training steps through the autograd.
//!
//! - `w3_train_step`: the W3 network (Conv2D 32 3x3 relu -> MaxPool 2 -> Conv2D 64 3x3 relu ->
//!   MaxPool 2 -> Flatten -> Dense 128 relu -> Dense 10), batch 64 of 28x28x1 images, sparse
//!   cross-entropy, forward + backward; throughput in images per second. The project's target is
//!   at most 1.33 s per 10,000 images (7,500 images/s) with 2 threads.
//! - `w3_inference`: the same forward under `no_grad`.
//! - `conv2d_*`: one fused conv + bias + relu layer, forward + backward, on W3's two shapes.
//! - `w3_batch64_retained_heap/train_step`: the W3 step again after `mallopt` raises glibc's trim
//!   and mmap thresholds, so that freed tensors stay mapped between steps. With the defaults,
//!   the multi-megabyte activations and gradients of every step are `mmap`ed and `munmap`ed
//!   again, and page faults plus TLB shootdowns cost as much as the arithmetic (see the report
//!   of issue 9); the difference between the two W3 numbers is that cost.
//!
//! `cargo bench --bench conv2d -- --warm-up-time 1 --measurement-time 3`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kerosene::autograd::{FusedActivation, Var, no_grad};
use kerosene::tensor::{Padding, Rng, Tensor};
use std::hint::black_box;

const BATCH: usize = 64;

struct W3 {
    params: Vec<Var>,
}

impl W3 {
    fn new(rng: &mut Rng) -> W3 {
        let shapes: [&[usize]; 8] =
            [&[3, 3, 1, 32], &[32], &[3, 3, 32, 64], &[64], &[1600, 128], &[128], &[128, 10], &[10]];
        let params = shapes
            .iter()
            .map(|s| {
                let t = if s.len() == 1 {
                    Tensor::zeros(s)
                } else {
                    let fans = kerosene::tensor::keras_fans(s);
                    Tensor::glorot_uniform(s, fans, rng)
                };
                Var::param(t)
            })
            .collect();
        W3 { params }
    }

    fn logits(&self, x: &Var) -> Var {
        let p = &self.params;
        let relu = FusedActivation::Relu;
        let h = x.conv2d_act(&p[0], Some(&p[1]), (1, 1), Padding::Valid, (1, 1), relu);
        let h = h.max_pool2d((2, 2), (2, 2), Padding::Valid);
        let h = h.conv2d_act(&p[2], Some(&p[3]), (1, 1), Padding::Valid, (1, 1), relu);
        let h = h.max_pool2d((2, 2), (2, 2), Padding::Valid).flatten_batch();
        let h = h.dense(&p[4], Some(&p[5]), relu);
        h.dense(&p[6], Some(&p[7]), FusedActivation::Identity)
    }
}

/// glibc only: keeps freed memory in the heap (no trimming, no per-allocation `mmap` below
/// 32 MiB) for the rest of the process. Returns false where it does not apply.
fn retain_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        // SAFETY: mallopt only changes two allocator thresholds; no memory is touched.
        unsafe { mallopt(M_TRIM_THRESHOLD, i32::MAX) != 0 && mallopt(M_MMAP_THRESHOLD, 32 << 20) != 0 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}

fn w3(c: &mut Criterion) {
    w3_group(c, "w3_batch64");
}

fn w3_retained_heap(c: &mut Criterion) {
    if retain_freed_memory() {
        w3_group(c, "w3_batch64_retained_heap");
    }
}

fn w3_group(c: &mut Criterion, name: &str) {
    let mut rng = Rng::new(0);
    let net = W3::new(&mut rng);
    let x = Var::new(Tensor::rand_uniform(&[BATCH, 28, 28, 1], 0.0, 1.0, &mut rng));
    let y = Tensor::from_vec((0..BATCH).map(|i| (i % 10) as f32).collect(), &[BATCH]);

    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("train_step", |b| {
        b.iter(|| {
            let loss = net.logits(&x).log_softmax_nll(&y).unwrap().mean_all();
            loss.backward();
            for p in &net.params {
                black_box(p.take_grad());
            }
        })
    });
    g.bench_function("inference", |b| b.iter(|| black_box(no_grad(|| net.logits(&x)).value())));
    g.finish();
}

fn conv_layers(c: &mut Criterion) {
    let mut rng = Rng::new(1);
    let mut g = c.benchmark_group("conv2d_3x3_relu_batch64");
    g.throughput(Throughput::Elements(BATCH as u64));
    // (input [H, W, C], filters, input needs a gradient)
    for (h, w, ci, co, need_dx) in [(28, 28, 1, 32, false), (13, 13, 32, 64, true)] {
        let x = Var::leaf(Tensor::rand_uniform(&[BATCH, h, w, ci], -1.0, 1.0, &mut rng), need_dx);
        let k = Var::param(Tensor::glorot_uniform(&[3, 3, ci, co], (9 * ci, 9 * co), &mut rng));
        let bias = Var::param(Tensor::zeros(&[co]));
        g.bench_function(format!("{h}x{w}x{ci}_to_{co}_forward_backward"), |b| {
            b.iter(|| {
                let y = x.conv2d_act(&k, Some(&bias), (1, 1), Padding::Valid, (1, 1), FusedActivation::Relu);
                y.sum_all().backward();
                black_box((x.take_grad(), k.take_grad(), bias.take_grad()));
            })
        });
    }
    g.finish();
}

// The allocator change is process-wide, so the retained-heap group runs last.
criterion_group!(benches, conv_layers, w3, w3_retained_heap);
criterion_main!(benches);
