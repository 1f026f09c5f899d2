//! Elementwise operations: unary maps, binary ops with NumPy broadcasting, scalar variants,
//! comparisons, where / add_assign_scaled, the `std::ops` operators; strided, size-0 and f64 inputs.

use crate::common;

use common::{assert_close, assert_tensor, t32, t64};
use kerosene_tensor::{DType, PAR_ELEMENTWISE_MIN, Tensor, ndarray};

/// [[1,2,3],[4,5,6]]
fn a23() -> Tensor {
    t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])
}

/// [[6,5,4],[3,2,1]]
fn b23() -> Tensor {
    t32(&[6.0, 5.0, 4.0, 3.0, 2.0, 1.0], &[2, 3])
}

#[track_caller]
fn check_unary(f: impl Fn(&Tensor) -> Tensor, x: &[f64], want: &[f64], tol: f64) {
    let n = x.len();
    for t in [Tensor::from_vec(x.iter().map(|&v| v as f32).collect(), &[n]), t64(x, &[n])] {
        let y = f(&t);
        assert_eq!((y.shape(), y.dtype()), (&[n][..], t.dtype()));
        let tol = if t.dtype() == DType::F32 { tol.max(1e-6) } else { tol };
        assert_close(&y.to_vec_f64(), want, tol);
    }
}

#[test]
fn unary_math() {
    let e = std::f64::consts::E;
    check_unary(Tensor::neg, &[1.0, -2.0, 0.0], &[-1.0, 2.0, 0.0], 0.0);
    check_unary(Tensor::exp, &[0.0, 1.0, -1.0], &[1.0, e, 1.0 / e], 1e-15);
    check_unary(Tensor::ln, &[1.0, e, 0.5, 0.0], &[0.0, 1.0, -(2f64.ln()), f64::NEG_INFINITY], 1e-15);
    check_unary(Tensor::ln_1p, &[0.0, 1.0, 1e-10], &[0.0, 2f64.ln(), 1e-10], 1e-15);
    check_unary(Tensor::exp_m1, &[0.0, 1.0, 1e-10], &[0.0, e - 1.0, 1e-10], 1e-15);
    check_unary(Tensor::sqrt, &[4.0, 2.0, 0.0], &[2.0, std::f64::consts::SQRT_2, 0.0], 1e-15);
    check_unary(Tensor::rsqrt, &[4.0, 0.25, 0.0], &[0.5, 2.0, f64::INFINITY], 1e-15);
    check_unary(Tensor::square, &[-3.0, 0.5, 0.0], &[9.0, 0.25, 0.0], 0.0);
    check_unary(Tensor::recip, &[2.0, -4.0, 0.0], &[0.5, -0.25, f64::INFINITY], 0.0);
    check_unary(Tensor::abs, &[-1.5, 2.0, -0.0], &[1.5, 2.0, 0.0], 0.0);
    check_unary(Tensor::sign, &[-3.0, 0.0, 2.0, -0.0], &[-1.0, 0.0, 1.0, 0.0], 0.0);
    check_unary(
        Tensor::tanh,
        &[0.0, 1.0, -1.0, 30.0],
        &[0.0, 0.761_594_155_955_764_9, -0.761_594_155_955_764_9, 1.0],
        1e-15,
    );
    check_unary(
        Tensor::sin,
        &[0.0, std::f64::consts::FRAC_PI_2, -std::f64::consts::FRAC_PI_6],
        &[0.0, 1.0, -0.5],
        1e-15,
    );
    check_unary(Tensor::cos, &[0.0, std::f64::consts::PI, std::f64::consts::FRAC_PI_3], &[1.0, -1.0, 0.5], 1e-15);
    check_unary(Tensor::floor, &[1.5, -1.5, 2.0], &[1.0, -2.0, 2.0], 0.0);
    check_unary(Tensor::ceil, &[1.5, -1.5, 2.0], &[2.0, -1.0, 2.0], 0.0);
    check_unary(Tensor::round, &[2.5, -2.5, 0.4, 1.6], &[3.0, -3.0, 0.0, 2.0], 0.0);
    // NaN stays NaN.
    assert!(t32(&[f32::NAN], &[1]).exp().at(&[0]).is_nan());
    assert!(t64(&[-1.0], &[1]).sqrt().at(&[0]).is_nan());
}

