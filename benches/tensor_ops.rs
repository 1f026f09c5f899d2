//! Tensor kernels: matmul in GFLOP/s (square sizes and the training workloads' shapes, with
//! their transposed operands), the two GEMM backends side by side, one large elementwise op and
//! one reduction in elements per second.
//!
//! `cargo bench --bench tensor_ops`; `-- matmul` or `-- gemm_backend` for one group.
//! OpenBLAS on the same shapes: `benches/peers/sgemm_numpy.py` (see docs/performance.md, "GEMM").

use std::time::Duration;

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};
use kerosene::tensor::gemm::{Backend, gemm_with};
use kerosene::tensor::ndarray::{Array2, ArrayView2, Ix2};
use kerosene::tensor::{Rng, Tensor};
use std::hint::black_box;

/// `(m, k, n, A transposed, B transposed)`: `C[m, n] = A[m, k] B[k, n]`, where a transposed
/// operand is the `.t()` view of a row-major tensor (as in `x.t().matmul(&dz)` for a weight
/// gradient). Keep in sync with `benches/peers/sgemm_numpy.py`.
const SHAPES: [(usize, usize, usize, bool, bool); 24] = [
    (64, 64, 64, false, false),
    (256, 256, 256, false, false),
    (512, 512, 512, false, false),
    (1024, 1024, 1024, false, false),
    (2048, 2048, 2048, false, false),
    // MLP 784-64-10, batch 32: forward, dW = x^T dz, dx = dz W^T, the 64 -> 64 and 64 -> 10 layers
    (32, 784, 64, false, false),
    (784, 32, 64, true, false),
    (32, 64, 784, false, true),
    (32, 64, 64, false, true),
    (32, 64, 10, false, false),
    // batch 128
    (128, 784, 64, false, false),
    (784, 128, 64, true, false),
    (128, 64, 64, false, true),
    (128, 64, 10, false, false),
    // LSTM (batch 64, 28 steps of 28 inputs, hidden 128): input projection, recurrent step, and
    // their backward (dW_hh = h^T dgates, dh = dgates W_hh^T)
    (64 * 28, 28, 512, false, false),
    (64, 128, 512, false, false),
    (128, 64, 512, true, false),
    (64, 512, 128, false, true),
    // CNN im2col (batch 64): conv 3x3x1 -> 32 on 26x26 and 3x3x32 -> 64 on 11x11, forward, dW and
    // dcols
    (64 * 26 * 26, 9, 32, false, false),
    (64 * 11 * 11, 288, 64, false, false),
    (9, 64 * 26 * 26, 32, true, false),
    (288, 64 * 11 * 11, 64, true, false),
    (64 * 26 * 26, 32, 9, false, true),
    (64 * 11 * 11, 64, 288, false, true),
];

fn shape_name((m, k, n, ta, tb): (usize, usize, usize, bool, bool)) -> String {
    format!("{m}x{k}x{n}{}{}", if ta { "Ta" } else { "" }, if tb { "Tb" } else { "" })
}

/// The operands of a shape: A and B as tensors, transposed views where the shape says so.
fn operands((m, k, n, ta, tb): (usize, usize, usize, bool, bool), rng: &mut Rng) -> (Tensor, Tensor) {
    let a = if ta { Tensor::randn(&[k, m], rng).t() } else { Tensor::randn(&[m, k], rng) };
    let b = if tb { Tensor::randn(&[n, k], rng).t() } else { Tensor::randn(&[k, n], rng) };
    (a, b)
}

fn view2(t: &Tensor) -> ArrayView2<'_, f32> {
    t.view::<f32>().into_dimensionality::<Ix2>().expect("2-D")
}

/// Short runs: 24 shapes per group, and the slow ones are still timed over many iterations.
fn configure(g: &mut BenchmarkGroup<'_, WallTime>) {
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    g.sample_size(20);
}

/// `Tensor::matmul` (allocates C) on the default backend.
fn matmul(c: &mut Criterion) {
    let mut g = c.benchmark_group("matmul");
    configure(&mut g);
    let mut rng = Rng::new(0);
    for shape in SHAPES {
        let (m, k, n, _, _) = shape;
        let (a, b) = operands(shape, &mut rng);
        // Elements = floating-point operations, so criterion's "Gelem/s" reads as GFLOP/s.
        g.throughput(Throughput::Elements(2 * (m * k * n) as u64));
        g.bench_with_input(BenchmarkId::new("f32", shape_name(shape)), &(a, b), |bch, (a, b)| {
            bch.iter(|| black_box(a.matmul(b)))
        });
    }
    g.finish();
}

/// The GEMM itself (`C = A B` into a preallocated C) on each backend, side by side in one run.
fn gemm_backend(c: &mut Criterion) {
    let mut g = c.benchmark_group("gemm_backend");
    configure(&mut g);
    let mut rng = Rng::new(0);
    for shape in SHAPES {
        let (m, k, n, _, _) = shape;
        let (a, b) = operands(shape, &mut rng);
        let (av, bv) = (view2(&a), view2(&b));
        let mut out = Array2::<f32>::zeros((m, n));
        g.throughput(Throughput::Elements(2 * (m * k * n) as u64));
        for (name, backend) in [("matrixmultiply", Backend::Portable), ("avx512", Backend::Avx512)] {
            if !backend.is_available() {
                continue;
            }
            g.bench_function(BenchmarkId::new(name, shape_name(shape)), |bch| {
                bch.iter(|| gemm_with(backend, 1.0f32, &av, &bv, 0.0, &mut out.view_mut()))
            });
        }
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

criterion_group!(benches, matmul, gemm_backend, elementwise, reduction);
criterion_main!(benches);
