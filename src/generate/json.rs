//! Building JSON values by hand: the [`IntoJson`] conversion and the `obj!` / `arr!` macros every
//! catalogue uses to write findings. Declared first in `generate/mod.rs` so the macros are in scope in
//! the modules after it; they name their paths in full, so callers need no imports for them.

use serde_json::{Map, Value};

/// Conversion into a JSON value without going through serde (the generator is allocation-bound).
pub(super) trait IntoJson {
    fn j(self) -> Value;
}

impl IntoJson for Value {
    fn j(self) -> Value {
        self
    }
}
impl IntoJson for &str {
    fn j(self) -> Value {
        Value::String(self.to_string())
    }
}
impl IntoJson for &&str {
    fn j(self) -> Value {
        Value::String((*self).to_string())
    }
}
impl IntoJson for String {
    fn j(self) -> Value {
        Value::String(self)
    }
}
impl IntoJson for &String {
    fn j(self) -> Value {
        Value::String(self.clone())
    }
}
impl IntoJson for bool {
    fn j(self) -> Value {
        Value::Bool(self)
    }
}
impl IntoJson for f64 {
    fn j(self) -> Value {
        Value::from(self)
    }
}
impl IntoJson for Vec<Value> {
    fn j(self) -> Value {
        Value::Array(self)
    }
}
impl IntoJson for Map<String, Value> {
    fn j(self) -> Value {
        Value::Object(self)
    }
}
macro_rules! int_into_json {
    ($($t:ty),*) => {$(
        impl IntoJson for $t {
            fn j(self) -> Value {
                Value::from(self)
            }
        }
        impl IntoJson for &$t {
            fn j(self) -> Value {
                Value::from(*self)
            }
        }
    )*};
}
int_into_json!(i32, i64, u8, u16, u32, u64);

/// A JSON object with its capacity known up front: `obj! { "Key" => value, ... }`.
macro_rules! obj {
    ($($k:literal => $v:expr),* $(,)?) => {{
        let mut m = ::serde_json::Map::with_capacity(0 $(+ { let _ = $k; 1 })*);
        $( m.insert(String::from($k), $crate::generate::json::IntoJson::j($v)); )*
        ::serde_json::Value::Object(m)
    }};
}

/// A JSON array: `arr![a, b, ...]`.
macro_rules! arr {
    ($($v:expr),* $(,)?) => {
        ::serde_json::Value::Array(vec![$($crate::generate::json::IntoJson::j($v)),*])
    };
}
