//! Recycled large buffers for the convolution and pooling kernels.
//!
//! A training step allocates the same big temporaries every time: im2col matrices (kept from the
//! forward to the backward), `dZ`, argmax indices, per-task scratch blocks. Fresh allocations of
//! that size come from the operating system as untouched pages, and the page faults of first
//! touch cost more than the arithmetic on small networks. [`Buf`] takes a buffer from a small
//! per-type pool and gives it back when dropped, so a loop of steps reuses warm memory.
//!
//! The pool holds at most [`MAX_KEPT`] buffers and [`MAX_BYTES`] per element type; buffers under
//! [`MIN_LEN`] elements are not pooled.

use std::mem::MaybeUninit;
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

use kerosene_tensor::Element;

/// Buffers shorter than this are plain allocations.
const MIN_LEN: usize = 1 << 14;
/// Buffers kept per element type.
const MAX_KEPT: usize = 8;
/// Bytes kept per element type.
const MAX_BYTES: usize = 256 << 20;

/// An element type with a pool.
pub(crate) trait Recycle: Copy + Default + Send + Sync + 'static {
    fn pool() -> &'static Mutex<Vec<Vec<Self>>>;
}

macro_rules! recycle {
    ($($t:ty),*) => {$(
        impl Recycle for $t {
            fn pool() -> &'static Mutex<Vec<Vec<$t>>> {
                static POOL: Mutex<Vec<Vec<$t>>> = Mutex::new(Vec::new());
                &POOL
            }
        }
    )*};
}
recycle!(f32, f64, u32);

fn lock<T: Recycle>() -> std::sync::MutexGuard<'static, Vec<Vec<T>>> {
    T::pool().lock().unwrap_or_else(|e| e.into_inner())
}

/// A buffer that returns to its pool when dropped.
pub(crate) struct Buf<T: Recycle>(Vec<T>);

impl<T: Recycle> Buf<T> {
    /// `len` elements with unspecified (stale but initialized) contents: for buffers the caller
    /// overwrites entirely.
    pub(crate) fn dirty(len: usize) -> Buf<T> {
        if len < MIN_LEN {
            return Buf(vec![T::default(); len]);
        }
        let reused = {
            let mut pool = lock::<T>();
            // The smallest buffer that fits, and not one so large that it is wasted here.
            let best = pool
                .iter()
                .enumerate()
                .filter(|(_, v)| v.capacity() >= len && v.capacity() <= 4 * len)
                .min_by_key(|(_, v)| v.capacity())
                .map(|(i, _)| i);
            best.map(|i| pool.swap_remove(i))
        };
        match reused {
            Some(mut v) => {
                if v.len() >= len {
                    v.truncate(len);
                } else {
                    v.resize(len, T::default());
                }
                Buf(v)
            }
            None => Buf(vec![T::default(); len]),
        }
    }
}

impl<T: Recycle> Drop for Buf<T> {
    fn drop(&mut self) {
        let v = std::mem::take(&mut self.0);
        if v.capacity() < MIN_LEN {
            return;
        }
        let mut pool = lock::<T>();
        let bytes: usize = pool.iter().map(|b| b.capacity()).sum::<usize>() * size_of::<T>();
        if pool.len() < MAX_KEPT && bytes + v.capacity() * size_of::<T>() <= MAX_BYTES {
            pool.push(v);
        }
    }
}

/// Zero-fills an uninitialized block and returns it initialized. Gradients that are accumulated
/// into (col2im, unpooling) are zeroed this way one task's block at a time, right before use and
/// while it is in cache, instead of by one pass over the whole fresh buffer.
pub(crate) fn zero_init<E: Element>(d: &mut [MaybeUninit<E>]) -> &mut [E] {
    d.fill(MaybeUninit::new(E::zero()));
    // SAFETY: every element was initialized on the line above.
    unsafe { std::slice::from_raw_parts_mut(d.as_mut_ptr().cast::<E>(), d.len()) }
}

impl<T: Recycle> Deref for Buf<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: Recycle> DerefMut for Buf<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Buf;

    #[test]
    fn buffers_are_reused_and_resized() {
        let n = 1 << 16;
        let mut a = Buf::<u32>::dirty(n);
        a.fill(7);
        drop(a);
        // Whatever the pool returns (other tests run in parallel) has the asked length.
        assert_eq!(Buf::<u32>::dirty(n - 5).len(), n - 5);
        assert_eq!(Buf::<u32>::dirty(n + 3).len(), n + 3);
        let small = Buf::<f32>::dirty(10);
        assert_eq!(small.len(), 10);
    }
}
