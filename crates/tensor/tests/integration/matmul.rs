//! Matrix products: 2-D, matrix-vector, batched with broadcast batch axes; transposed, stepped
//! and permuted operands; size-0 and size-1 dimensions; f32 and f64; the parallel GEMM path and
//! the `gemm` entry point.

use crate::common;

use common::{assert_tensor, naive_matmul, small_ints, t32, t64};
use kerosene_tensor::gemm::{PAR_GEMM_MIN_FLOPS, gemm};
use kerosene_tensor::{DType, Rng, Tensor, ndarray};

#[track_caller]
fn check_naive(a: &Tensor, b: &Tensor) {
    let c = a.matmul(b);
    let (shape, want) = naive_matmul(a, b);
    assert_tensor(&c, &shape, &want, 1e-5);
}

#[test]
fn two_by_two_by_hand() {
    // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
    for (a, b) in [
        (t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2]), t32(&[5.0, 6.0, 7.0, 8.0], &[2, 2])),
        (t64(&[1.0, 2.0, 3.0, 4.0], &[2, 2]), t64(&[5.0, 6.0, 7.0, 8.0], &[2, 2])),
    ] {
        let c = a.matmul(&b);
        assert_eq!(c.dtype(), a.dtype());
        assert_tensor(&c, &[2, 2], &[19.0, 22.0, 43.0, 50.0], 0.0);
        // a^T = [[1,3],[2,4]]: a^T b = [[26,30],[38,44]]
        assert_tensor(&a.t().matmul(&b), &[2, 2], &[26.0, 30.0, 38.0, 44.0], 0.0);
        // b^T = [[5,7],[6,8]]: a b^T = [[17,23],[39,53]]
        assert_tensor(&a.matmul(&b.t()), &[2, 2], &[17.0, 23.0, 39.0, 53.0], 0.0);
        // a^T b^T = [[23,31],[34,46]]
        assert_tensor(&a.t().matmul(&b.t()), &[2, 2], &[23.0, 31.0, 34.0, 46.0], 0.0);
    }
}

#[test]
fn rectangular_and_vectors() {
    let a = t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    // [[1,2,3],[4,5,6]] @ [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
    assert_tensor(&a.matmul(&t32(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0], &[3, 2])), &[2, 2], &[4.0, 5.0, 10.0, 11.0], 0.0);
    // [[1,2,3],[4,5,6]] @ [1,1,1] = [6,15]
    assert_tensor(&a.matmul(&t32(&[1.0, 1.0, 1.0], &[3])), &[2], &[6.0, 15.0], 0.0);
    // [1,2] @ [[1,2,3],[4,5,6]] = [9,12,15]
    assert_tensor(&t32(&[1.0, 2.0], &[2]).matmul(&a), &[3], &[9.0, 12.0, 15.0], 0.0);
    // [1,2,3] . [4,5,6] = 32
    assert_tensor(&t64(&[1.0, 2.0, 3.0], &[3]).matmul(&t64(&[4.0, 5.0, 6.0], &[3])), &[], &[32.0], 0.0);
    // a^T @ [1, -1] = [[1,4],[2,5],[3,6]] @ [1,-1] = [-3,-3,-3]
    assert_tensor(&a.t().matmul(&t32(&[1.0, -1.0], &[2])), &[3], &[-3.0, -3.0, -3.0], 0.0);
}

