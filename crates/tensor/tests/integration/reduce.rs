//! Reductions (sum, mean, max, min, argmax, argmin, var, the *_all forms), sum_to_shape, and
//! the softmax family with huge and -inf inputs, on strided, size-0 and f64 tensors.

use crate::common;

use common::{assert_close, assert_tensor, t32, t64};
use kerosene_tensor::{DType, Tensor, softmax_row};

const INF: f64 = f64::INFINITY;

/// [[1,2,3],[4,5,6]]
fn a23() -> Tensor {
    t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])
}

#[test]
fn sum_over_axes() {
    let a = a23();
    assert_tensor(&a.sum(&[0], false), &[3], &[5.0, 7.0, 9.0], 0.0);
    assert_tensor(&a.sum(&[1], false), &[2], &[6.0, 15.0], 0.0);
    assert_tensor(&a.sum(&[-1], true), &[2, 1], &[6.0, 15.0], 0.0);
    assert_tensor(&a.sum(&[0], true), &[1, 3], &[5.0, 7.0, 9.0], 0.0);
    assert_tensor(&a.sum(&[0, 1], false), &[], &[21.0], 0.0);
    assert_tensor(&a.sum(&[1, 0], true), &[1, 1], &[21.0], 0.0);
    assert_eq!(a.sum(&[], false), a, "no axes: unchanged");
    assert_tensor(&a.sum_all(), &[], &[21.0], 0.0);
    let c = Tensor::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4]);
    // sum over axes 0 and 2 of 0..24 in [2,3,4]: row j holds 4j..4j+3 and 12+4j..12+4j+3 -> 32j + 60
    assert_tensor(&c.sum(&[0, 2], false), &[3], &[60.0, 92.0, 124.0], 0.0);
    assert_tensor(&c.sum(&[2, 0], true), &[1, 3, 1], &[60.0, 92.0, 124.0], 0.0);
}

#[test]
fn mean_max_min() {
    let a = a23();
    assert_tensor(&a.mean(&[0], false), &[3], &[2.5, 3.5, 4.5], 0.0);
    assert_tensor(&a.mean(&[1], true), &[2, 1], &[2.0, 5.0], 0.0);
    assert_tensor(&a.mean(&[0, 1], false), &[], &[3.5], 0.0);
    assert_tensor(&a.mean(&[], false), &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0.0);
    assert_tensor(&a.mean_all(), &[], &[3.5], 0.0);
    assert_tensor(&a.max(&[0], false), &[3], &[4.0, 5.0, 6.0], 0.0);
    assert_tensor(&a.max(&[1], true), &[2, 1], &[3.0, 6.0], 0.0);
    assert_tensor(&a.min(&[0], false), &[3], &[1.0, 2.0, 3.0], 0.0);
    assert_tensor(&a.min(&[-1], false), &[2], &[1.0, 4.0], 0.0);
    assert_tensor(&a.max_all(), &[], &[6.0], 0.0);
    assert_tensor(&a.min_all(), &[], &[1.0], 0.0);
    assert_tensor(&Tensor::scalar(3.0).max_all(), &[], &[3.0], 0.0);
    let neg = t32(&[-5.0, -2.0, -9.0], &[3]);
    assert_eq!((neg.max_all().item(), neg.min_all().item()), (-2.0, -9.0));
}

