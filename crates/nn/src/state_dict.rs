//! [`StateDict`]: a module's named tensors (parameters and buffers), the unit of checkpoints.

use serde::{Deserialize, Serialize};

use kerosene_tensor::Tensor;

/// Named tensors in a stable order, keyed by dotted paths such as `fc1.weight` or
/// `dense_1.kernel` (PyTorch's and Keras' checkpoint keys).
///
/// ```
/// use kerosene_nn::StateDict;
/// use kerosene_tensor::Tensor;
/// let mut sd = StateDict::new();
/// sd.insert("fc1.weight", Tensor::zeros(&[4, 2]));
/// assert_eq!(sd.get("fc1.weight").unwrap().shape(), &[4, 2]);
/// assert_eq!(sd.names(), vec!["fc1.weight"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StateDict {
    entries: Vec<(String, Tensor)>,
}

impl StateDict {
    /// An empty state dict.
    pub fn new() -> StateDict {
        StateDict::default()
    }

    /// Adds or replaces an entry.
    pub fn insert(&mut self, name: impl Into<String>, t: Tensor) {
        let name = name.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(e) => e.1 = t,
            None => self.entries.push((name, t)),
        }
    }

    /// The tensor named `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// The names, in insertion order.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Iterates over `(name, tensor)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.entries.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries whose names start with `prefix.`, with the prefix removed.
    pub fn sub(&self, prefix: &str) -> StateDict {
        let p = format!("{prefix}.");
        StateDict {
            entries: self
                .entries
                .iter()
                .filter_map(|(n, t)| n.strip_prefix(&p).map(|rest| (rest.to_string(), t.clone())))
                .collect(),
        }
    }
}

impl FromIterator<(String, Tensor)> for StateDict {
    fn from_iter<I: IntoIterator<Item = (String, Tensor)>>(iter: I) -> StateDict {
        let mut sd = StateDict::new();
        for (n, t) in iter {
            sd.insert(n, t);
        }
        sd
    }
}

impl IntoIterator for StateDict {
    type Item = (String, Tensor);
    type IntoIter = std::vec::IntoIter<(String, Tensor)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}