#[test]
fn batched_by_hand() {
    // [I, [[0,1],[1,0]]] @ [[1,2],[3,4]] = [[[1,2],[3,4]], [[3,4],[1,2]]]
    let a = t32(&[1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0], &[2, 2, 2]);
    let b = t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    assert_tensor(&a.matmul(&b), &[2, 2, 2], &[1.0, 2.0, 3.0, 4.0, 3.0, 4.0, 1.0, 2.0], 0.0);
    // The same batch against a batched rhs [b, b^T]: [[1,2],[3,4]] and [[3,1],[4,2]]... rows swapped
    let bb = Tensor::stack(&[&b, &b.t()], 0);
    assert_tensor(&a.matmul(&bb), &[2, 2, 2], &[1.0, 2.0, 3.0, 4.0, 2.0, 4.0, 1.0, 3.0], 0.0);
    // [2,1,1,2] @ [3,2,1] -> [2,3,1,1]: A0 = [1,1], A1 = [2,-1]; B_j = [[j],[1]].
    let a = t32(&[1.0, 1.0, 2.0, -1.0], &[2, 1, 1, 2]);
    let b = t32(&[0.0, 1.0, 1.0, 1.0, 2.0, 1.0], &[3, 2, 1]);
    assert_tensor(&a.matmul(&b), &[2, 3, 1, 1], &[1.0, 2.0, 3.0, -1.0, 1.0, 3.0], 0.0);
    // [k] @ [b,k,n]: [1,2] @ [I, ones] = [[1,2],[3,3]]
    let b = t32(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0], &[2, 2, 2]);
    assert_tensor(&t32(&[1.0, 2.0], &[2]).matmul(&b), &[2, 2], &[1.0, 2.0, 3.0, 3.0], 0.0);
    // [b,m,k] @ [k]: [[[1,2],[3,4]],[[5,6],[7,8]]] @ [1,-1] = [[-1,-1],[-1,-1]]
    let a = Tensor::arange(1.0, 9.0, 1.0).reshape(&[2, 2, 2]);
    assert_tensor(&a.matmul(&t32(&[1.0, -1.0], &[2])), &[2, 2], &[-1.0; 4], 0.0);
}

#[test]
fn stepped_slices() {
    // x = 0..12 in [3,4]; x[:, ::2] = [[0,2],[4,6],[8,10]]; @ [[1],[1]] = [[2],[10],[18]]
    let x = Tensor::arange(0.0, 12.0, 1.0).reshape(&[3, 4]);
    let cols = x.slice(1, 0, 4, 2);
    assert_tensor(&cols.matmul(&Tensor::ones(&[2, 1])), &[3, 1], &[2.0, 10.0, 18.0], 0.0);
    // x[::2, :] = [[0,1,2,3],[8,9,10,11]] @ ones(4) = [6, 38]
    assert_tensor(&x.slice(0, 0, 3, 2).matmul(&Tensor::ones(&[4])), &[2], &[6.0, 38.0], 0.0);
    // A stepped vector on the right: x @ [0, 2, 4, 6][::2]... = x @ [0,4]? use 0..8 step 2 -> [0,2,4,6]
    let v = Tensor::arange(0.0, 8.0, 1.0).slice(0, 0, 8, 2);
    // [[0,1,2,3],[4,5,6,7],[8,9,10,11]] @ [0,2,4,6] = [28, 76, 124]
    assert_tensor(&x.matmul(&v), &[3], &[28.0, 76.0, 124.0], 0.0);
    assert_tensor(&v.matmul(&x.t()), &[3], &[28.0, 76.0, 124.0], 0.0);
    // Stepped on both axes, against a transposed stepped operand.
    let y = Tensor::arange(0.0, 30.0, 1.0).reshape(&[5, 6]);
    let ys = y.slice(0, 1, 5, 2).slice(1, 0, 6, 3); // rows 1,3 cols 0,3: [[6,9],[18,21]]
    assert_tensor(&ys.matmul(&ys.t()), &[2, 2], &[117.0, 297.0, 297.0, 765.0], 0.0);
    check_naive(&y.slice(1, 1, 6, 2), &y.slice(0, 0, 5, 2).t().slice(0, 0, 6, 2));
}

#[test]
fn strided_batches_against_naive() {
    let mut rng = Rng::new(7);
    let a = small_ints(&[2, 3, 4, 5], &mut rng);
    let b = small_ints(&[3, 5, 2], &mut rng);
    check_naive(&a, &b);
    // Permuted batch axes (a view), and a transposed rhs.
    let ap = small_ints(&[3, 2, 4, 5], &mut rng).permute(&[1, 0, 2, 3]);
    check_naive(&ap, &b);
    check_naive(&a, &b.transpose(-1, -2).contiguous().t());
    // Transposed matrices inside the batch.
    let at = small_ints(&[2, 3, 5, 4], &mut rng).t();
    check_naive(&at, &b);
    // Contiguous batched lhs with a 2-D rhs (one big GEMM), and a strided 2-D rhs.
    let w = small_ints(&[2, 5], &mut rng);
    check_naive(&a, &w.t());
    check_naive(&a, &small_ints(&[5, 2], &mut rng));
    check_naive(&ap, &w.t());
    check_naive(&at, &w.t());
    // Broadcast batch axes on both sides, with a stepped batch axis.
    let l = small_ints(&[4, 1, 2, 3], &mut rng).slice(0, 0, 4, 2);
    let r = small_ints(&[3, 3, 2], &mut rng);
    check_naive(&l, &r);
    check_naive(&r, &small_ints(&[2, 1, 2, 4], &mut rng));
    // Vector against a batch of transposed matrices.
    check_naive(&small_ints(&[5], &mut rng), &at.transpose(-1, -2));
    check_naive(&at, &small_ints(&[5], &mut rng));
}