#[test]
fn max_min_propagate_nan() {
    let x = t32(&[1.0, f32::NAN, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let mx = x.max(&[1], false).to_vec::<f32>();
    assert!(mx[0].is_nan() && mx[1] == 6.0, "{mx:?}");
    let mn = x.min(&[0], false).to_vec::<f32>();
    assert!(mn[0] == 1.0 && mn[1].is_nan() && mn[2] == 3.0, "{mn:?}");
    assert!(x.max_all().item().is_nan());
    assert!(x.min_all().item().is_nan());
    // NaN first in the lane too.
    assert!(t64(&[f64::NAN, 1.0], &[2]).max_all().item().is_nan());
    assert!(t64(&[f64::NAN, 1.0], &[2]).min_all().item().is_nan());
}

#[test]
fn argmax_argmin_first_on_ties() {
    // [[1,3,3],[2,2,0]]
    let x = t32(&[1.0, 3.0, 3.0, 2.0, 2.0, 0.0], &[2, 3]);
    let am = x.argmax(1, false);
    assert_eq!((am.shape(), am.dtype(), am.to_vec::<f32>()), (&[2usize][..], DType::F32, vec![1.0, 0.0]));
    assert_tensor(&x.argmin(-1, false), &[2], &[0.0, 2.0], 0.0);
    assert_tensor(&x.argmax(0, false), &[3], &[1.0, 0.0, 0.0], 0.0);
    assert_tensor(&x.argmin(0, true), &[1, 3], &[0.0, 1.0, 1.0], 0.0);
    assert_tensor(&x.argmax(1, true), &[2, 1], &[1.0, 0.0], 0.0);
    assert_eq!(x.argmax_indices(-1), vec![1, 0]);
    assert_eq!(x.t().argmax_indices(-1), vec![1, 0, 0]);
    assert_eq!(x.to_f64().argmax(1, false).dtype(), DType::F64);
    // NaN wins both.
    let n = t32(&[1.0, f32::NAN, 3.0], &[3]);
    assert_eq!((n.argmax(0, false).item(), n.argmin(0, false).item()), (1.0, 1.0));
    assert_eq!(t32(&[5.0], &[1]).argmax(0, false).item(), 0.0);
    assert_eq!(Tensor::zeros(&[0, 3]).argmax(1, false).shape(), &[0]);
}

#[test]
fn variance() {
    let a = a23();
    // Population variance of [1,2,3] is 2/3; of the columns [1,4], [2,5], [3,6] it is 2.25.
    assert_tensor(&a.var(&[1], false), &[2], &[2.0 / 3.0, 2.0 / 3.0], 1e-6);
    assert_tensor(&a.var(&[0], true), &[1, 3], &[2.25, 2.25, 2.25], 1e-6);
    assert_tensor(&a.var(&[0, 1], false), &[], &[35.0 / 12.0], 1e-6);
    assert_tensor(&a.try_var(&[1], 1, false).unwrap(), &[2], &[1.0, 1.0], 1e-6);
    // A square matrix along its last axis: rows [1,2,3], [4,5,6], [7,9,11] -> 2/3, 2/3, 8/3.
    let m = t64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 9.0, 11.0], &[3, 3]);
    assert_tensor(&m.var(&[-1], false), &[3], &[2.0 / 3.0, 2.0 / 3.0, 8.0 / 3.0], 1e-12);
    assert_tensor(&m.t().var(&[0], false), &[3], &[2.0 / 3.0, 2.0 / 3.0, 8.0 / 3.0], 1e-12);
    // Columns [1,4,7], [2,5,9], [3,6,11]: means 4, 16/3, 20/3; variances 18/3, (74/3)/3, (98/3)/3.
    assert_tensor(&m.var(&[0], false), &[3], &[6.0, 74.0 / 9.0, 98.0 / 9.0], 1e-12);
    assert_tensor(&m.var(&[0], true), &[1, 3], &[6.0, 74.0 / 9.0, 98.0 / 9.0], 1e-12);
}

