//! Constructors, accessors, conversions and the basic methods of `Tensor`.

use crate::common;

use common::{assert_close, t32, t64};
use kerosene_tensor::{DType, Tensor, ndarray, shape_len};
use ndarray::ShapeBuilder;

#[test]
fn zeros_ones_full() {
    let z = Tensor::zeros(&[2, 3]);
    assert_eq!((z.shape(), z.dtype(), z.len()), (&[2usize, 3][..], DType::F32, 6));
    assert_eq!(z.to_vec::<f32>(), vec![0.0; 6]);
    assert_eq!(Tensor::ones(&[3]).to_vec::<f32>(), vec![1.0; 3]);
    assert_eq!(Tensor::full(&[2, 1], 2.5).to_vec::<f32>(), vec![2.5, 2.5]);
    let f = Tensor::full_dtype(&[2], -1.5, DType::F64);
    assert_eq!((f.dtype(), f.to_vec::<f64>()), (DType::F64, vec![-1.5, -1.5]));
    let z = Tensor::zeros_dtype(&[1, 2], DType::F64);
    assert_eq!((z.dtype(), z.to_vec::<f64>()), (DType::F64, vec![0.0, 0.0]));
}

#[test]
fn like_constructors_keep_shape_and_dtype() {
    let x = t64(&[1.0, 2.0, 3.0], &[3, 1]);
    for (t, v) in [(x.zeros_like(), 0.0), (x.ones_like(), 1.0), (x.full_like(7.0), 7.0)] {
        assert_eq!((t.shape(), t.dtype()), (&[3usize, 1][..], DType::F64));
        assert_eq!(t.to_vec::<f64>(), vec![v; 3]);
    }
    let y = t32(&[1.0], &[1]);
    assert_eq!(y.full_like(3.0).dtype(), DType::F32);
}

#[test]
fn scalars_are_zero_dimensional() {
    let s = Tensor::scalar(4.0);
    assert_eq!((s.shape(), s.ndim(), s.len(), s.dtype()), (&[][..], 0, 1, DType::F32));
    assert_eq!(s.item(), 4.0);
    assert_eq!(s.at(&[]), 4.0);
    let d = Tensor::scalar_dtype(0.1, DType::F64);
    assert_eq!((d.dtype(), d.item()), (DType::F64, 0.1));
}

#[test]
fn from_vec_and_from_slice() {
    let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert_eq!(t.shape(), &[2, 3]);
    assert_eq!(t.at(&[1, 0]), 4.0);
    assert_eq!(t.at(&[0, 2]), 3.0);
    let d = Tensor::from_vec(vec![0.5f64, 0.25], &[2]);
    assert_eq!(d.dtype(), DType::F64);
    let s = Tensor::from_slice(&[1.0f64, 2.0, 3.0]);
    assert_eq!((s.shape(), s.dtype()), (&[3usize][..], DType::F64));
    // Size-0 and 0-d shapes.
    let e = Tensor::from_vec(Vec::<f32>::new(), &[0, 3]);
    assert_eq!((e.shape(), e.len(), e.is_empty()), (&[0usize, 3][..], 0, true));
    assert_eq!(Tensor::from_vec(vec![9.0f32], &[]).item(), 9.0);
    assert!(Tensor::try_from_vec(vec![1.0f32; 6], &[2, 3]).is_ok());
}

