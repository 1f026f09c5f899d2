//! Helpers shared by the integration tests of kerosene-tensor.
#![allow(dead_code)]

use kerosene_tensor::{Rng, Tensor};

/// An `f32` tensor from values written by hand.
pub fn t32(v: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape)
}

/// An `f64` tensor from values written by hand.
pub fn t64(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape)
}

/// Asserts that two sequences agree to `tol` (absolute, plus `tol` relative to the expected value).
#[track_caller]
pub fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "length differs: got {got:?}, want {want:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = if w.is_infinite() { g == w } else { (g - w).abs() <= tol * (1.0 + w.abs()) };
        assert!(ok, "element {i}: got {g}, want {w} (tol {tol})\n got: {got:?}\nwant: {want:?}");
    }
}

/// Asserts that `t` has `shape` and values close to `want`.
#[track_caller]
pub fn assert_tensor(t: &Tensor, shape: &[usize], want: &[f64], tol: f64) {
    assert_eq!(t.shape(), shape, "shape");
    assert_close(&t.to_vec_f64(), want, tol);
}

/// A tensor of small integers in `-3..=3` (exact in f32 and f64 sums and products), of `shape`.
pub fn small_ints(shape: &[usize], rng: &mut Rng) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n).map(|_| rng.below(7) as f64 - 3.0).collect();
    Tensor::from_vec(v, shape)
}

/// `<a, b>`: the sum of elementwise products, in f64.
pub fn dot(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.to_vec_f64().iter().zip(b.to_vec_f64()).map(|(x, y)| x * y).sum()
}

/// The element of `t` at a multi-index (any layout), as f64.
pub fn get(t: &Tensor, ix: &[usize]) -> f64 {
    t.at(ix)
}

/// Strides of a row-major shape.
pub fn row_major_strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// The multi-index of flat position `i` in a row-major shape.
pub fn index_of(mut i: usize, shape: &[usize]) -> Vec<usize> {
    let mut ix = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        ix[d] = i % shape[d].max(1);
        i /= shape[d].max(1);
    }
    ix
}

/// NumPy `matmul` computed with a naive triple loop, from logical values only (any layout).
/// Handles 1-D promotion and broadcast batch axes.
pub fn naive_matmul(a: &Tensor, b: &Tensor) -> (Vec<usize>, Vec<f64>) {
    let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
    let a2 = if sa.len() == 1 { a.unsqueeze(0) } else { a.clone() };
    let b2 = if sb.len() == 1 { b.unsqueeze(-1) } else { b.clone() };
    let (ash, bsh) = (a2.shape().to_vec(), b2.shape().to_vec());
    let (m, k) = (ash[ash.len() - 2], ash[ash.len() - 1]);
    let n = bsh[bsh.len() - 1];
    assert_eq!(k, bsh[bsh.len() - 2]);
    let (ba, bb) = (&ash[..ash.len() - 2], &bsh[..bsh.len() - 2]);
    let nb = ba.len().max(bb.len());
    let pad = |s: &[usize]| -> Vec<usize> { std::iter::repeat_n(1, nb - s.len()).chain(s.iter().copied()).collect() };
    let (pa, pb) = (pad(ba), pad(bb));
    let batch: Vec<usize> = pa.iter().zip(&pb).map(|(&x, &y)| if x == 1 { y } else { x }).collect();
    let nbatch: usize = batch.iter().product();
    let mut out = Vec::with_capacity(nbatch * m * n);
    for p in 0..nbatch {
        let bix = index_of(p, &batch);
        let ia: Vec<usize> =
            bix.iter().zip(&pa).skip(nb - ba.len()).map(|(&i, &d)| if d == 1 { 0 } else { i }).collect();
        let ib: Vec<usize> =
            bix.iter().zip(&pb).skip(nb - bb.len()).map(|(&i, &d)| if d == 1 { 0 } else { i }).collect();
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0;
                for q in 0..k {
                    let mut xa = ia.clone();
                    xa.extend([i, q]);
                    let mut xb = ib.clone();
                    xb.extend([q, j]);
                    s += a2.at(&xa) * b2.at(&xb);
                }
                out.push(s);
            }
        }
    }
    let mut shape = batch;
    if sa.len() > 1 {
        shape.push(m);
    }
    if sb.len() > 1 {
        shape.push(n);
    }
    (shape, out)
}
