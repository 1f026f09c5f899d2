//! Serde through bincode 2: round trips of tensors (f32, f64, 0-d, size-0, strided, special
//! values), DType and Padding; corrupted shapes, lengths and bytes fail with an error, never a panic.

use bincode::config::standard;
use bincode::serde::{decode_from_slice, encode_to_vec};
use kerosene_tensor::{DType, Padding, Rng, Tensor};
use serde::Serialize;

fn round_trip(t: &Tensor) -> Tensor {
    let bytes = encode_to_vec(t, standard()).unwrap();
    let (back, used): (Tensor, usize) = decode_from_slice(&bytes, standard()).unwrap();
    assert_eq!(used, bytes.len());
    back
}

/// Decodes without letting a panic escape: `Ok(Err(..))` is the wanted outcome for bad input.
fn try_decode(bytes: &[u8]) -> std::thread::Result<Result<Tensor, String>> {
    std::panic::catch_unwind(|| {
        decode_from_slice::<Tensor, _>(bytes, standard()).map(|(t, _)| t).map_err(|e| e.to_string())
    })
}

/// The same layout as the tensor's serialized form, with any shape and values.
#[derive(Serialize)]
enum FakeValues {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

#[derive(Serialize)]
struct FakeRepr {
    shape: Vec<usize>,
    values: FakeValues,
}

fn fake(shape: &[usize], values: FakeValues) -> Vec<u8> {
    encode_to_vec(FakeRepr { shape: shape.to_vec(), values }, standard()).unwrap()
}

#[test]
fn round_trips() {
    let mut rng = Rng::new(1);
    let cases = [
        Tensor::randn(&[3, 4], &mut rng),
        Tensor::randn(&[2, 3, 2], &mut rng).to_f64(),
        Tensor::scalar(2.5),
        Tensor::scalar_dtype(-0.1, DType::F64),
        Tensor::zeros(&[0, 3]),
        Tensor::zeros_dtype(&[2, 0, 1], DType::F64),
        Tensor::ones(&[1]),
    ];
    for t in &cases {
        let back = round_trip(t);
        assert_eq!((back.dtype(), back.shape()), (t.dtype(), t.shape()));
        assert_eq!(&back, t);
    }
}

#[test]
fn strided_tensors_round_trip_in_logical_order() {
    let t = Tensor::arange(0.0, 12.0, 1.0).reshape(&[3, 4]);
    for v in [t.t(), t.slice(1, 0, 4, 3), t.reshape(&[2, 3, 2]).permute(&[2, 0, 1])] {
        let back = round_trip(&v);
        assert!(back.is_contiguous());
        assert_eq!(back, v);
        // Same bytes as the contiguous copy.
        assert_eq!(encode_to_vec(&v, standard()).unwrap(), encode_to_vec(v.contiguous(), standard()).unwrap());
    }
}

#[test]
fn special_values_survive() {
    let t = Tensor::from_vec(vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, f32::MIN_POSITIVE], &[5]);
    let back = round_trip(&t);
    let (a, b) = (t.to_vec::<f32>(), back.to_vec::<f32>());
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()), "{a:?} vs {b:?}");
    let d = Tensor::from_vec(vec![1e-300f64, 0.1, f64::MAX], &[3]);
    assert_eq!(round_trip(&d).to_vec::<f64>(), vec![1e-300, 0.1, f64::MAX]);
}

#[test]
fn fake_repr_matches_the_format() {
    // The hand-made form of a valid tensor decodes to that tensor (so the corrupt cases below
    // really exercise the checks, not a format mismatch).
    let bytes = fake(&[2, 2], FakeValues::F32(vec![1.0, 2.0, 3.0, 4.0]));
    let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
    assert_eq!(bytes, encode_to_vec(&t, standard()).unwrap());
    assert_eq!(try_decode(&bytes).unwrap().unwrap(), t);
    let bytes = fake(&[], FakeValues::F64(vec![7.0]));
    assert_eq!(try_decode(&bytes).unwrap().unwrap(), Tensor::scalar_dtype(7.0, DType::F64));
}