#[test]
fn arange_and_linspace() {
    assert_eq!(Tensor::arange(0.0, 5.0, 1.0).to_vec::<f32>(), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    assert_eq!(Tensor::arange(1.0, 2.0, 0.25).to_vec::<f32>(), vec![1.0, 1.25, 1.5, 1.75]);
    assert_eq!(Tensor::arange(5.0, 0.0, -2.0).to_vec::<f32>(), vec![5.0, 3.0, 1.0]);
    // The end is excluded even when it is not a whole number of steps away.
    assert_eq!(Tensor::arange(0.0, 2.5, 1.0).to_vec::<f32>(), vec![0.0, 1.0, 2.0]);
    let e = Tensor::arange(3.0, 0.0, 1.0);
    assert_eq!((e.shape(), e.dtype()), (&[0usize][..], DType::F32));

    assert_eq!(Tensor::linspace(0.0, 1.0, 5).to_vec::<f32>(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(Tensor::linspace(2.0, -2.0, 3).to_vec::<f32>(), vec![2.0, 0.0, -2.0]);
    assert_eq!(Tensor::linspace(3.0, 9.0, 1).to_vec::<f32>(), vec![3.0]);
    assert_eq!(Tensor::linspace(3.0, 9.0, 0).shape(), &[0]);
}

#[test]
fn eye_and_from_fn() {
    assert_eq!(Tensor::eye(3).to_vec::<f32>(), vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    assert_eq!(Tensor::eye(1).to_vec::<f32>(), vec![1.0]);
    assert_eq!(Tensor::eye(0).shape(), &[0, 0]);
    let f = Tensor::from_fn(&[2, 3], |ix| (10 * ix[0] + ix[1]) as f64);
    assert_eq!(f.to_vec::<f32>(), vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
    assert_eq!(f.dtype(), DType::F32);
}

#[test]
fn from_ndarray_without_copy() {
    let a = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[2, 2]), vec![1.0f64, 2.0, 3.0, 4.0]).unwrap();
    let ptr = a.as_ptr();
    let t = Tensor::from_array(a.clone());
    assert_eq!(t.dtype(), DType::F64);
    assert_eq!(t.to_vec::<f64>(), vec![1.0, 2.0, 3.0, 4.0]);
    let t2: Tensor = a.into();
    assert_eq!(t2.view::<f64>().as_ptr(), ptr);
    let shared = ndarray::ArcArray::from_shape_vec(ndarray::IxDyn(&[3]), vec![1.0f32, 2.0, 3.0]).unwrap();
    let t3 = Tensor::from_shared(shared.clone());
    assert_eq!(t3.view::<f32>().as_ptr(), shared.as_ptr());
    // A Fortran-order array is accepted as is: its values read back in logical (row-major) order.
    let f = ndarray::Array2::from_shape_vec((2, 3).f(), vec![1.0f32, 4.0, 2.0, 5.0, 3.0, 6.0]).unwrap();
    let tf = Tensor::from_array(f.into_dyn());
    assert!(!tf.is_contiguous());
    assert_eq!(tf.to_vec::<f32>(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
}

#[test]
fn typed_access() {
    let mut t = t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    assert!(t.array::<f32>().is_some());
    assert!(t.array::<f64>().is_none());
    assert_eq!(t.as_slice::<f32>(), Some(&[1.0f32, 2.0, 3.0, 4.0][..]));
    assert_eq!(t.as_slice::<f64>(), None);
    assert_eq!(t.t().as_slice::<f32>(), None, "a transposed view is not contiguous");
    assert_eq!(t.view::<f32>()[[1, 0]], 3.0);

    // Copy-on-write: writing through one clone leaves the other unchanged.
    let before = t.clone();
    t.as_slice_mut::<f32>().unwrap()[0] = 10.0;
    assert_eq!(t.to_vec::<f32>(), vec![10.0, 2.0, 3.0, 4.0]);
    assert_eq!(before.to_vec::<f32>(), vec![1.0, 2.0, 3.0, 4.0]);
    t.array_mut::<f32>().unwrap()[[1, 1]] = -4.0;
    assert_eq!(t.at(&[1, 1]), -4.0);
    assert_eq!(before.at(&[1, 1]), 4.0);
    assert!(t.array_mut::<f64>().is_none());
    assert!(t.as_slice_mut::<f64>().is_none());
}

#[test]
fn contiguous_and_into_unique() {
    let t = t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert!(t.is_contiguous());
    assert!(t.contiguous().same_storage(&t), "already contiguous: no copy");
    let tt = t.t();
    assert!(!tt.is_contiguous());
    assert_eq!(tt.strides(), &[1, 3]);
    let c = tt.contiguous();
    assert!(c.is_contiguous());
    assert_eq!(c.strides(), &[2, 1]);
    assert_eq!(c.to_vec::<f32>(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);

    let mut u = t.clone().into_unique();
    assert_ne!(u.view::<f32>().as_ptr(), t.view::<f32>().as_ptr(), "shared storage is copied");
    let p = u.view::<f32>().as_ptr();
    u.as_slice_mut::<f32>().unwrap()[0] = 0.0;
    assert_eq!(u.view::<f32>().as_ptr(), p, "a unique tensor is written in place");
    assert_eq!(t.at(&[0, 0]), 1.0);
    assert_eq!(tt.into_unique().to_vec::<f32>(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
}

#[test]
fn same_storage_follows_views() {
    let t = t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    assert!(t.same_storage(&t.clone()));
    assert!(!t.same_storage(&t.t()), "same pointer, different strides");
    assert!(!t.same_storage(&t.to_f64()));
    assert!(!t.same_storage(&t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2])));
}

#[test]
fn shape_queries() {
    let t = Tensor::zeros(&[2, 3, 4]);
    assert_eq!((t.ndim(), t.len(), t.dim(0), t.dim(-1), t.dim(-3)), (3, 24, 2, 4, 2));
    assert_eq!(t.strides(), &[12, 4, 1]);
    assert!(!t.is_empty());
    assert_eq!(shape_len(&[2, 3, 4]), 24);
    assert_eq!(shape_len(&[]), 1);
    assert_eq!(shape_len(&[3, 0]), 0);
}

#[test]
fn conversions_between_dtypes() {
    let t = t32(&[0.5, -1.25, 3.0], &[3]);
    let d = t.to_f64();
    assert_eq!((d.dtype(), d.to_vec::<f64>()), (DType::F64, vec![0.5, -1.25, 3.0]));
    assert!(t.to_f32().same_storage(&t), "same dtype: no copy");
    assert_eq!(d.to_f32(), t);
    assert_eq!(t.to_dtype(DType::F64), d);
    let x = t64(&[0.1], &[1]);
    assert_eq!(x.to_f32().to_vec::<f32>(), vec![0.1f32]);
    assert_eq!(x.cast_like(&t).dtype(), DType::F32);
    assert_eq!(t.cast_like(&x).dtype(), DType::F64);
    // to_vec converts to the requested element type; to_vec_f64 widens.
    assert_eq!(t.to_vec::<f64>(), vec![0.5, -1.25, 3.0]);
    assert_eq!(d.to_vec::<f32>(), vec![0.5f32, -1.25, 3.0]);
    assert_eq!(t.to_vec_f64(), vec![0.5, -1.25, 3.0]);
    // Non-contiguous conversion keeps the logical order.
    let m = t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2]).t().to_f64();
    assert_eq!(m.to_vec::<f64>(), vec![1.0, 3.0, 2.0, 4.0]);
}

#[test]
fn item_and_at() {
    assert_eq!(t64(&[2.5], &[1, 1]).item(), 2.5);
    assert!(t32(&[1.0, 2.0], &[2]).try_item().is_err());
    assert_eq!(Tensor::scalar(-3.0).try_item(), Ok(-3.0));
    let t = t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert_eq!(t.t().at(&[2, 1]), 6.0);
    assert_eq!(t.slice(1, 0, 3, 2).at(&[1, 1]), 6.0);
}

#[test]
fn comparisons_and_closeness() {
    let a = t32(&[1.0, 2.0, 3.0], &[3]);
    let b = t32(&[1.0, 2.0, 3.001], &[3]);
    assert!(a.allclose(&b, 0.0, 2e-3));
    assert!(!a.allclose(&b, 0.0, 1e-4));
    assert!(a.allclose(&b, 1e-3, 0.0), "relative tolerance to |b|");
    assert!(!a.allclose(&a.reshape(&[1, 3]), 1.0, 1.0), "shapes differ");
    assert!(!t32(&[f32::NAN], &[1]).allclose(&t32(&[f32::NAN], &[1]), 1.0, 1.0), "NaN never matches");
    assert_close(&[a.max_abs_diff(&b)], &[0.001], 1e-4);
    assert_eq!(a.max_abs_diff(&a), 0.0);
    assert_eq!(a.max_abs_diff(&a.reshape(&[3, 1])), f64::INFINITY);
    assert_eq!(a.max_abs_diff(&t32(&[1.0, f32::NAN, 3.0], &[3])), f64::INFINITY);
    // allclose and max_abs_diff mix dtypes.
    assert!(a.allclose(&a.to_f64(), 0.0, 0.0));

    assert!(a.all_finite());
    assert!(!t32(&[1.0, f32::INFINITY], &[2]).all_finite());
    assert!(!t64(&[f64::NAN], &[1]).all_finite());
    assert!(Tensor::zeros(&[0]).all_finite());
}

#[test]
fn equality() {
    let a = t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    assert_eq!(a, a.clone());
    assert_eq!(a.t().t(), a);
    assert_eq!(a.t(), a.t().contiguous(), "equality is by value, not layout");
    assert_ne!(a, a.to_f64(), "element types differ");
    assert_ne!(a, a.reshape(&[4]), "shapes differ");
    assert_ne!(t32(&[f32::NAN], &[1]), t32(&[f32::NAN], &[1]));
}

#[test]
fn debug_and_display() {
    let a = t32(&[1.0, 2.0], &[2]);
    let dbg = format!("{a:?}");
    assert!(dbg.starts_with("Tensor(f32, shape=[2], "), "{dbg}");
    assert!(dbg.contains("1.0000") && dbg.ends_with(')'), "{dbg}");
    assert_eq!(format!("{}", t64(&[1.5, 2.0], &[2])), "[1.5, 2]");
    assert_eq!(DType::F32.to_string(), "f32");
    assert_eq!(DType::F64.to_string(), "f64");
    assert_eq!((DType::F32.size_of(), DType::F64.size_of()), (4, 8));
}

#[test]
fn element_trait() {
    use kerosene_tensor::Element;
    assert_eq!((<f32 as Element>::DTYPE, <f64 as Element>::DTYPE), (DType::F32, DType::F64));
    assert_eq!(<f32 as Element>::of(0.1), 0.1f32);
    assert_eq!(Element::f64(0.25f32), 0.25);
    let a = ndarray::ArcArray::from_shape_vec(ndarray::IxDyn(&[2]), vec![1.0f64, 2.0]).unwrap();
    let mut t = f64::wrap(a);
    assert_eq!(t.to_vec::<f64>(), vec![1.0, 2.0]);
    assert!(f64::array_of(&t).is_some() && f32::array_of(&t).is_none());
    f64::array_of_mut(&mut t).unwrap()[[0]] = 5.0;
    assert_eq!(t.at(&[0]), 5.0);
    assert!(f32::array_of_mut(&mut t).is_none());
}