#[test]
fn size_zero_dimensions() {
    // k = 0: the empty sum is zero.
    let c = Tensor::zeros(&[2, 0]).matmul(&Tensor::zeros(&[0, 3]));
    assert_tensor(&c, &[2, 3], &[0.0; 6], 0.0);
    let c = Tensor::zeros_dtype(&[2, 0], DType::F64).matmul(&Tensor::zeros_dtype(&[0, 3], DType::F64).t().t());
    assert_tensor(&c, &[2, 3], &[0.0; 6], 0.0);
    assert_tensor(&Tensor::zeros(&[0]).matmul(&Tensor::zeros(&[0])), &[], &[0.0], 0.0);
    assert_tensor(&Tensor::zeros(&[2, 2, 0]).matmul(&Tensor::zeros(&[0, 3])), &[2, 2, 3], &[0.0; 12], 0.0);
    assert_tensor(&Tensor::zeros(&[2, 0, 2]).t().matmul(&Tensor::zeros(&[2, 0, 3])), &[2, 2, 3], &[0.0; 12], 0.0);
    // m = 0, n = 0, batch = 0.
    assert_eq!(Tensor::zeros(&[0, 3]).matmul(&Tensor::ones(&[3, 2])).shape(), &[0, 2]);
    assert_eq!(Tensor::ones(&[2, 3]).matmul(&Tensor::zeros(&[3, 0])).shape(), &[2, 0]);
    assert_eq!(Tensor::zeros(&[0, 2, 3]).matmul(&Tensor::ones(&[3, 4])).shape(), &[0, 2, 4]);
    assert_eq!(Tensor::ones(&[2, 3]).matmul(&Tensor::zeros(&[0, 3, 4])).shape(), &[0, 2, 4]);
    assert_eq!(Tensor::zeros(&[0, 3]).matmul(&Tensor::ones(&[3])).shape(), &[0]);
}

#[test]
fn size_one_dimensions() {
    assert_tensor(&t32(&[3.0], &[1, 1]).matmul(&t32(&[4.0], &[1, 1])), &[1, 1], &[12.0], 0.0);
    // [1,3] @ [3,1] = [[1*4 + 2*5 + 3*6]] = [[32]]
    assert_tensor(&t32(&[1.0, 2.0, 3.0], &[1, 3]).matmul(&t32(&[4.0, 5.0, 6.0], &[3, 1])), &[1, 1], &[32.0], 0.0);
    // [3,1] @ [1,2] is the outer product [[1,2],[2,4],[3,6]]
    let o = t32(&[1.0, 2.0, 3.0], &[3, 1]).matmul(&t32(&[1.0, 2.0], &[1, 2]));
    assert_tensor(&o, &[3, 2], &[1.0, 2.0, 2.0, 4.0, 3.0, 6.0], 0.0);
    // The same through transposed row / column vectors.
    let o2 = t32(&[1.0, 2.0, 3.0], &[1, 3]).t().matmul(&t32(&[1.0, 2.0], &[2, 1]).t());
    assert_eq!(o2, o);
    assert_tensor(&t32(&[2.0], &[1]).matmul(&t32(&[5.0], &[1])), &[], &[10.0], 0.0);
    assert_tensor(&t32(&[2.0], &[1, 1, 1]).matmul(&t32(&[5.0, 6.0], &[1, 2])), &[1, 1, 2], &[10.0, 12.0], 0.0);
}

