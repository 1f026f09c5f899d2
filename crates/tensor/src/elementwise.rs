//! Elementwise operations: unary maps, binary ops with NumPy broadcasting, scalar variants,
//! comparisons, and the `std::ops` operators.

use ndarray::{ArcArray, ArrayD, IxDyn, Zip};
use rayon::prelude::*;

use crate::error::{Result, TensorError, ok};
use crate::layout::broadcast_shapes;
use crate::tensor::{Data, with_arrays};
use crate::{Element, Tensor};

/// Elementwise work on at least this many elements is split across rayon threads.
/// Below it one thread is faster (the fork/join costs more than it saves).
pub const PAR_ELEMENTWISE_MIN: usize = 1 << 16;
const PAR_CHUNK: usize = 1 << 14;

/// Applies `f` to every element, in parallel for large contiguous inputs.
pub(crate) fn map_array<E: Element>(a: &ArcArray<E, IxDyn>, f: impl Fn(E) -> E + Sync) -> ArrayD<E> {
    // Negative strides (possible in arrays handed over by `from_array`) would reverse the memory
    // order relative to the logical order, so those take the general path.
    if let Some(s) = a.as_slice_memory_order().filter(|_| a.strides().iter().all(|&s| s >= 0)) {
        let v: Vec<E> = if s.len() >= PAR_ELEMENTWISE_MIN {
            let mut out = vec![E::zero(); s.len()];
            out.par_chunks_mut(PAR_CHUNK).zip(s.par_chunks(PAR_CHUNK)).for_each(|(o, i)| {
                for (o, &x) in o.iter_mut().zip(i) {
                    *o = f(x);
                }
            });
            out
        } else {
            s.iter().map(|&x| f(x)).collect()
        };
        // Same memory order as the input: a transposed contiguous input gives a transposed output.
        let strides = a.strides();
        if a.is_standard_layout() {
            ArrayD::from_shape_vec(a.raw_dim(), v).expect("same size")
        } else {
            let shape = a.raw_dim();
            let perm = memory_order(strides);
            let permuted_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
            let arr = ArrayD::from_shape_vec(IxDyn(&permuted_shape), v).expect("same size");
            let mut inv = vec![0; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inv[p] = i;
            }
            arr.permuted_axes(IxDyn(&inv))
        }
    } else {
        a.map(|&x| f(x))
    }
}

/// Axes sorted from the largest stride to the smallest (the memory order of a contiguous view).
fn memory_order(strides: &[isize]) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..strides.len()).collect();
    perm.sort_by_key(|&i| std::cmp::Reverse(strides[i].unsigned_abs()));
    perm
}

