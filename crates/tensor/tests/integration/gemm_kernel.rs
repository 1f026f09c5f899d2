//! The GEMM kernels against a naive triple loop: every `m` and `n` in `1..=70` (past the 12 x 32
//! register block and its edges), k from 0 to past the k block, transposed, sliced, stepped and
//! reversed operands, destinations with any strides, the alpha / beta cases (with `beta == 0`
//! never reading a NaN-filled C), products large enough to be cut into cache blocks and split
//! across threads, and results that do not depend on the number of threads.
//!
//! Both backends run every case; on a CPU without AVX-512 [`Backend::Avx512`] falls back to the
//! portable kernel, so these tests pass (and still check it) everywhere.

use kerosene_tensor::gemm::{Backend, PAR_GEMM_MIN_FLOPS, backend, gemm_raw_with, gemm_serial, gemm_with};
use kerosene_tensor::ndarray::{Array2, ArrayView2, ArrayViewMut2, s};

const BACKENDS: [Backend; 2] = [Backend::Avx512, Backend::Portable];

/// A small deterministic generator (xorshift64*), so that the test needs no RNG crate.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
    fn matrix(&mut self, rows: usize, cols: usize) -> Array2<f32> {
        Array2::from_shape_simple_fn((rows, cols), || self.unit())
    }
}

/// Checks `got = alpha * A B + beta * c0` against an f64 triple loop, with a bound on the f32
/// rounding error (k products and sums, and the alpha / beta scaling).
#[track_caller]
fn check(
    got: &ArrayView2<f32>,
    alpha: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    beta: f32,
    c0: &Array2<f32>,
    what: &str,
) {
    let ((m, k), n) = (a.dim(), b.dim().1);
    for i in 0..m {
        for j in 0..n {
            let (mut dot, mut mag) = (0f64, 0f64);
            for p in 0..k {
                let x = a[[i, p]] as f64 * b[[p, j]] as f64;
                dot += x;
                mag += x.abs();
            }
            let old = if beta == 0.0 { 0.0 } else { beta as f64 * c0[[i, j]] as f64 };
            let want = alpha as f64 * dot + old;
            let tol = 2.0 * (k as f64 + 3.0) * f32::EPSILON as f64 * (alpha.abs() as f64 * mag + old.abs()) + 1e-30;
            let g = got[[i, j]] as f64;
            assert!(
                (g - want).abs() <= tol,
                "{what}: m={m} k={k} n={n} alpha={alpha} beta={beta}: C[{i},{j}] = {g}, want {want} (tol {tol})"
            );
        }
    }
}

/// Fills the destination with `c0` (NaN when `beta == 0`, which must not propagate), runs the
/// GEMM on `backend` and checks the result.
#[track_caller]
#[allow(clippy::too_many_arguments)]
fn run(
    backend: Backend,
    alpha: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    beta: f32,
    c: &mut ArrayViewMut2<f32>,
    seed: u64,
    what: &str,
) {
    let mut g = Gen(seed | 1);
    let c0 = if beta == 0.0 { Array2::from_elem(c.dim(), f32::NAN) } else { g.matrix(c.nrows(), c.ncols()) };
    c.assign(&c0);
    gemm_with(backend, alpha, a, b, beta, c);
    check(&c.view(), alpha, a, b, beta, &c0, &format!("{backend:?} {what}"));
}

/// A view of an `r x c` matrix in one of several layouts over fresh storage: 0 row-major,
/// 1 transposed (column-major), 2 a row-major slice of a wider matrix, 3 every other row and
/// column of a bigger matrix, 4 both axes reversed (negative strides), 5 transposed and sliced.
fn layout(g: &mut Gen, store: &mut Vec<Array2<f32>>, r: usize, c: usize, kind: usize) -> (usize, usize, usize) {
    let (rows, cols) = match kind {
        0 | 4 => (r, c),
        1 => (c, r),
        2 => (r, c + 3),
        3 => (2 * r + 1, 2 * c + 1),
        _ => (c + 2, r + 5),
    };
    store.push(g.matrix(rows, cols));
    (store.len() - 1, r, c)
}

fn view<'a>(store: &'a [Array2<f32>], (i, r, c): (usize, usize, usize), kind: usize) -> ArrayView2<'a, f32> {
    let m = &store[i];
    let v = match kind {
        0 => m.view(),
        1 => m.t(),
        2 => m.slice(s![.., 1..c + 1]),
        3 => m.slice(s![1..;2, ..;2]),
        4 => m.slice(s![..;-1, ..;-1]),
        _ => m.slice(s![1..c + 1, 2..r + 2]).reversed_axes(),
    };
    let v = v.slice_move(s![..r, ..c]);
    assert_eq!(v.dim(), (r, c));
    v
}