#[test]
fn f64_precision_is_kept() {
    // 1e-9 terms are lost in f32 but kept in f64.
    let a = t64(&[1.0, 1e-9], &[1, 2]);
    let b = t64(&[1.0, 1.0], &[2, 1]);
    assert_eq!(a.matmul(&b).item(), 1.0 + 1e-9);
    assert_eq!(a.to_f32().matmul(&b.to_f32()).item(), 1.0);
}

/// Naive product of two 2-D tensors through their row-major values (fast enough for big sizes).
fn naive_2d(a: &Tensor, b: &Tensor) -> Vec<f64> {
    let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
    let (av, bv) = (a.to_vec_f64(), b.to_vec_f64());
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for q in 0..k {
            let x = av[i * k + q];
            for j in 0..n {
                c[i * n + j] += x * bv[q * n + j];
            }
        }
    }
    c
}

#[test]
fn large_products_split_across_threads() {
    let (m, k, n) = (256, 128, 64);
    assert!(m * k * n >= PAR_GEMM_MIN_FLOPS);
    let mut rng = Rng::new(3);
    let a = small_ints(&[m, k], &mut rng);
    let b = small_ints(&[k, n], &mut rng);
    let want = naive_2d(&a, &b);
    // Small integers: exact in both types, whatever the summation order.
    assert_eq!(a.matmul(&b).to_vec_f64(), want);
    assert_eq!(a.to_f32().matmul(&b.to_f32()).to_vec_f64(), want);
    let at = a.t().contiguous().t();
    assert_eq!(at.matmul(&b).to_vec_f64(), want);
    assert_eq!(a.matmul(&b.t().contiguous().t()).to_vec_f64(), want);
    // As a batch of two through the big-GEMM path.
    let a2 = Tensor::stack(&[&a, &a], 0);
    let c2 = a2.matmul(&b);
    assert_eq!(c2.select(0, 1).to_vec_f64(), want);
    // Results do not depend on the split: a float product repeats bit for bit.
    let x = Tensor::randn(&[m, k], &mut rng);
    let y = Tensor::randn(&[k, n], &mut rng);
    assert_eq!(x.matmul(&y), x.matmul(&y));
}

#[test]
fn gemm_entry_point() {
    let a = ndarray::array![[1.0f64, 2.0], [3.0, 4.0]];
    let b = ndarray::array![[5.0f64, 6.0], [7.0, 8.0]];
    // C = 2 A B + 1 C with C = ones: 2 [[19,22],[43,50]] + 1
    let mut c = ndarray::Array2::<f64>::ones((2, 2));
    gemm(2.0, &a.view(), &b.view(), 1.0, &mut c.view_mut());
    assert_eq!(c, ndarray::array![[39.0, 45.0], [87.0, 101.0]]);
    // beta = 0: C is only written, NaN does not propagate.
    let mut c = ndarray::Array2::<f64>::from_elem((2, 2), f64::NAN);
    gemm(1.0, &a.view(), &b.t(), 0.0, &mut c.view_mut());
    assert_eq!(c, ndarray::array![[17.0, 23.0], [39.0, 53.0]]);
    // Into a transposed destination: C^T = A B.
    let mut c = ndarray::Array2::<f32>::zeros((2, 2));
    let (a32, b32) = (a.mapv(|v| v as f32), b.mapv(|v| v as f32));
    gemm(1.0, &a32.view(), &b32.view(), 0.0, &mut c.view_mut().reversed_axes());
    assert_eq!(c, ndarray::array![[19.0f32, 43.0], [22.0, 50.0]]);
    // k = 0: C = beta C.
    let e = ndarray::Array2::<f64>::zeros((2, 0));
    let f = ndarray::Array2::<f64>::zeros((0, 3));
    let mut c = ndarray::Array2::<f64>::from_elem((2, 3), 4.0);
    gemm(1.0, &e.view(), &f.view(), 0.5, &mut c.view_mut());
    assert_eq!(c, ndarray::Array2::from_elem((2, 3), 2.0));
    let mut c = ndarray::Array2::<f64>::from_elem((2, 3), f64::NAN);
    gemm(1.0, &e.view(), &f.view(), 0.0, &mut c.view_mut());
    assert_eq!(c, ndarray::Array2::zeros((2, 3)));
}