#[test]
fn activations() {
    // sigmoid(2) = 1 / (1 + e^-2); large |x| neither overflows nor gives NaN.
    check_unary(
        Tensor::sigmoid,
        &[0.0, 2.0, -2.0, 100.0, -100.0],
        &[0.5, 0.880_797_077_977_882_3, 0.119_202_922_022_117_57, 1.0, 3.720_075_976_020_836e-44],
        1e-14,
    );
    check_unary(Tensor::relu, &[-1.0, 0.0, 2.0], &[0.0, 0.0, 2.0], 0.0);
    // softplus(1) = ln(1 + e); softplus(100) = 100 without overflow.
    check_unary(
        Tensor::softplus,
        &[0.0, 1.0, -1.0, 100.0, -100.0],
        &[2f64.ln(), 1.313_261_687_518_222_8, 0.313_261_687_518_222_86, 100.0, 3.720_075_976_020_836e-44],
        1e-14,
    );
    assert!(t32(&[1000.0, -1000.0], &[2]).softplus().all_finite());
    assert!(t32(&[1000.0, -1000.0], &[2]).sigmoid().all_finite());
    // erf to within 1.2e-7 relative.
    check_unary(
        Tensor::erf,
        &[0.0, 1.0, -1.0, 0.5, 3.0],
        &[0.0, 0.842_700_792_949_714_9, -0.842_700_792_949_714_9, 0.520_499_877_813_046_5, 0.999_977_909_503_001_4],
        2e-7,
    );
    // gelu(x) = x Φ(x): Φ(1) = 0.8413447460685429.
    check_unary(
        Tensor::gelu,
        &[0.0, 1.0, -1.0, 2.0],
        &[0.0, 0.841_344_746_068_542_9, -0.158_655_253_931_457_07, 1.954_499_736_103_641_6],
        2e-7,
    );
    check_unary(|t| t.leaky_relu(0.1), &[-2.0, 3.0, 0.0], &[-0.2, 3.0, 0.0], 1e-15);
    check_unary(|t| t.elu(1.0), &[-1.0, 2.0, 0.0], &[-0.632_120_558_828_557_7, 2.0, 0.0], 1e-15);
    check_unary(|t| t.elu(2.0), &[-1.0], &[-1.264_241_117_657_115_4], 1e-15);
}

#[test]
fn parameterized_unary() {
    check_unary(|t| t.powf(0.5), &[4.0, 9.0, 0.0], &[2.0, 3.0, 0.0], 1e-15);
    check_unary(|t| t.powf(2.0), &[-3.0, 1.5], &[9.0, 2.25], 0.0);
    check_unary(|t| t.powf(-1.0), &[4.0], &[0.25], 0.0);
    check_unary(|t| t.clamp(-1.0, 1.0), &[-2.0, 0.5, 3.0], &[-1.0, 0.5, 1.0], 0.0);
    check_unary(|t| t.clamp(0.0, 0.0), &[-2.0, 3.0], &[0.0, 0.0], 0.0);
    check_unary(|t| t.map_f64(|x| x * x + 1.0), &[2.0, -1.0], &[5.0, 2.0], 0.0);
    check_unary(|t| t.add_scalar(1.5), &[1.0, -1.0], &[2.5, 0.5], 0.0);
    check_unary(|t| t.mul_scalar(-2.0), &[1.0, 0.25], &[-2.0, -0.5], 0.0);
    check_unary(|t| t.rsub_scalar(10.0), &[1.0, 12.0], &[9.0, -2.0], 0.0);
}

