//! The two 2-D pooling layers, [`MaxPooling2D`](crate::MaxPooling2D) and
//! [`AveragePooling2D`](crate::AveragePooling2D), which differ only in their op: one definition
//! of the layer, instantiated by `pooling2d_layer!` in each layer's module (with its own docs).

/// Defines a channels-last 2-D pooling layer `$ty` (pool size, strides defaulting to it,
/// padding, name) whose forward is `Var::$op` and whose spec is `LayerSpec::$ty`.
macro_rules! pooling2d_layer {
    ($(#[$attr:meta])* $ty:ident, name: $default_name:literal, op: $op:ident) => {
        $(#[$attr])*
        #[derive(Debug, Clone)]
        pub struct $ty {
            pool_size: (usize, usize),
            strides: Option<(usize, usize)>,
            padding: Padding,
            name: String,
        }

        impl $ty {
            /// Pooling over `pool_size` windows, strides = `pool_size`, `"valid"` padding.
            ///
            /// # Panics
            /// If a pool size is 0.
            #[track_caller]
            pub fn new(pool_size: (usize, usize)) -> $ty {
                assert!(pool_size.0 > 0 && pool_size.1 > 0, "{}: pool_size must be positive, got {pool_size:?}", stringify!($ty));
                $ty { pool_size, strides: None, padding: Padding::Valid, name: $default_name.into() }
            }

            /// Sets the strides (default: the pool size).
            ///
            /// # Panics
            /// If a stride is 0.
            #[track_caller]
            pub fn strides(mut self, s: (usize, usize)) -> $ty {
                assert!(s.0 > 0 && s.1 > 0, "{}: strides must be positive, got {s:?}", stringify!($ty));
                self.strides = Some(s);
                self
            }

            /// Sets the padding.
            pub fn padding(mut self, p: Padding) -> $ty {
                self.padding = p;
                self
            }

            /// Sets the name.
            pub fn name(mut self, name: &str) -> $ty {
                self.name = name.to_string();
                self
            }

            /// The strides in use.
            pub fn stride(&self) -> (usize, usize) {
                self.strides.unwrap_or(self.pool_size)
            }
        }

        impl Module for $ty {
            fn forward(&self, x: &Var) -> Var {
                if x.ndim() == 4
                    && let Err(e) = self.output_shape(&x.shape()[1..])
                {
                    panic!("{e}");
                }
                x.$op(self.pool_size, self.stride(), self.padding)
            }
            fn visit(&self, _v: &mut Visitor<'_>) {}
        }

        impl Layer for $ty {
            fn name(&self) -> &str {
                &self.name
            }
            fn set_name(&mut self, name: &str) {
                self.name = name.to_string();
            }
            fn kind(&self) -> &'static str {
                stringify!($ty)
            }
            fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
                self.output_shape(input_shape)
            }
            fn is_built(&self) -> bool {
                true
            }
            fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
                expect_rank(&self.name, input_shape, 3, false)?;
                let (oh, ow) =
                    spatial_out(&self.name, "pool", input_shape, self.pool_size, self.stride(), (1, 1), self.padding)?;
                Ok(vec![oh, ow, input_shape[2]])
            }
            fn spec(&self) -> Option<LayerSpec> {
                Some(LayerSpec::$ty { pool_size: self.pool_size, strides: self.strides, padding: self.padding })
            }
        }
    };
}

pub(crate) use pooling2d_layer;