#[test]
fn reductions_of_strided_views() {
    // a^T = [[1,4],[2,5],[3,6]]
    let at = a23().t();
    assert_tensor(&at.sum(&[0], false), &[2], &[6.0, 15.0], 0.0);
    assert_tensor(&at.sum(&[1], false), &[3], &[5.0, 7.0, 9.0], 0.0);
    assert_tensor(&at.max(&[1], false), &[3], &[4.0, 5.0, 6.0], 0.0);
    assert_tensor(&at.min(&[0], true), &[1, 2], &[1.0, 4.0], 0.0);
    assert_tensor(&at.mean(&[0], false), &[2], &[2.0, 5.0], 0.0);
    assert_tensor(&at.argmin(0, false), &[2], &[0.0, 0.0], 0.0);
    assert_tensor(&at.sum_all(), &[], &[21.0], 0.0);
    // Stepped slice [0,3,6,9] of 0..10.
    let s = Tensor::arange(0.0, 10.0, 1.0).slice(0, 0, 10, 3);
    assert_tensor(&s.sum(&[0], false), &[], &[18.0], 0.0);
    assert_tensor(&s.max_all(), &[], &[9.0], 0.0);
    assert_tensor(&s.mean_all(), &[], &[4.5], 0.0);
    // Columns 0 and 2 of a: [[1,3],[4,6]]
    let sc = a23().slice(1, 0, 3, 2);
    assert_tensor(&sc.sum(&[0], false), &[2], &[5.0, 9.0], 0.0);
    assert_tensor(&sc.argmax(1, false), &[2], &[1.0, 1.0], 0.0);
    // Permuted: [4,2,3] view of 0..24 in [2,3,4]; summing its axes 1 and 2 sums the original axes 0 and 1.
    let c = Tensor::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4]);
    let p = c.permute(&[2, 0, 1]);
    assert_eq!(p.sum(&[1, 2], false), c.sum(&[0, 1], false));
    assert_tensor(&p.sum(&[1, 2], false), &[4], &[60.0, 66.0, 72.0, 78.0], 0.0);
    assert_eq!(p.max(&[0], false), c.max(&[2], false));
}

#[test]
fn size_zero_reductions() {
    let e = Tensor::zeros(&[0, 3]);
    assert_tensor(&e.sum(&[0], false), &[3], &[0.0, 0.0, 0.0], 0.0);
    assert_eq!(e.sum(&[1], false).shape(), &[0]);
    assert_eq!(e.sum(&[1], true).shape(), &[0, 1]);
    assert_tensor(&e.sum(&[0, 1], false), &[], &[0.0], 0.0);
    assert_tensor(&e.sum_all(), &[], &[0.0], 0.0);
    assert_tensor(&e.max(&[0], false), &[3], &[-INF, -INF, -INF], 0.0);
    assert_tensor(&e.min(&[0], true), &[1, 3], &[INF, INF, INF], 0.0);
    assert_tensor(&e.max_all(), &[], &[-INF], 0.0);
    assert_tensor(&e.min_all(), &[], &[INF], 0.0);
    assert!(e.mean(&[0], false).to_vec::<f32>().iter().all(|v| v.is_nan()), "mean over an empty axis is NaN");
    assert!(e.mean_all().item().is_nan());
    let f = Tensor::zeros_dtype(&[2, 0], DType::F64);
    assert_tensor(&f.sum(&[1], false), &[2], &[0.0, 0.0], 0.0);
    assert_tensor(&f.max(&[-1], false), &[2], &[-INF, -INF], 0.0);
    assert_eq!(f.sum(&[0], false).shape(), &[0]);
    // Size-1 axes.
    let one = t32(&[7.0], &[1, 1]);
    assert_tensor(&one.sum(&[0], false), &[1], &[7.0], 0.0);
    assert_tensor(&one.var(&[1], false), &[1], &[0.0], 0.0);
    assert_tensor(&one.argmax(1, false), &[1], &[0.0], 0.0);
}

#[test]
fn f64_reductions() {
    let a = a23().to_f64();
    let s = a.sum(&[0], false);
    assert_eq!((s.dtype(), s.to_vec::<f64>()), (DType::F64, vec![5.0, 7.0, 9.0]));
    assert_eq!(a.mean(&[1], false).to_vec::<f64>(), vec![2.0, 5.0]);
    assert_eq!(a.max_all().item(), 6.0);
    assert_eq!(t64(&[0.1, 0.2], &[2]).sum_all().item(), 0.1 + 0.2);
}