/// Every m and n in 1..=70 with k around the register block, row-major, beta = 0 into NaN.
#[test]
fn all_small_shapes_row_major() {
    let mut g = Gen(1);
    for k in [1, 7, 33] {
        let a = g.matrix(70, k);
        let b = g.matrix(k, 70);
        for m in 1..=70 {
            for n in 1..=70 {
                let (av, bv) = (a.slice(s![..m, ..]), b.slice(s![.., ..n]));
                for be in BACKENDS {
                    let mut c = Array2::zeros((m, n));
                    run(be, 1.0, &av, &bv, 0.0, &mut c.view_mut(), (m * 71 + n) as u64, "row-major");
                }
            }
        }
    }
}

/// Every k in 0..=70 and past the k block (512), for shapes around the register block, with the
/// transposed-operand combinations.
#[test]
fn all_depths_and_transposes() {
    let mut g = Gen(2);
    let ks: Vec<usize> = (0..=70).chain([127, 511, 512, 513, 1100]).collect();
    for (m, n) in [(1, 1), (1, 9), (1, 64), (12, 32), (13, 33), (11, 31), (24, 17), (5, 64), (70, 70), (37, 3)] {
        for &k in &ks {
            let mut store = Vec::new();
            for (ka, kb) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let ia = layout(&mut g, &mut store, m, k, ka);
                let ib = layout(&mut g, &mut store, k, n, kb);
                let (av, bv) = (view(&store, ia, ka), view(&store, ib, kb));
                for be in BACKENDS {
                    let mut c = Array2::zeros((m, n));
                    let what = format!("layouts ({ka}, {kb})");
                    run(be, 1.0, &av, &bv, 0.0, &mut c.view_mut(), (k * 7 + m) as u64, &what);
                    run(be, -0.5, &av, &bv, 1.0, &mut c.view_mut(), (k * 7 + n) as u64, &what);
                }
            }
        }
    }
}

/// Random shapes in 1..=70 with random layouts of A, B and C and every alpha / beta case.
#[test]
fn random_layouts_and_scalars() {
    let mut g = Gen(3);
    let scalars: [(f32, f32); 6] = [(1.0, 0.0), (2.5, 0.0), (1.0, 1.0), (-1.5, 1.0), (1.0, -0.75), (0.5, 2.0)];
    for case in 0..1500 {
        let (m, n, k) = (1 + g.below(70), 1 + g.below(70), g.below(71));
        let (ka, kb, kc) = (g.below(6), g.below(6), g.below(6));
        let (alpha, beta) = scalars[case % scalars.len()];
        let mut store = Vec::new();
        let ia = layout(&mut g, &mut store, m, k, ka);
        let ib = layout(&mut g, &mut store, k, n, kb);
        let ic = layout(&mut g, &mut store, m, n, kc);
        let (a, b) = (view(&store, ia, ka).to_owned(), view(&store, ib, kb).to_owned());
        let (sa, sb) = (view(&store, ia, ka), view(&store, ib, kb));
        for be in BACKENDS {
            let mut cs = store[ic.0].clone();
            let mut cv = match kc {
                0 => cs.view_mut(),
                1 => cs.view_mut().reversed_axes(),
                2 => cs.slice_mut(s![.., 1..n + 1]),
                3 => cs.slice_mut(s![1..;2, ..;2]),
                4 => cs.slice_mut(s![..;-1, ..;-1]),
                _ => cs.slice_mut(s![1..n + 1, 2..m + 2]).reversed_axes(),
            };
            let mut cv = cv.slice_mut(s![..m, ..n]);
            let what = format!("case {case}: layouts A {ka} B {kb} C {kc}");
            run(be, alpha, &sa, &sb, beta, &mut cv, case as u64, &what);
            // The strided views give the same result as contiguous copies.
            let mut c2 = Array2::zeros((m, n));
            run(be, alpha, &a.view(), &b.view(), beta, &mut c2.view_mut(), case as u64, &what);
        }
    }
}

