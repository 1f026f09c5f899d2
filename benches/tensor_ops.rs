//! Tensor kernels: matmul in GFLOP/s (square sizes and the seed MLP's first layer), one large
//! elementwise op and one reduction in elements per second.
//!
//! `cargo bench --bench tensor_ops`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kerosene::tensor::{Rng, Tensor};
use std::hint::black_box;

fn matmul(c: &mut Criterion) {
    let mut g = c.benchmark_group("matmul");
    let mut rng = Rng::new(0);
    let shapes: [(usize, usize, usize); 4] = [(64, 64, 64), (256, 256, 256), (1024, 1024, 1024), (32, 784, 64)];
    for (m, k, n) in shapes {
        let a = Tensor::randn(&[m, k], &mut rng);
        let b = Tensor::randn(&[k, n], &mut rng);
        // Elements = floating-point operations, so criterion's "Gelem/s" reads as GFLOP/s.
        g.throughput(Throughput::Elements(2 * (m * k * n) as u64));
        g.bench_with_input(BenchmarkId::new("f32", format!("{m}x{k}x{n}")), &(a, b), |bch, (a, b)| {
            bch.iter(|| black_box(a.matmul(b)))
        });
    }
    g.finish();
}

fn elementwise(c: &mut Criterion) {
    let mut g = c.benchmark_group("elementwise");
    let mut rng = Rng::new(1);
    let n = 1 << 20;
    let a = Tensor::randn(&[1024, 1024], &mut rng);
    let b = Tensor::randn(&[1024, 1024], &mut rng);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("add_1024x1024", |bch| bch.iter(|| black_box(a.add(&b))));
    g.bench_function("exp_1024x1024", |bch| bch.iter(|| black_box(a.exp())));
    g.finish();
}

fn reduction(c: &mut Criterion) {
    let mut g = c.benchmark_group("reduction");
    let a = Tensor::randn(&[1024, 1024], &mut Rng::new(2));
    g.throughput(Throughput::Elements(1 << 20));
    g.bench_function("sum_axis0_1024x1024", |bch| bch.iter(|| black_box(a.sum(&[0], false))));
    g.bench_function("sum_axis1_1024x1024", |bch| bch.iter(|| black_box(a.sum(&[1], false))));
    g.bench_function("softmax_rows_1024x1024", |bch| bch.iter(|| black_box(a.softmax(-1))));
    g.finish();
}

criterion_group!(benches, matmul, elementwise, reduction);
criterion_main!(benches);