#[test]
fn sum_to_shape_undoes_broadcasting() {
    let g = Tensor::ones(&[4, 2, 3]);
    assert_tensor(&g.sum_to_shape(&[2, 1]), &[2, 1], &[12.0, 12.0], 0.0);
    assert_tensor(&g.sum_to_shape(&[3]), &[3], &[8.0, 8.0, 8.0], 0.0);
    assert_tensor(&g.sum_to_shape(&[1, 3]), &[1, 3], &[8.0, 8.0, 8.0], 0.0);
    assert_tensor(&g.sum_to_shape(&[4, 1, 1]), &[4, 1, 1], &[6.0; 4], 0.0);
    assert_tensor(&g.sum_to_shape(&[]), &[], &[24.0], 0.0);
    assert!(g.sum_to_shape(&[4, 2, 3]).same_storage(&g));
    let a = a23();
    assert_tensor(&a.sum_to_shape(&[3]), &[3], &[5.0, 7.0, 9.0], 0.0);
    assert_tensor(&a.sum_to_shape(&[2, 1]), &[2, 1], &[6.0, 15.0], 0.0);
    assert_tensor(&a.sum_to_shape(&[1, 1]), &[1, 1], &[21.0], 0.0);
    assert_tensor(&a.t().sum_to_shape(&[1, 2]), &[1, 2], &[6.0, 15.0], 0.0);
    assert_tensor(&Tensor::zeros(&[0, 3]).sum_to_shape(&[3]), &[3], &[0.0; 3], 0.0);
}

#[test]
fn softmax_hand_values() {
    let l3 = 3f64.ln();
    // softmax([0, ln 3]) = [1/4, 3/4]
    for x in [t32(&[0.0, l3 as f32, l3 as f32, 0.0], &[2, 2]), t64(&[0.0, l3, l3, 0.0], &[2, 2])] {
        assert_tensor(&x.softmax(-1), &[2, 2], &[0.25, 0.75, 0.75, 0.25], 1e-7);
        assert_tensor(&x.log_softmax(1), &[2, 2], &[0.25f64.ln(), 0.75f64.ln(), 0.75f64.ln(), 0.25f64.ln()], 1e-7);
        assert_tensor(&x.logsumexp(-1, false), &[2], &[4f64.ln(), 4f64.ln()], 1e-7);
        assert_tensor(&x.logsumexp(-1, true), &[2, 1], &[4f64.ln(), 4f64.ln()], 1e-7);
        assert_eq!(x.softmax(-1).dtype(), x.dtype());
    }
    // softmax([1,2,3]) = e^i / (e + e^2 + e^3)
    let p = [0.090_030_573_170_380_46, 0.244_728_471_054_797_67, 0.665_240_955_774_821_9];
    let x = t64(&[1.0, 2.0, 3.0], &[3]);
    assert_tensor(&x.softmax(0), &[3], &p, 1e-15);
    assert_tensor(&x.log_softmax(0), &[3], &p.map(f64::ln), 1e-14);
    assert_tensor(&x.logsumexp(0, false), &[], &[3.407_605_964_444_38], 1e-14);
    assert_tensor(&x.to_f32().softmax(0), &[3], &p, 1e-6);
}

#[test]
fn softmax_along_other_axes() {
    let l3 = 3f64.ln();
    // Columns [0, ln 3] and [0, 0]: softmax over axis 0 = [[1/4, 1/2], [3/4, 1/2]]
    let x = t64(&[0.0, 0.0, l3, 0.0], &[2, 2]);
    assert_tensor(&x.softmax(0), &[2, 2], &[0.25, 0.5, 0.75, 0.5], 1e-15);
    assert_tensor(&x.log_softmax(-2), &[2, 2], &[0.25f64.ln(), 0.5f64.ln(), 0.75f64.ln(), 0.5f64.ln()], 1e-15);
    assert_tensor(&x.logsumexp(0, false), &[2], &[4f64.ln(), 2f64.ln()], 1e-15);
    assert_tensor(&x.logsumexp(0, true), &[1, 2], &[4f64.ln(), 2f64.ln()], 1e-15);
    // 3-D along the middle axis equals moving that axis last.
    let c = Tensor::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4]).mul_scalar(0.3);
    let want = c.transpose(1, 2).contiguous().softmax(-1).transpose(1, 2);
    assert!(c.softmax(1).allclose(&want, 1e-6, 1e-7));
    let want = c.transpose(1, 2).contiguous().log_softmax(-1).transpose(1, 2);
    assert!(c.log_softmax(1).allclose(&want, 1e-6, 1e-6));
}