/// `f(a, b)` elementwise with NumPy broadcasting.
pub(crate) fn zip_arrays<E: Element>(
    op: &'static str,
    a: &ArcArray<E, IxDyn>,
    b: &ArcArray<E, IxDyn>,
    f: impl Fn(E, E) -> E + Sync,
) -> Result<ArrayD<E>> {
    if a.shape() == b.shape() {
        if let (Some(x), Some(y)) = (a.as_slice(), b.as_slice()) {
            let v: Vec<E> = if x.len() >= PAR_ELEMENTWISE_MIN {
                let mut out = vec![E::zero(); x.len()];
                out.par_chunks_mut(PAR_CHUNK).zip(x.par_chunks(PAR_CHUNK).zip(y.par_chunks(PAR_CHUNK))).for_each(
                    |(o, (x, y))| {
                        for ((o, &x), &y) in o.iter_mut().zip(x).zip(y) {
                            *o = f(x, y);
                        }
                    },
                );
                out
            } else {
                x.iter().zip(y).map(|(&x, &y)| f(x, y)).collect()
            };
            return Ok(ArrayD::from_shape_vec(a.raw_dim(), v).expect("same size"));
        }
        return Ok(Zip::from(a).and(b).map_collect(|&x, &y| f(x, y)));
    }
    // A one-element operand with no more axes than the other broadcasts to the other's shape, so
    // the result is a map of the other operand (in its layout, which may be strided).
    if b.len() == 1 && b.ndim() <= a.ndim() {
        let y = *b.iter().next().expect("one element");
        return Ok(map_array(a, |x| f(x, y)));
    }
    if a.len() == 1 && a.ndim() <= b.ndim() {
        let x = *a.iter().next().expect("one element");
        return Ok(map_array(b, |y| f(x, y)));
    }
    let shape = broadcast_shapes(op, a.shape(), b.shape())?;
    // Row broadcast, the bias-add pattern: a is [.., n] contiguous and b is contiguous [n] (or [1, n]).
    if a.shape() == shape.as_slice()
        && b.len() == *shape.last().unwrap_or(&0)
        && b.shape().last() == shape.last()
        && !b.is_empty()
        && let (Some(x), Some(y)) = (a.as_slice(), b.as_slice())
    {
        let n = y.len();
        let mut v = Vec::with_capacity(x.len());
        for row in x.chunks_exact(n) {
            v.extend(row.iter().zip(y).map(|(&p, &q)| f(p, q)));
        }
        return Ok(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("same size"));
    }
    let av = a.broadcast(IxDyn(&shape)).expect("shape checked");
    let bv = b.broadcast(IxDyn(&shape)).expect("shape checked");
    Ok(Zip::from(&av).and(&bv).map_collect(|&x, &y| f(x, y)))
}

