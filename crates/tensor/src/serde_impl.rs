//! Serde support: a tensor serializes as its element type, shape and row-major values, and
//! deserializing checks that the values fill the shape.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{DType, Tensor};

#[derive(Serialize, Deserialize)]
enum Values {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

#[derive(Serialize, Deserialize)]
struct Repr {
    shape: Vec<usize>,
    values: Values,
}

impl Serialize for Tensor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let values = match self.dtype() {
            DType::F32 => Values::F32(self.to_vec()),
            DType::F64 => Values::F64(self.to_vec()),
        };
        Repr { shape: self.shape().to_vec(), values }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Tensor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tensor, D::Error> {
        let r = Repr::deserialize(d)?;
        let t = match r.values {
            Values::F32(v) => Tensor::try_from_vec(v, &r.shape),
            Values::F64(v) => Tensor::try_from_vec(v, &r.shape),
        };
        t.map_err(serde::de::Error::custom)
    }
}