#[test]
fn binary_ops_same_shape() {
    let (a, b) = (a23(), b23());
    // [[1,2,3],[4,5,6]] op [[6,5,4],[3,2,1]]
    assert_tensor(&a.add(&b), &[2, 3], &[7.0; 6], 0.0);
    assert_tensor(&a.sub(&b), &[2, 3], &[-5.0, -3.0, -1.0, 1.0, 3.0, 5.0], 0.0);
    assert_tensor(&a.mul(&b), &[2, 3], &[6.0, 10.0, 12.0, 12.0, 10.0, 6.0], 0.0);
    assert_tensor(&a.div(&b), &[2, 3], &[1.0 / 6.0, 0.4, 0.75, 4.0 / 3.0, 2.5, 6.0], 1e-7);
    assert_tensor(&a.pow(&b), &[2, 3], &[1.0, 32.0, 81.0, 64.0, 25.0, 6.0], 1e-7);
    assert_tensor(&a.maximum(&b), &[2, 3], &[6.0, 5.0, 4.0, 4.0, 5.0, 6.0], 0.0);
    assert_tensor(&a.minimum(&b), &[2, 3], &[1.0, 2.0, 3.0, 3.0, 2.0, 1.0], 0.0);
}

#[test]
fn comparisons() {
    let a = a23();
    // [[1,2,3],[4,5,6]] vs [[1,5,2],[4,0,7]]
    let c = t32(&[1.0, 5.0, 2.0, 4.0, 0.0, 7.0], &[2, 3]);
    assert_eq!(a.eq_elem(&c).to_vec::<f32>(), vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    assert_eq!(a.ne_elem(&c).to_vec::<f32>(), vec![0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
    assert_eq!(a.lt(&c).to_vec::<f32>(), vec![0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    assert_eq!(a.le(&c).to_vec::<f32>(), vec![1.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
    assert_eq!(a.gt(&c).to_vec::<f32>(), vec![0.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
    assert_eq!(a.ge(&c).to_vec::<f32>(), vec![1.0, 0.0, 1.0, 1.0, 1.0, 0.0]);
    // Broadcast comparison against a scalar, in f64.
    let g = a.to_f64().gt(&Tensor::scalar_dtype(3.0, DType::F64));
    assert_eq!((g.dtype(), g.to_vec::<f64>()), (DType::F64, vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]));
    // NaN compares unequal to everything.
    let n = t32(&[f32::NAN], &[1]);
    assert_eq!(n.eq_elem(&n).to_vec::<f32>(), vec![0.0]);
    assert_eq!(n.ne_elem(&n).to_vec::<f32>(), vec![1.0]);
}

#[test]
fn maximum_minimum_propagate_nan() {
    let x = t32(&[f32::NAN, 1.0, 2.0], &[3]);
    let y = t32(&[0.0, f32::NAN, 1.0], &[3]);
    for r in [x.maximum(&y), y.maximum(&x), x.minimum(&y), y.minimum(&x)] {
        let v = r.to_vec::<f32>();
        assert!(v[0].is_nan() && v[1].is_nan(), "{v:?}");
    }
    assert_eq!(x.maximum(&y).at(&[2]), 2.0);
    assert_eq!(x.minimum(&y).at(&[2]), 1.0);
}

#[test]
fn broadcast_row_vector() {
    // [[1,2,3],[4,5,6]] + [10,20,30] = [[11,22,33],[14,25,36]]
    let r = t32(&[10.0, 20.0, 30.0], &[3]);
    assert_tensor(&a23().add(&r), &[2, 3], &[11.0, 22.0, 33.0, 14.0, 25.0, 36.0], 0.0);
    assert_tensor(&r.add(&a23()), &[2, 3], &[11.0, 22.0, 33.0, 14.0, 25.0, 36.0], 0.0);
    // [10,20,30] - [[1,2,3],[4,5,6]] = [[9,18,27],[6,15,24]]
    assert_tensor(&r.sub(&a23()), &[2, 3], &[9.0, 18.0, 27.0, 6.0, 15.0, 24.0], 0.0);
    // As a [1, 3] row too.
    assert_tensor(&a23().mul(&r.reshape(&[1, 3])), &[2, 3], &[10.0, 40.0, 90.0, 40.0, 100.0, 180.0], 0.0);
}

#[test]
fn broadcast_column_vector() {
    // [[1,2,3],[4,5,6]] * [[2],[3]] = [[2,4,6],[12,15,18]]
    let c = t32(&[2.0, 3.0], &[2, 1]);
    assert_tensor(&a23().mul(&c), &[2, 3], &[2.0, 4.0, 6.0, 12.0, 15.0, 18.0], 0.0);
    // A square matrix plus a column: the column must not be taken for a row.
    // [[1,2,3],[4,5,6],[7,8,9]] + [[10],[20],[30]] = [[11,12,13],[24,25,26],[37,38,39]]
    let m = Tensor::arange(1.0, 10.0, 1.0).reshape(&[3, 3]);
    let col = t32(&[10.0, 20.0, 30.0], &[3, 1]);
    let want = [11.0, 12.0, 13.0, 24.0, 25.0, 26.0, 37.0, 38.0, 39.0];
    assert_tensor(&m.add(&col), &[3, 3], &want, 0.0);
    assert_tensor(&col.add(&m), &[3, 3], &want, 0.0);
    // [2,3,3] - [3,1]
    let m2 = Tensor::concat(&[&m.unsqueeze(0), &m.unsqueeze(0)], 0);
    let d = m2.sub(&col);
    assert_tensor(&d.select(0, 1), &[3, 3], &[-9.0, -8.0, -7.0, -16.0, -15.0, -14.0, -23.0, -22.0, -21.0], 0.0);
}

#[test]
fn broadcast_outer() {
    // [[1],[2]] + [[10,20,30]] = [[11,21,31],[12,22,32]]
    let x = t32(&[1.0, 2.0], &[2, 1]);
    let y = t32(&[10.0, 20.0, 30.0], &[1, 3]);
    assert_tensor(&x.add(&y), &[2, 3], &[11.0, 21.0, 31.0, 12.0, 22.0, 32.0], 0.0);
    assert_tensor(&y.add(&x), &[2, 3], &[11.0, 21.0, 31.0, 12.0, 22.0, 32.0], 0.0);
    // [2] with [2,1]: [1,2] * [[3],[4]] = [[3,6],[4,8]]
    assert_tensor(&t32(&[1.0, 2.0], &[2]).mul(&t32(&[3.0, 4.0], &[2, 1])), &[2, 2], &[3.0, 6.0, 4.0, 8.0], 0.0);
}

#[test]
fn broadcast_three_dims() {
    // x[i,0,k] = 3i + k over [4,1,3]; y = [[0,0,0],[100,100,100]] over [2,3].
    let x = Tensor::arange(0.0, 12.0, 1.0).reshape(&[4, 1, 3]);
    let y = t32(&[0.0, 0.0, 0.0, 100.0, 100.0, 100.0], &[2, 3]);
    let mut want = Vec::new();
    for i in 0..4 {
        let b = 3.0 * i as f64;
        want.extend([b, b + 1.0, b + 2.0, b + 100.0, b + 101.0, b + 102.0]);
    }
    assert_tensor(&x.add(&y), &[4, 2, 3], &want, 0.0);
    assert_tensor(&y.add(&x), &[4, 2, 3], &want, 0.0);
    assert_tensor(&x.to_f64().add(&y.to_f64()), &[4, 2, 3], &want, 0.0);
}

#[test]
fn broadcast_scalars() {
    let a = a23();
    assert_tensor(&a.add(&Tensor::scalar(1.0)), &[2, 3], &[2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 0.0);
    assert_tensor(&Tensor::scalar(10.0).sub(&a), &[2, 3], &[9.0, 8.0, 7.0, 6.0, 5.0, 4.0], 0.0);
    assert_tensor(&a.mul(&t32(&[2.0], &[1])), &[2, 3], &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0], 0.0);
    assert_tensor(&a.div(&t32(&[2.0], &[1, 1])), &[2, 3], &[0.5, 1.0, 1.5, 2.0, 2.5, 3.0], 0.0);
    // A [1,1,1] operand has more axes than the [2,3] one: the result has three.
    assert_tensor(&a.add(&t32(&[1.0], &[1, 1, 1])), &[1, 2, 3], &[2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 0.0);
    assert_tensor(&t32(&[1.0], &[1, 1, 1]).sub(&a), &[1, 2, 3], &[0.0, -1.0, -2.0, -3.0, -4.0, -5.0], 0.0);
    assert_tensor(&Tensor::scalar(2.0).mul(&Tensor::scalar(3.0)), &[], &[6.0], 0.0);
    assert_tensor(&Tensor::scalar(2.0).add(&t32(&[1.0], &[1])), &[1], &[3.0], 0.0);
}

#[test]
fn non_contiguous_operands() {
    let (a, b) = (a23(), b23());
    // a^T = [[1,4],[2,5],[3,6]], b^T = [[6,3],[5,2],[4,1]]
    assert_tensor(&a.t().mul(&b.t()), &[3, 2], &[6.0, 12.0, 10.0, 10.0, 12.0, 6.0], 0.0);
    // a^T + [[1,2],[3,4],[5,6]] = [[2,6],[5,9],[8,12]]
    let c = t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
    assert_tensor(&a.t().add(&c), &[3, 2], &[2.0, 6.0, 5.0, 9.0, 8.0, 12.0], 0.0);
    assert_tensor(&c.add(&a.t()), &[3, 2], &[2.0, 6.0, 5.0, 9.0, 8.0, 12.0], 0.0);
    // a^T + [10,20] = [[11,24],[12,25],[13,26]]
    assert_tensor(&a.t().add(&t32(&[10.0, 20.0], &[2])), &[3, 2], &[11.0, 24.0, 12.0, 25.0, 13.0, 26.0], 0.0);
    // a^T with a column [[1],[2],[3]]: [[2,5],[4,7],[6,9]]
    assert_tensor(&a.t().add(&t32(&[1.0, 2.0, 3.0], &[3, 1])), &[3, 2], &[2.0, 5.0, 4.0, 7.0, 6.0, 9.0], 0.0);
    // Stepped slice: [0,3,6,9] * [1,2,3,4] = [0,6,18,36]
    let s = Tensor::arange(0.0, 10.0, 1.0).slice(0, 0, 10, 3);
    assert_tensor(&s.mul(&t32(&[1.0, 2.0, 3.0, 4.0], &[4])), &[4], &[0.0, 6.0, 18.0, 36.0], 0.0);
    assert_tensor(&s.mul(&s), &[4], &[0.0, 9.0, 36.0, 81.0], 0.0);
    // Both operands transposed against each other's layouts.
    let m = Tensor::arange(0.0, 9.0, 1.0).reshape(&[3, 3]);
    // [[0,3,6],[1,4,7],[2,5,8]] - [[0,1,2],[3,4,5],[6,7,8]] = [[0,2,4],[-2,0,2],[-4,-2,0]]
    assert_tensor(&m.t().sub(&m), &[3, 3], &[0.0, 2.0, 4.0, -2.0, 0.0, 2.0, -4.0, -2.0, 0.0], 0.0);
    assert_tensor(&m.sub(&m.t()), &[3, 3], &[0.0, -2.0, -4.0, 2.0, 0.0, -2.0, 4.0, 2.0, 0.0], 0.0);
}

#[test]
fn non_contiguous_with_scalar() {
    // [[1,2,3],[4,5,6]]^T + 1 = [[2,5],[3,6],[4,7]]
    let at = a23().t();
    let want = [2.0, 5.0, 3.0, 6.0, 4.0, 7.0];
    assert_tensor(&at.add(&Tensor::scalar(1.0)), &[3, 2], &want, 0.0);
    assert_tensor(&at.add(&t32(&[1.0], &[1, 1])), &[3, 2], &want, 0.0);
    assert_tensor(&Tensor::scalar(1.0).add(&at), &[3, 2], &want, 0.0);
    assert_tensor(&t32(&[1.0], &[1]).add(&at), &[3, 2], &want, 0.0);
    assert_tensor(&at.add_scalar(1.0), &[3, 2], &want, 0.0);
    assert_tensor(&(&at + 1.0), &[3, 2], &want, 0.0);
    let p = Tensor::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4]).permute(&[2, 0, 1]);
    assert_eq!(p.mul(&Tensor::scalar(2.0)), p.contiguous().mul_scalar(2.0));
}

#[test]
fn unary_on_strided_views() {
    // square([[1,4],[2,5],[3,6]]) keeps the logical order.
    let at = a23().t();
    assert_tensor(&at.square(), &[3, 2], &[1.0, 16.0, 4.0, 25.0, 9.0, 36.0], 0.0);
    let s = Tensor::arange(0.0, 10.0, 1.0).slice(0, 1, 10, 4);
    assert_tensor(&s.neg(), &[3], &[-1.0, -5.0, -9.0], 0.0);
    let p = Tensor::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4]).permute(&[1, 2, 0]);
    assert_eq!(p.relu().sqrt(), p.contiguous().sqrt());
    assert_eq!(p.map_f64(|x| x - 1.0), p.contiguous().add_scalar(-1.0));
    assert_eq!(p.clamp(2.0, 5.0), p.contiguous().clamp(2.0, 5.0));
}

#[test]
fn negative_strides_from_ndarray() {
    // A reversed view [3,2,1] of [1,2,3], handed over from ndarray.
    let a = ndarray::Array1::from(vec![1.0f32, 2.0, 3.0]).slice_move(ndarray::s![..;-1]).into_dyn();
    let t = Tensor::from_array(a);
    assert_eq!(t.to_vec::<f32>(), vec![3.0, 2.0, 1.0]);
    assert_tensor(&t.square(), &[3], &[9.0, 4.0, 1.0], 0.0);
    assert_tensor(&t.add_scalar(1.0), &[3], &[4.0, 3.0, 2.0], 0.0);
    assert_tensor(&t.add(&Tensor::scalar(1.0)), &[3], &[4.0, 3.0, 2.0], 0.0);
    assert_tensor(&t.sub(&t32(&[1.0, 1.0, 1.0], &[3])), &[3], &[2.0, 1.0, 0.0], 0.0);
    let m = ndarray::Array2::from_shape_vec((2, 2), vec![1.0f64, 2.0, 3.0, 4.0]).unwrap();
    let r = Tensor::from_array(m.slice_move(ndarray::s![.., ..;-1]).into_dyn()); // [[2,1],[4,3]]
    assert_tensor(&r.exp().ln(), &[2, 2], &[2.0, 1.0, 4.0, 3.0], 1e-15);
    assert_tensor(&r.neg(), &[2, 2], &[-2.0, -1.0, -4.0, -3.0], 0.0);
}

#[test]
fn size_zero_and_one() {
    let e = Tensor::zeros(&[0, 3]);
    assert_eq!(e.add(&t32(&[1.0, 2.0, 3.0], &[3])).shape(), &[0, 3]);
    assert_eq!(e.add(&Tensor::scalar(1.0)).shape(), &[0, 3]);
    assert_eq!(e.mul(&t32(&[1.0], &[1, 1])).shape(), &[0, 3]);
    assert_eq!(e.add(&e).shape(), &[0, 3]);
    assert_eq!(e.exp().shape(), &[0, 3]);
    assert_eq!(Tensor::zeros(&[2, 0]).add(&Tensor::ones(&[2, 1])).shape(), &[2, 0]);
    assert_eq!(Tensor::zeros(&[0]).add(&Tensor::ones(&[1])).shape(), &[0]);
    assert_eq!(Tensor::zeros(&[2, 1, 0]).sub(&Tensor::ones(&[3, 1])).shape(), &[2, 3, 0]);
    assert_eq!(e.t().neg().shape(), &[3, 0]);
    // Size-1 axes broadcast against size-1 axes.
    assert_tensor(&t32(&[2.0], &[1, 1]).mul(&t32(&[3.0], &[1])), &[1, 1], &[6.0], 0.0);
    assert_tensor(&t32(&[1.0, 2.0], &[1, 2]).add(&t32(&[3.0], &[1, 1])), &[1, 2], &[4.0, 5.0], 0.0);
}

#[test]
fn f64_matches_f32() {
    let (a, b) = (a23().to_f64(), b23().to_f64());
    let r = t64(&[10.0, 20.0, 30.0], &[3]);
    let out = a.mul(&b).add(&r).div(&t64(&[2.0], &[1])).sub(&a.t().t());
    assert_eq!(out.dtype(), DType::F64);
    // (a*b + r)/2 - a = [[7,14,18],[17,20,12]]/... computed by hand:
    // a*b = [6,10,12,12,10,6]; +r = [16,30,42,22,30,36]; /2 = [8,15,21,11,15,18]; -a = [7,13,18,7,10,12]
    assert_tensor(&out, &[2, 3], &[7.0, 13.0, 18.0, 7.0, 10.0, 12.0], 0.0);
    let out32 = a23().mul(&b23()).add(&r.to_f32()).div(&t32(&[2.0], &[1])).sub(&a23());
    assert_eq!(out32.to_f64(), out);
}

#[test]
fn operators() {
    let (a, b) = (a23(), b23());
    assert_eq!(&a + &b, a.add(&b));
    assert_eq!(a.clone() + b.clone(), a.add(&b));
    assert_eq!(a.clone() - &b, a.sub(&b));
    assert_eq!(&a * b.clone(), a.mul(&b));
    assert_eq!(&a / &b, a.div(&b));
    assert_tensor(&(&a + 1.0), &[2, 3], &[2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 0.0);
    assert_tensor(&(a.clone() - 1.0), &[2, 3], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 0.0);
    assert_tensor(&(&a * 2.0), &[2, 3], &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0], 0.0);
    assert_tensor(&(a.clone() / 4.0), &[2, 3], &[0.25, 0.5, 0.75, 1.0, 1.25, 1.5], 0.0);
    assert_eq!(-&a, a.neg());
    assert_eq!(-a.clone(), a.mul_scalar(-1.0));
}

#[test]
fn where_cond_broadcasts() {
    // cond [[1],[0]] picks row 0 of a, and b (-1) for row 1.
    let cond = t32(&[1.0, 0.0], &[2, 1]);
    let w = Tensor::where_cond(&cond, &a23(), &Tensor::scalar(-1.0));
    assert_tensor(&w, &[2, 3], &[1.0, 2.0, 3.0, -1.0, -1.0, -1.0], 0.0);
    // An f64 condition with f32 operands; nonzero (even negative or NaN) counts as true.
    let c = t64(&[0.0, -2.0, f64::NAN], &[3]);
    let w = Tensor::where_cond(&c, &t32(&[1.0, 2.0, 3.0], &[3]), &t32(&[9.0, 9.0, 9.0], &[3]));
    assert_eq!((w.dtype(), w.to_vec::<f32>()), (DType::F32, vec![9.0, 2.0, 3.0]));
    // Transposed operands.
    let w = Tensor::where_cond(&a23().t().gt(&Tensor::scalar(2.0)), &a23().t(), &Tensor::zeros(&[3, 2]));
    assert_tensor(&w, &[3, 2], &[0.0, 4.0, 0.0, 5.0, 3.0, 6.0], 0.0);
    assert_eq!(Tensor::where_cond(&Tensor::zeros(&[0]), &Tensor::ones(&[0]), &Tensor::scalar(1.0)).shape(), &[0]);
}

#[test]
fn add_assign_scaled_in_place() {
    let mut x = t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let keep = x.clone();
    x.add_assign_scaled(&t32(&[2.0, 2.0, 2.0, 2.0], &[2, 2]), 0.5);
    assert_tensor(&x, &[2, 2], &[2.0, 3.0, 4.0, 5.0], 0.0);
    assert_tensor(&keep, &[2, 2], &[1.0, 2.0, 3.0, 4.0], 0.0);
    // Broadcast row, alpha 1: [[2,3],[4,5]] + [10,20] = [[12,23],[14,25]]
    x.add_assign_scaled(&t32(&[10.0, 20.0], &[2]), 1.0);
    assert_tensor(&x, &[2, 2], &[12.0, 23.0, 14.0, 25.0], 0.0);
    // Column with alpha -1: [[12,23],[14,25]] - [[2],[4]] = [[10,21],[10,21]]
    x.add_assign_scaled(&t32(&[2.0, 4.0], &[2, 1]), -1.0);
    assert_tensor(&x, &[2, 2], &[10.0, 21.0, 10.0, 21.0], 0.0);
    // A transposed destination: x^T = [[1,3],[2,4]] += [[1,1],[1,1]] * 2
    let mut y = t64(&[1.0, 2.0, 3.0, 4.0], &[2, 2]).t();
    y.add_assign_scaled(&t64(&[1.0; 4], &[2, 2]), 2.0);
    assert_tensor(&y, &[2, 2], &[3.0, 5.0, 4.0, 6.0], 0.0);
    // Transposed source.
    let mut z = Tensor::zeros(&[2, 2]);
    z.add_assign_scaled(&t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2]).t(), 1.0);
    assert_tensor(&z, &[2, 2], &[1.0, 3.0, 2.0, 4.0], 0.0);
    let mut e = Tensor::zeros(&[0, 2]);
    e.add_assign_scaled(&Tensor::ones(&[2]), 1.0);
    assert_eq!(e.shape(), &[0, 2]);
}

#[test]
fn zip_map_broadcasts() {
    // g * (y > 0) over a [3,3] gradient and a [3,1] column.
    let g = Tensor::arange(1.0, 10.0, 1.0).reshape(&[3, 3]);
    let y = t32(&[1.0, -1.0, 1.0], &[3, 1]);
    let d = g.zip_map_f64(&y, |g, y| if y > 0.0 { g } else { 0.0 });
    assert_tensor(&d, &[3, 3], &[1.0, 2.0, 3.0, 0.0, 0.0, 0.0, 7.0, 8.0, 9.0], 0.0);
    let d = g.t().zip_map_f64(&g, |a, b| a - b);
    assert_eq!(d, g.t().sub(&g));
    assert!(g.try_zip_map_f64(&g.to_f64(), |a, _| a).is_err());
    let s = g.zip3_map_f64(&g, &g.t(), |a, b, c| a + b - c);
    assert_eq!(s, g.add(&g).sub(&g.t()));
}

#[test]
fn large_inputs_take_the_parallel_path() {
    let n = PAR_ELEMENTWISE_MIN + 1000;
    let a = Tensor::from_fn(&[n], |ix| (ix[0] % 97) as f64);
    let b = Tensor::from_fn(&[n], |ix| (ix[0] % 13) as f64);
    let s = a.add(&b);
    let (av, bv, sv) = (a.to_vec::<f32>(), b.to_vec::<f32>(), s.to_vec::<f32>());
    assert!((0..n).all(|i| sv[i] == av[i] + bv[i]));
    let sq = a.square().to_vec::<f32>();
    assert!((0..n).all(|i| sq[i] == av[i] * av[i]));
    // A large transposed (contiguous in memory, not in row-major order) input.
    let m = Tensor::from_fn(&[300, 250], |ix| (ix[0] * 7 + ix[1]) as f64 % 101.0);
    let mt = m.t();
    let e = mt.neg();
    assert_eq!(e.shape(), &[250, 300]);
    assert_eq!(e, mt.contiguous().neg());
    assert_eq!(e.at(&[3, 2]), -m.at(&[2, 3]));
    assert_eq!(mt.mul(&Tensor::scalar(2.0)), mt.contiguous().mul_scalar(2.0));
}