#[test]
fn corrupted_shape_or_length_is_an_error() {
    let cases: Vec<(Vec<usize>, FakeValues)> = vec![
        // Length does not fill the shape.
        (vec![2, 3], FakeValues::F32(vec![1.0; 5])),
        (vec![2, 3], FakeValues::F64(vec![1.0; 7])),
        (vec![], FakeValues::F32(vec![])),
        (vec![0, 3], FakeValues::F32(vec![1.0])),
        // Shapes whose element count overflows.
        (vec![usize::MAX, 2], FakeValues::F32(vec![])),
        (vec![1 << 40, 1 << 40], FakeValues::F64(vec![1.0; 4])),
        // Zero elements, but the other axes are too large for any array.
        (vec![0, usize::MAX, usize::MAX], FakeValues::F32(vec![])),
        (vec![usize::MAX, 0], FakeValues::F64(vec![])),
    ];
    for (shape, values) in cases {
        let bytes = fake(&shape, values);
        match try_decode(&bytes) {
            Ok(Err(msg)) => assert!(msg.contains("from_vec"), "shape {shape:?}: {msg}"),
            Ok(Ok(t)) => panic!("shape {shape:?} decoded to {t:?}"),
            Err(_) => panic!("shape {shape:?}: decoding panicked"),
        }
    }
    let msg = try_decode(&fake(&[2, 3], FakeValues::F32(vec![1.0; 5]))).unwrap().unwrap_err();
    assert!(msg.contains("from_vec: 5 values cannot fill shape [2, 3] (6 elements)"), "{msg}");
    let msg = try_decode(&fake(&[usize::MAX, 2], FakeValues::F32(vec![]))).unwrap().unwrap_err();
    assert!(msg.contains("from_vec: shape [18446744073709551615, 2] is too large for an array"), "{msg}");
}

#[test]
fn corrupted_bytes_are_an_error() {
    let t = Tensor::arange(0.0, 6.0, 1.0).reshape(&[2, 3]);
    let bytes = encode_to_vec(&t, standard()).unwrap();
    // Every truncation fails cleanly.
    for n in 0..bytes.len() {
        assert!(matches!(try_decode(&bytes[..n]), Ok(Err(_))), "truncated to {n} bytes");
    }
    // An unknown element-type tag: the tag follows the shape (length 2, then 2 and 3).
    let mut bad = bytes.clone();
    assert_eq!(&bad[..4], &[2, 2, 3, 0]);
    bad[3] = 9;
    assert!(matches!(try_decode(&bad), Ok(Err(_))));
    // A values length claiming far more elements than present.
    let mut bad = bytes.clone();
    bad[4] = 250;
    assert!(matches!(try_decode(&bad), Ok(Err(_))));
    // Every single-byte corruption either decodes to some tensor or fails, never panics.
    for i in 0..bytes.len() {
        for v in [0u8, 1, 0x7f, 0xfb, 0xfc, 0xfd, 0xff] {
            let mut b = bytes.clone();
            b[i] = v;
            assert!(try_decode(&b).is_ok(), "byte {i} set to {v} panicked");
        }
    }
}

#[test]
fn dtype_and_padding_round_trip() {
    for d in [DType::F32, DType::F64] {
        let bytes = encode_to_vec(d, standard()).unwrap();
        assert_eq!(decode_from_slice::<DType, _>(&bytes, standard()).unwrap().0, d);
    }
    for p in [Padding::Valid, Padding::Same, Padding::Explicit(1, 2, 3, 4)] {
        let bytes = encode_to_vec(p, standard()).unwrap();
        assert_eq!(decode_from_slice::<Padding, _>(&bytes, standard()).unwrap().0, p);
    }
}