#[test]
fn softmax_of_strided_views() {
    // A transposed square matrix along its last axis: m^T = [[0, ln3, 0], [0, 0, ln3], [ln3, 0, 0]].
    let l3 = 3f64.ln();
    let m = t64(&[0.0, 0.0, l3, l3, 0.0, 0.0, 0.0, l3, 0.0], &[3, 3]);
    let mt = m.t();
    assert!(!mt.is_contiguous());
    let r = [0.2, 0.6, 0.2, 0.2, 0.2, 0.6, 0.6, 0.2, 0.2];
    assert_tensor(&mt.softmax(-1), &[3, 3], &r, 1e-15);
    assert_tensor(&mt.contiguous().softmax(-1), &[3, 3], &r, 1e-15);
    assert_tensor(&mt.log_softmax(-1), &[3, 3], &r.map(f64::ln), 1e-15);
    assert_tensor(&mt.logsumexp(-1, false), &[3], &[5f64.ln(); 3], 1e-15);
    assert_tensor(&m.logsumexp(-1, false), &[3], &[5f64.ln(); 3], 1e-15);
    assert_tensor(&m.softmax(0), &[3, 3], &[0.2, 0.2, 0.6, 0.6, 0.2, 0.2, 0.2, 0.6, 0.2], 1e-15);
    // A square matrix with distinct rows, contiguous, along the last axis.
    let q = t64(&[0.0, 0.0, 0.0, 0.0, l3, 0.0, 1.0, 1.0, 1.0 + 2f64.ln()], &[3, 3]);
    assert_tensor(&q.logsumexp(-1, false), &[3], &[3f64.ln(), 5f64.ln(), 1.0 + 4f64.ln()], 1e-15);
    assert_tensor(
        &q.log_softmax(-1).exp(),
        &[3, 3],
        &[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 0.2, 0.6, 0.2, 0.25, 0.25, 0.5],
        1e-15,
    );
    // Stepped slice: columns 0 and 2 of [[0, 9, ln3], [ln3, 9, 0]].
    let s = t64(&[0.0, 9.0, l3, l3, 9.0, 0.0], &[2, 3]).slice(1, 0, 3, 2);
    assert_tensor(&s.softmax(-1), &[2, 2], &[0.25, 0.75, 0.75, 0.25], 1e-15);
    assert_tensor(&s.logsumexp(1, false), &[2], &[4f64.ln(); 2], 1e-15);
    // Permuted 3-D.
    let c = Tensor::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4]).mul_scalar(0.25).permute(&[2, 0, 1]);
    assert!(c.softmax(-1).allclose(&c.contiguous().softmax(-1), 1e-6, 1e-7));
    assert!(c.log_softmax(-1).allclose(&c.contiguous().log_softmax(-1), 1e-6, 1e-6));
    assert!(c.logsumexp(-1, false).allclose(&c.contiguous().logsumexp(-1, false), 1e-6, 1e-6));
}

#[test]
fn softmax_is_stable_for_huge_values() {
    let l3 = 3f64.ln();
    // f32: [1e4, 1e4] -> [1/2, 1/2]; [-1e4, 0] -> [0, 1].
    let x = t32(&[1e4, 1e4, -1e4, 0.0], &[2, 2]);
    for y in [x.clone(), x.t().contiguous().t()] {
        let p = y.softmax(-1);
        assert!(p.all_finite());
        assert_tensor(&p, &[2, 2], &[0.5, 0.5, 0.0, 1.0], 1e-7);
        let l = y.log_softmax(-1);
        assert!(l.all_finite());
        assert_tensor(&l, &[2, 2], &[-(2f64.ln()), -(2f64.ln()), -1e4, 0.0], 1e-6);
        assert_tensor(&y.logsumexp(-1, false), &[2], &[1e4 + 2f64.ln(), 0.0], 1e-6);
    }
    // f64: [1e4, 1e4 + ln 3] -> [1/4, 3/4], also along axis 0 and through a transposed view.
    let x = t64(&[1e4, 1e4 + l3, -1e4, -1e4 + l3], &[2, 2]);
    assert_tensor(&x.softmax(1), &[2, 2], &[0.25, 0.75, 0.25, 0.75], 1e-12);
    assert_tensor(&x.t().softmax(0), &[2, 2], &[0.25, 0.25, 0.75, 0.75], 1e-12);
    assert_tensor(&x.log_softmax(1), &[2, 2], &[0.25f64.ln(), 0.75f64.ln(), 0.25f64.ln(), 0.75f64.ln()], 1e-12);
    assert_tensor(&x.t().log_softmax(0), &[2, 2], &[0.25f64.ln(), 0.25f64.ln(), 0.75f64.ln(), 0.75f64.ln()], 1e-12);
    assert_tensor(&x.logsumexp(1, false), &[2], &[1e4 + 4f64.ln(), -1e4 + 4f64.ln()], 1e-12);
    assert_tensor(&x.t().logsumexp(0, false), &[2], &[1e4 + 4f64.ln(), -1e4 + 4f64.ln()], 1e-12);
}