/// k = 0: C = beta C, and with beta = 0 NaN in C is overwritten by zeros.
#[test]
fn empty_depth() {
    let a = Array2::<f32>::zeros((5, 0));
    let b = Array2::<f32>::zeros((0, 7));
    for be in BACKENDS {
        let mut c = Array2::from_elem((5, 7), f32::NAN);
        gemm_with(be, 1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
        assert!(c.iter().all(|&x| x == 0.0));
        let mut c = Array2::from_elem((5, 7), 3.0f32);
        gemm_with(be, 1.0, &a.view(), &b.view(), 0.5, &mut c.view_mut());
        assert!(c.iter().all(|&x| x == 1.5));
    }
}

/// Products past every cache block (MC rows of packed A, NC columns, KC depth) and above the
/// threading threshold, in the layouts of the training workloads.
#[test]
fn large_blocked_products() {
    let mut g = Gen(4);
    for (m, k, n, ka, kb) in [
        (300, 530, 520, 0, 0),
        (970, 40, 130, 1, 0),
        (260, 600, 70, 0, 1),
        (9, 1500, 33, 1, 0),
        (1000, 9, 31, 0, 0),
        (33, 700, 600, 3, 4),
    ] {
        let mut store = Vec::new();
        let ia = layout(&mut g, &mut store, m, k, ka);
        let ib = layout(&mut g, &mut store, k, n, kb);
        let (av, bv) = (view(&store, ia, ka), view(&store, ib, kb));
        for be in BACKENDS {
            let mut c = Array2::zeros((m, n));
            let what = format!("{m}x{k}x{n} layouts ({ka}, {kb})");
            run(be, 1.0, &av, &bv, 0.0, &mut c.view_mut(), 5, &what);
            run(be, 0.5, &av, &bv, -1.0, &mut c.view_mut(), 6, &what);
        }
    }
}

/// Bitwise the same result on 1, 2, 3 and 4 threads, for products split by rows and by columns.
#[test]
fn results_do_not_depend_on_the_thread_count() {
    let mut g = Gen(5);
    for (m, k, n, ka, kb) in
        [(512, 300, 200, 0, 0), (64, 600, 512, 0, 1), (784, 128, 64, 1, 0), (40, 2000, 96, 1, 0), (9, 9000, 64, 1, 0)]
    {
        assert!(m * k * n >= PAR_GEMM_MIN_FLOPS);
        let mut store = Vec::new();
        let ia = layout(&mut g, &mut store, m, k, ka);
        let ib = layout(&mut g, &mut store, k, n, kb);
        let (av, bv) = (view(&store, ia, ka), view(&store, ib, kb));
        for be in BACKENDS {
            let results: Vec<Array2<f32>> = [1, 2, 3, 4]
                .iter()
                .map(|&t| {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
                    pool.install(|| {
                        let mut c = Array2::from_elem((m, n), f32::NAN);
                        gemm_with(be, 1.0, &av, &bv, 0.0, &mut c.view_mut());
                        c
                    })
                })
                .collect();
            for (t, r) in results.iter().enumerate().skip(1) {
                let same = r.iter().zip(&results[0]).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{be:?} {m}x{k}x{n}: {} threads differ from 1", t + 1);
            }
            if be == backend() {
                // The single-threaded entry point, called from a 4-thread pool, gives the same bits.
                let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
                let serial = pool.install(|| {
                    let mut c = Array2::from_elem((m, n), f32::NAN);
                    gemm_serial(1.0, &av, &bv, 0.0, &mut c.view_mut());
                    c
                });
                let same = serial.iter().zip(&results[0]).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{be:?} {m}x{k}x{n}: gemm_serial differs from gemm");
            }
            check(&results[0].view(), 1.0, &av, &bv, 0.0, &Array2::zeros((m, n)), &format!("{be:?} {m}x{k}x{n}"));
        }
    }
}

/// The raw entry point with hand-made strides: a vector operand with stride 0 (broadcast), and a
/// C with a row stride larger than its width.
#[test]
fn raw_strides() {
    let a: Vec<f32> = (0..6).map(|x| x as f32).collect(); // 1 x 6 read as 4 x 6 with row stride 0
    let b: Vec<f32> = (0..18).map(|x| (x % 5) as f32 - 2.0).collect(); // 6 x 3
    for be in BACKENDS {
        let mut c = vec![f32::NAN; 4 * 5];
        // SAFETY: A is 4 x 6 with strides (0, 1) over 6 floats, B 6 x 3 with (3, 1) over 18, C
        // 4 x 3 with (5, 1) over 20, and the written elements of C are distinct.
        unsafe { gemm_raw_with(be, 4, 6, 3, 1.0f32, a.as_ptr(), 0, 1, b.as_ptr(), 3, 1, 0.0, c.as_mut_ptr(), 5, 1) };
        for i in 0..4 {
            for j in 0..3 {
                let want: f32 = (0..6).map(|p| a[p] * b[p * 3 + j]).sum();
                assert_eq!(c[i * 5 + j], want, "{be:?} C[{i},{j}]");
            }
            assert!(c[i * 5 + 3].is_nan() && c[i * 5 + 4].is_nan(), "{be:?}: wrote outside C");
        }
    }
}

#[test]
fn backend_is_detected_once_and_available() {
    let b = backend();
    assert_eq!(b, backend());
    assert!(b.is_available());
    assert!(Backend::Portable.is_available());
    #[cfg(target_arch = "x86_64")]
    assert_eq!(b == Backend::Avx512, std::arch::is_x86_feature_detected!("avx512f"));
}