/// Declares unary methods whose body is written once and compiled for f32 and f64.
macro_rules! unary_ops {
    ($( $(#[$m:meta])* $name:ident => |$x:ident| $body:expr; )*) => {
        impl Tensor {
            $(
                $(#[$m])*
                pub fn $name(&self) -> Tensor {
                    match &self.data {
                        Data::F32(a) => Tensor::from_array(map_array(a, |$x: f32| $body)),
                        Data::F64(a) => Tensor::from_array(map_array(a, |$x: f64| $body)),
                    }
                }
            )*
        }
    };
}

unary_ops! {
    /// `-x`
    neg => |x| -x;
    /// `e^x`
    exp => |x| x.exp();
    /// Natural logarithm.
    ln => |x| x.ln();
    /// `ln(1 + x)`, accurate near 0.
    ln_1p => |x| x.ln_1p();
    /// `e^x - 1`, accurate near 0.
    exp_m1 => |x| x.exp_m1();
    /// Square root.
    sqrt => |x| x.sqrt();
    /// `1 / sqrt(x)`.
    rsqrt => |x| 1.0 / x.sqrt();
    /// `x^2`
    square => |x| x * x;
    /// `1 / x`
    recip => |x| 1.0 / x;
    /// `|x|`
    abs => |x| x.abs();
    /// `-1`, `0` or `1` by the sign of `x` (`0` at `0`).
    sign => |x| if x > 0.0 { 1.0 } else if x < 0.0 { -1.0 } else { 0.0 };
    /// Hyperbolic tangent.
    tanh => |x| x.tanh();
    /// `1 / (1 + e^-x)`, computed without overflow for large `|x|`.
    sigmoid => |x| if x >= 0.0 { 1.0 / (1.0 + (-x).exp()) } else { let e = x.exp(); e / (1.0 + e) };
    /// `max(x, 0)`; NaN stays NaN (as in PyTorch), so a diverging run is visible.
    relu => |x| if x < 0.0 { 0.0 } else { x };
    /// `ln(1 + e^x)`, computed without overflow.
    softplus => |x| if x > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() };
    /// Sine.
    sin => |x| x.sin();
    /// Cosine.
    cos => |x| x.cos();
    /// Largest integer not above `x`.
    floor => |x| x.floor();
    /// Smallest integer not below `x`.
    ceil => |x| x.ceil();
    /// Nearest integer, halves away from zero.
    round => |x| x.round();
    /// The error function.
    erf => |x| erf_approx(x);
}

/// The error function, to within 1.2e-7 relative accuracy in f64 (Numerical Recipes' erfc
/// Chebyshev fit), and exact to f32 precision.
pub(crate) trait ErfApprox {
    fn erf_value(self) -> Self;
}

impl ErfApprox for f32 {
    fn erf_value(self) -> f32 {
        (self as f64).erf_value() as f32
    }
}

impl ErfApprox for f64 {
    fn erf_value(self) -> f64 {
        let z = self.abs();
        let t = 1.0 / (1.0 + 0.5 * z);
        let r = t
            * (-z * z - 1.265_512_23
                + t * (1.000_023_68
                    + t * (0.374_091_96
                        + t * (0.096_784_18
                            + t * (-0.186_288_06
                                + t * (0.278_868_07
                                    + t * (-1.135_203_98
                                        + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
                .exp();
        if self >= 0.0 { 1.0 - r } else { r - 1.0 }
    }
}

fn erf_approx<T: ErfApprox>(x: T) -> T {
    x.erf_value()
}

impl Tensor {
    /// Applies `f` (given as f64 math) to every element; the result keeps the element type.
    /// Slower than the named ops; for user-defined maps.
    pub fn map_f64(&self, f: impl Fn(f64) -> f64 + Sync) -> Tensor {
        match &self.data {
            Data::F32(a) => Tensor::from_array(map_array(a, |x: f32| f(x as f64) as f32)),
            Data::F64(a) => Tensor::from_array(map_array(a, &f)),
        }
    }

    /// `f(a, b)` elementwise with broadcasting, written as f64 math; the result keeps the element
    /// type. This is how derivative formulas are applied in one pass (e.g. `g * (y > 0)`).
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let g = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
    /// let y = Tensor::from_vec(vec![0.0f32, 5.0, 1.0], &[3]);
    /// let d = g.zip_map_f64(&y, |g, y| if y > 0.0 { g } else { 0.0 });
    /// assert_eq!(d.to_vec::<f32>(), vec![0.0, 2.0, 3.0]);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not broadcast or the element types differ.
    #[track_caller]
    pub fn zip_map_f64(&self, other: &Tensor, f: impl Fn(f64, f64) -> f64 + Sync) -> Tensor {
        ok(self.try_zip_map_f64(other, f))
    }

    /// Fallible [`Tensor::zip_map_f64`].
    pub fn try_zip_map_f64(&self, other: &Tensor, f: impl Fn(f64, f64) -> f64 + Sync) -> Result<Tensor> {
        match (&self.data, &other.data) {
            (Data::F32(a), Data::F32(b)) => {
                zip_arrays("zip_map", a, b, |x: f32, y: f32| f(x as f64, y as f64) as f32).map(Tensor::from_array)
            }
            (Data::F64(a), Data::F64(b)) => zip_arrays("zip_map", a, b, &f).map(Tensor::from_array),
            _ => Err(TensorError::DType { op: "zip_map", lhs: self.dtype(), rhs: other.dtype() }),
        }
    }

    /// `f(a, b, c)` elementwise over three tensors of the same shape, as f64 math.
    ///
    /// # Panics
    /// If the shapes or element types differ.
    #[track_caller]
    pub fn zip3_map_f64(&self, b: &Tensor, c: &Tensor, f: impl Fn(f64, f64, f64) -> f64 + Sync) -> Tensor {
        if self.shape() != b.shape() || self.shape() != c.shape() {
            panic!("zip3_map: shapes differ: {:?}, {:?}, {:?}", self.shape(), b.shape(), c.shape());
        }
        match (&self.data, &b.data, &c.data) {
            (Data::F32(x), Data::F32(y), Data::F32(z)) => Tensor::from_array(
                Zip::from(x).and(y).and(z).map_collect(|&x, &y, &z| f(x as f64, y as f64, z as f64) as f32),
            ),
            (Data::F64(x), Data::F64(y), Data::F64(z)) => {
                Tensor::from_array(Zip::from(x).and(y).and(z).map_collect(|&x, &y, &z| f(x, y, z)))
            }
            _ => panic!("zip3_map: element types differ: {}, {}, {}", self.dtype(), b.dtype(), c.dtype()),
        }
    }

    /// `x^p` for a scalar exponent.
    pub fn powf(&self, p: f64) -> Tensor {
        match &self.data {
            Data::F32(a) => {
                let p = p as f32;
                Tensor::from_array(map_array(a, move |x: f32| x.powf(p)))
            }
            Data::F64(a) => Tensor::from_array(map_array(a, move |x: f64| x.powf(p))),
        }
    }

    /// Clamps every element into `[lo, hi]`.
    ///
    /// # Panics
    /// If `lo > hi`.
    #[track_caller]
    pub fn clamp(&self, lo: f64, hi: f64) -> Tensor {
        if lo > hi {
            panic!("clamp: lower bound {lo} is above upper bound {hi}");
        }
        match &self.data {
            Data::F32(a) => {
                let (l, h) = (lo as f32, hi as f32);
                Tensor::from_array(map_array(a, move |x: f32| x.max(l).min(h)))
            }
            Data::F64(a) => Tensor::from_array(map_array(a, move |x: f64| x.max(lo).min(hi))),
        }
    }

    /// `x` if `x > 0`, else `alpha * x`.
    pub fn leaky_relu(&self, alpha: f64) -> Tensor {
        match &self.data {
            Data::F32(a) => {
                let al = alpha as f32;
                Tensor::from_array(map_array(a, move |x: f32| if x > 0.0 { x } else { al * x }))
            }
            Data::F64(a) => Tensor::from_array(map_array(a, move |x: f64| if x > 0.0 { x } else { alpha * x })),
        }
    }

    /// `x` if `x > 0`, else `alpha * (e^x - 1)`.
    pub fn elu(&self, alpha: f64) -> Tensor {
        match &self.data {
            Data::F32(a) => {
                let al = alpha as f32;
                Tensor::from_array(map_array(a, move |x: f32| if x > 0.0 { x } else { al * x.exp_m1() }))
            }
            Data::F64(a) => {
                Tensor::from_array(map_array(a, move |x: f64| if x > 0.0 { x } else { alpha * x.exp_m1() }))
            }
        }
    }

    /// GELU with the exact erf form: `x * (1 + erf(x / sqrt 2)) / 2` (PyTorch and Keras default).
    pub fn gelu(&self) -> Tensor {
        let s = std::f64::consts::FRAC_1_SQRT_2;
        match &self.data {
            Data::F32(a) => {
                Tensor::from_array(map_array(a, move |x: f32| 0.5 * x * (1.0 + ((x as f64 * s).erf_value() as f32))))
            }
            Data::F64(a) => Tensor::from_array(map_array(a, move |x: f64| 0.5 * x * (1.0 + (x * s).erf_value()))),
        }
    }

    /// Adds a scalar.
    pub fn add_scalar(&self, s: f64) -> Tensor {
        self.scalar_op(s, |x, y| x + y, |x, y| x + y)
    }

    /// Multiplies by a scalar.
    pub fn mul_scalar(&self, s: f64) -> Tensor {
        self.scalar_op(s, |x, y| x * y, |x, y| x * y)
    }

    /// `s - x` for a scalar `s`.
    pub fn rsub_scalar(&self, s: f64) -> Tensor {
        self.scalar_op(s, |x, y| y - x, |x, y| y - x)
    }

    fn scalar_op(
        &self,
        s: f64,
        f32f: impl Fn(f32, f32) -> f32 + Sync,
        f64f: impl Fn(f64, f64) -> f64 + Sync,
    ) -> Tensor {
        match &self.data {
            Data::F32(a) => {
                let s = s as f32;
                Tensor::from_array(map_array(a, |x| f32f(x, s)))
            }
            Data::F64(a) => Tensor::from_array(map_array(a, |x| f64f(x, s))),
        }
    }
}

/// Declares broadcasting binary methods with panicking and `try_` forms.
macro_rules! binary_ops {
    ($( $(#[$m:meta])* $name:ident / $try_name:ident => |$x:ident, $y:ident| $body:expr; )*) => {
        impl Tensor {
            $(
                $(#[$m])*
                ///
                /// # Panics
                /// If the shapes do not broadcast or the element types differ; see the `try_` twin.
                #[track_caller]
                pub fn $name(&self, rhs: &Tensor) -> Tensor {
                    ok(self.$try_name(rhs))
                }

                #[doc = concat!("Fallible [`Tensor::", stringify!($name), "`].")]
                pub fn $try_name(&self, rhs: &Tensor) -> Result<Tensor> {
                    let op = stringify!($name);
                    with_arrays!(op, self, rhs, |a, b| zip_arrays(op, a, b, |$x, $y| $body).map(Tensor::from_array))
                }
            )*
        }
    };
}

binary_ops! {
    /// `a + b` with broadcasting.
    add / try_add => |x, y| x + y;
    /// `a - b` with broadcasting.
    sub / try_sub => |x, y| x - y;
    /// `a * b` with broadcasting.
    mul / try_mul => |x, y| x * y;
    /// `a / b` with broadcasting.
    div / try_div => |x, y| x / y;
    /// `a ^ b` with broadcasting.
    pow / try_pow => |x, y| x.powf(y);
    /// Elementwise maximum (NaN propagates).
    maximum / try_maximum => |x, y| if x.is_nan() || x >= y { x } else { y };
    /// Elementwise minimum (NaN propagates).
    minimum / try_minimum => |x, y| if x.is_nan() || x <= y { x } else { y };
    /// `1` where `a == b`, else `0`.
    eq_elem / try_eq_elem => |x, y| if x == y { num_traits::one() } else { num_traits::zero() };
    /// `1` where `a != b`, else `0`.
    ne_elem / try_ne_elem => |x, y| if x != y { num_traits::one() } else { num_traits::zero() };
    /// `1` where `a < b`, else `0`.
    lt / try_lt => |x, y| if x < y { num_traits::one() } else { num_traits::zero() };
    /// `1` where `a <= b`, else `0`.
    le / try_le => |x, y| if x <= y { num_traits::one() } else { num_traits::zero() };
    /// `1` where `a > b`, else `0`.
    gt / try_gt => |x, y| if x > y { num_traits::one() } else { num_traits::zero() };
    /// `1` where `a >= b`, else `0`.
    ge / try_ge => |x, y| if x >= y { num_traits::one() } else { num_traits::zero() };
}

impl Tensor {
    /// `cond ? a : b` elementwise, where `cond` is nonzero; the three shapes broadcast.
    ///
    /// # Panics
    /// If the shapes do not broadcast or `a` and `b` differ in element type.
    #[track_caller]
    pub fn where_cond(cond: &Tensor, a: &Tensor, b: &Tensor) -> Tensor {
        ok(Tensor::try_where_cond(cond, a, b))
    }

    /// Fallible [`Tensor::where_cond`].
    pub fn try_where_cond(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        let shape = broadcast_shapes("where", cond.shape(), a.shape())?;
        let shape = broadcast_shapes("where", &shape, b.shape())?;
        let c = cond.to_dtype(a.dtype());
        with_arrays!("where", a, b, |x, y| Ok(where_typed(&c, x, y, &shape)))
    }
    /// Adds `other * alpha` into `self` in place (`self += alpha * other`), broadcasting `other`.
    /// Shared storage is copied first (copy-on-write).
    ///
    /// # Panics
    /// If `other` does not broadcast to `self`'s shape or the element types differ.
    #[track_caller]
    pub fn add_assign_scaled(&mut self, other: &Tensor, alpha: f64) {
        ok(self.try_add_assign_scaled(other, alpha))
    }

    /// Fallible [`Tensor::add_assign_scaled`].
    pub fn try_add_assign_scaled(&mut self, other: &Tensor, alpha: f64) -> Result<()> {
        let shape = self.shape().to_vec();
        let full = broadcast_shapes("add_assign", &shape, other.shape())?;
        if full != shape {
            return Err(TensorError::shapes("add_assign", "cannot broadcast rhs into lhs", &shape, other.shape()));
        }
        match (&mut self.data, &other.data) {
            (Data::F32(a), Data::F32(b)) => add_assign_typed(a, b, alpha as f32),
            (Data::F64(a), Data::F64(b)) => add_assign_typed(a, b, alpha),
            _ => return Err(TensorError::DType { op: "add_assign", lhs: self.dtype(), rhs: other.dtype() }),
        }
        Ok(())
    }
}

fn where_typed<E: Element>(c: &Tensor, a: &ArcArray<E, IxDyn>, b: &ArcArray<E, IxDyn>, shape: &[usize]) -> Tensor {
    let c = E::array_of(c).expect("converted to the same type");
    let sh = IxDyn(shape);
    let (cv, av, bv) = (c.broadcast(sh.clone()).unwrap(), a.broadcast(sh.clone()).unwrap(), b.broadcast(sh).unwrap());
    Tensor::from_array(Zip::from(&cv).and(&av).and(&bv).map_collect(|&c, &x, &y| if c != E::zero() { x } else { y }))
}

fn add_assign_typed<E: Element>(a: &mut ArcArray<E, IxDyn>, b: &ArcArray<E, IxDyn>, alpha: E) {
    if a.shape() == b.shape()
        && let Some(y) = b.as_slice()
        && let Some(x) = a.as_slice_mut()
    {
        if alpha == E::one() {
            x.iter_mut().zip(y).for_each(|(x, &y)| *x += y);
        } else {
            x.iter_mut().zip(y).for_each(|(x, &y)| *x += alpha * y);
        }
        return;
    }
    let shape = a.raw_dim();
    let bv = b.broadcast(shape).expect("checked");
    Zip::from(&mut **a).and(&bv).for_each(|x, &y| *x += alpha * y);
}

macro_rules! std_binop {
    ($trait:ident, $method:ident, $fn:ident, $scalar_expr:expr) => {
        impl std::ops::$trait<&Tensor> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                self.$fn(rhs)
            }
        }
        impl std::ops::$trait<Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                (&self).$fn(&rhs)
            }
        }
        impl std::ops::$trait<&Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                (&self).$fn(rhs)
            }
        }
        impl std::ops::$trait<Tensor> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                self.$fn(&rhs)
            }
        }
        impl std::ops::$trait<f64> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: f64) -> Tensor {
                #[allow(clippy::redundant_closure_call)]
                ($scalar_expr)(self, rhs)
            }
        }
        impl std::ops::$trait<f64> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: f64) -> Tensor {
                #[allow(clippy::redundant_closure_call)]
                ($scalar_expr)(&self, rhs)
            }
        }
    };
}

std_binop!(Add, add, add, |t: &Tensor, s: f64| t.add_scalar(s));
std_binop!(Sub, sub, sub, |t: &Tensor, s: f64| t.add_scalar(-s));
std_binop!(Mul, mul, mul, |t: &Tensor, s: f64| t.mul_scalar(s));
std_binop!(Div, div, div, |t: &Tensor, s: f64| t.mul_scalar(1.0 / s));

impl std::ops::Neg for &Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(self)
    }
}

impl std::ops::Neg for Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(&self)
    }
}