#[test]
fn softmax_handles_minus_infinity() {
    let l3 = 3f64.ln();
    let ni = f64::NEG_INFINITY;
    // [0, -inf, ln 3] -> [1/4, 0, 3/4]
    let x = t64(&[0.0, ni, l3], &[1, 3]);
    for y in [x.clone(), x.t().contiguous().t(), x.to_f32()] {
        let tol = if y.dtype() == DType::F32 { 1e-6 } else { 1e-15 };
        assert_tensor(&y.softmax(-1), &[1, 3], &[0.25, 0.0, 0.75], tol);
        assert_tensor(&y.log_softmax(-1), &[1, 3], &[0.25f64.ln(), ni, 0.75f64.ln()], tol);
        assert_tensor(&y.logsumexp(-1, false), &[1], &[4f64.ln()], tol);
    }
    // Along axis 0 (the strided path).
    assert_tensor(&x.t().softmax(0), &[3, 1], &[0.25, 0.0, 0.75], 1e-15);
    assert_tensor(&x.t().log_softmax(0), &[3, 1], &[0.25f64.ln(), ni, 0.75f64.ln()], 1e-15);
    // -inf next to a huge value.
    let h = t32(&[1e4, f32::NEG_INFINITY, 1e4], &[3]);
    assert_tensor(&h.softmax(0), &[3], &[0.5, 0.0, 0.5], 1e-7);
    assert_tensor(&h.logsumexp(0, false), &[], &[1e4 + 2f64.ln()], 1e-6);
    // A row of only -inf: logsumexp is -inf (documented).
    let all = t64(&[ni, ni, 0.0, 1.0], &[2, 2]);
    assert_tensor(&all.logsumexp(-1, false), &[2], &[ni, 1.0 + (1.0 + (-1f64).exp()).ln()], 1e-15);
}

#[test]
fn softmax_size_zero_and_one() {
    assert_eq!(Tensor::zeros(&[0, 3]).softmax(-1).shape(), &[0, 3]);
    assert_eq!(Tensor::zeros(&[2, 0]).softmax(-1).shape(), &[2, 0]);
    assert_eq!(Tensor::zeros(&[2, 0]).log_softmax(0).shape(), &[2, 0]);
    assert_tensor(&Tensor::zeros(&[2, 0]).logsumexp(-1, false), &[2], &[-INF, -INF], 0.0);
    assert_tensor(&t32(&[5.0, -3.0], &[2, 1]).softmax(-1), &[2, 1], &[1.0, 1.0], 0.0);
    assert_tensor(&t32(&[5.0, -3.0], &[2, 1]).log_softmax(-1), &[2, 1], &[0.0, 0.0], 0.0);
    assert_tensor(&t32(&[5.0, -3.0], &[2, 1]).logsumexp(-1, false), &[2], &[5.0, -3.0], 0.0);
}

#[test]
fn softmax_row_function() {
    let row = [0.0f64, 3f64.ln()];
    let mut out = [0.0; 2];
    softmax_row(&row, &mut out, false);
    assert_close(&out, &[0.25, 0.75], 1e-15);
    softmax_row(&row, &mut out, true);
    assert_close(&out, &[0.25f64.ln(), 0.75f64.ln()], 1e-15);
    let row = [1e4f32, f32::NEG_INFINITY];
    let mut out = [0.0f32; 2];
    softmax_row(&row, &mut out, false);
    assert_eq!(out, [1.0, 0.0]);
}
