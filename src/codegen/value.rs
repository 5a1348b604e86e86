//! The JSON values codegen builds its templates from.
//!
//! `serde_json::Value` costs a template more than writing it does: its
//! objects hash every key (SipHash, to keep insertion order in an
//! `IndexMap`), and its `json!` serializes every value it interpolates into a
//! deep copy. Here an object is a list of members in insertion order (a
//! resource's objects are small: a linear lookup beats hashing), a literal
//! key or string is borrowed instead of allocated, and [`json!`] moves what
//! it interpolates. [`super::json::Pretty`] writes it.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use super::json::Size;

/// A key or a string: borrowed when it is a literal, owned otherwise.
pub type Text = Cow<'static, str>;

#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Text),
    Array(Vec<Value>),
    Object(Object),
    /// A value built once and written in many places (an environment's
    /// tags, on each of its resources): a clone copies a pointer. It reads
    /// and writes as the value it holds.
    Shared(Arc<SharedValue>),
}

/// The value of a [`Value::Shared`], with its rendered [`Size`] once it has
/// been measured: measured once, however many places it is written in.
#[derive(Debug, Default)]
pub struct SharedValue {
    value: Value,
    size: OnceLock<Size>,
}

impl SharedValue {
    /// Its size, measured with `measure` the first time only.
    pub fn size(&self, measure: impl FnOnce(&Value) -> Size) -> Size {
        *self.size.get_or_init(|| measure(&self.value))
    }
}

/// A copy is made to be changed: it measures itself again.
impl Clone for SharedValue {
    fn clone(&self) -> SharedValue {
        SharedValue {
            value: self.value.clone(),
            size: OnceLock::new(),
        }
    }
}

impl std::ops::Deref for SharedValue {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.value
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self.resolved(), other.resolved()) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

/// An integer: codegen writes no other number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Number {
    Signed(i64),
    Unsigned(u64),
}

impl Number {
    /// Its decimal digits, as `serde_json` writes them, into `buffer`.
    pub fn digits(self, buffer: &mut [u8; 20]) -> &str {
        let (negative, mut magnitude) = match self {
            Number::Signed(n) => (n < 0, n.unsigned_abs()),
            Number::Unsigned(n) => (false, n),
        };
        let mut start = buffer.len();
        loop {
            start -= 1;
            buffer[start] = b'0' + (magnitude % 10) as u8;
            magnitude /= 10;
            if magnitude == 0 {
                break;
            }
        }
        if negative {
            start -= 1;
            buffer[start] = b'-';
        }
        // Only ASCII digits and `-` were written.
        std::str::from_utf8(&buffer[start..]).unwrap_or_default()
    }
}

/// An object's members, in the order they were first inserted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object(Vec<(Text, Value)>);

impl Object {
    pub fn new() -> Object {
        Object(Vec::new())
    }

    /// The members of a [`json!`] object: its keys are distinct, as the
    /// keys written in one literal are (a key written twice is a bug, which
    /// a debug build reports).
    pub fn from_distinct(members: Vec<(Text, Value)>) -> Object {
        debug_assert!(
            members
                .iter()
                .enumerate()
                .all(|(i, (key, _))| members[..i].iter().all(|(k, _)| k != key)),
            "a key written twice in one json! object"
        );
        Object(members)
    }

    /// Sets `key` to `value`: a key already there keeps its place and gets
    /// the new value, which is what `serde_json`'s ordered map does.
    pub fn insert(&mut self, key: impl Into<Text>, value: Value) {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The member `key`, added as `null` when missing.
    fn get_or_null(&mut self, key: &'static str) -> &mut Value {
        let index = match self.0.iter().position(|(k, _)| k == key) {
            Some(index) => index,
            None => {
                self.0.push((Cow::Borrowed(key), Value::Null));
                self.0.len() - 1
            }
        };
        &mut self.0[index].1
    }

    /// Removes `key`, keeping the other members in order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(index).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    #[cfg(test)]
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }
}

impl<K: Into<Text>> FromIterator<(K, Value)> for Object {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(members: I) -> Object {
        let mut object = Object::new();
        for (key, value) in members {
            object.insert(key, value);
        }
        object
    }
}

impl Value {
    /// `value`, to be written in many places: see [`Value::Shared`].
    pub fn shared(value: Value) -> Value {
        Value::Shared(Arc::new(SharedValue {
            value,
            size: OnceLock::new(),
        }))
    }

    /// The value itself, through any [`Value::Shared`].
    pub fn resolved(&self) -> &Value {
        match self {
            Value::Shared(value) => value.resolved(),
            value => value,
        }
    }

    /// The value itself to change: a [`Value::Shared`] held elsewhere too
    /// is copied first.
    fn resolved_mut(&mut self) -> &mut Value {
        match self {
            Value::Shared(shared) => {
                // Not a copy when no one else holds it: the size it kept
                // would be stale once the caller changes it.
                let shared = Arc::make_mut(shared);
                shared.size.take();
                shared.value.resolved_mut()
            }
            value => value,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self.resolved() {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match self.resolved_mut() {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    #[cfg(test)]
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self.resolved() {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.resolved() {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|object| object.get(key))
    }

    /// A string that is a literal of the program: borrowed, not copied.
    pub const fn literal(text: &'static str) -> Value {
        Value::String(Cow::Borrowed(text))
    }
}

static NULL: Value = Value::Null;

/// `value["key"]`: the member, or `null` when there is none (as in
/// `serde_json`).
impl std::ops::Index<&str> for Value {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `value["key"] = ...`: a `null` becomes an empty object and a missing key
/// is added, as in `serde_json`.
impl std::ops::IndexMut<&'static str> for Value {
    #[allow(
        clippy::panic,
        reason = "codegen indexes only the objects it builds; any other value is a bug every codegen test meets"
    )]
    fn index_mut(&mut self, key: &'static str) -> &mut Value {
        let value = self.resolved_mut();
        if let Value::Null = value {
            *value = Value::Object(Object::new());
        }
        match value {
            Value::Object(object) => object.get_or_null(key),
            other => panic!("cannot set `{key}` of a non-object: {other:?}"),
        }
    }
}

/// `value[i]`: the item, or `null` past the end (as in `serde_json`).
#[cfg(test)]
impl std::ops::Index<usize> for Value {
    type Output = Value;

    fn index(&self, index: usize) -> &Value {
        self.as_array()
            .and_then(|items| items.get(index))
            .unwrap_or(&NULL)
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::String(Cow::Owned(text))
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Value {
        Value::String(Cow::Owned(text.clone()))
    }
}

/// A copy: a `&'static str` that should be borrowed goes through
/// [`Value::literal`] (as [`json!`] does for a literal).
impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::String(Cow::Owned(text.to_string()))
    }
}

impl From<&&str> for Value {
    fn from(text: &&str) -> Value {
        Value::from(*text)
    }
}

impl From<Text> for Value {
    fn from(text: Text) -> Value {
        Value::String(text)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

macro_rules! from_integer {
    ($variant:ident as $wide:ty: $($narrow:ty)*) => {
        $(
            impl From<$narrow> for Value {
                fn from(n: $narrow) -> Value {
                    Value::Number(Number::$variant(<$wide>::from(n)))
                }
            }
        )*
    };
}
from_integer!(Signed as i64: i8 i16 i32 i64);
from_integer!(Unsigned as u64: u8 u16 u32 u64);

impl From<usize> for Value {
    fn from(n: usize) -> Value {
        // usize is at most 64 bits on every target Rust supports.
        Value::Number(Number::Unsigned(n as u64))
    }
}

impl From<Object> for Value {
    fn from(object: Object) -> Value {
        Value::Object(object)
    }
}

impl From<&Value> for Value {
    fn from(value: &Value) -> Value {
        value.clone()
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Value {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Clone + Into<Value>> From<&[T]> for Value {
    fn from(items: &[T]) -> Value {
        Value::Array(items.iter().cloned().map(Into::into).collect())
    }
}

impl<T: Clone + Into<Value>> From<&Vec<T>> for Value {
    fn from(items: &Vec<T>) -> Value {
        Value::from(items.as_slice())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Value {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}

/// What a literal in [`json!`] becomes: a string literal is borrowed.
pub trait Literal {
    fn into_value(self) -> Value;
}

impl Literal for &'static str {
    fn into_value(self) -> Value {
        Value::literal(self)
    }
}

macro_rules! literal_via_from {
    ($($t:ty)*) => {
        $(
            impl Literal for $t {
                fn into_value(self) -> Value {
                    Value::from(self)
                }
            }
        )*
    };
}
literal_via_from!(bool i32 i64 u32 u64 usize);

/// A [`Value`] in JSON's syntax, as `serde_json::json!` writes it: keys and
/// values that are literals are borrowed, and any other value is moved in
/// with `Into<Value>` (not copied through a serializer).
macro_rules! json {
    // Array items, gathered as expressions in `[...]`; a comma after the
    // last one is allowed.
    (@array [$($done:expr,)*]) => { ::std::vec![$($done,)*] };
    (@array [$($done:expr),*]) => { ::std::vec![$($done),*] };
    (@array [$($done:expr),*] , $($rest:tt)*) => {
        $crate::codegen::value::json!(@array [$($done,)*] $($rest)*)
    };
    (@array [$($done:expr,)*] null $($rest:tt)*) => {
        $crate::codegen::value::json!(@array [$($done,)* $crate::codegen::value::json!(null)] $($rest)*)
    };
    (@array [$($done:expr,)*] [$($inner:tt)*] $($rest:tt)*) => {
        $crate::codegen::value::json!(@array [$($done,)* $crate::codegen::value::json!([$($inner)*])] $($rest)*)
    };
    (@array [$($done:expr,)*] {$($inner:tt)*} $($rest:tt)*) => {
        $crate::codegen::value::json!(@array [$($done,)* $crate::codegen::value::json!({$($inner)*})] $($rest)*)
    };
    (@array [$($done:expr,)*] $next:literal , $($rest:tt)*) => {
        $crate::codegen::value::json!(@array [$($done,)* $crate::codegen::value::json!($next),] $($rest)*)
    };
    (@array [$($done:expr,)*] $last:literal) => {
        $crate::codegen::value::json!(@array [$($done,)* $crate::codegen::value::json!($last)])
    };
    (@array [$($done:expr,)*] $next:expr , $($rest:tt)*) => {
        $crate::codegen::value::json!(@array [$($done,)* $crate::codegen::value::json!($next),] $($rest)*)
    };
    (@array [$($done:expr,)*] $last:expr) => {
        $crate::codegen::value::json!(@array [$($done,)* $crate::codegen::value::json!($last)])
    };

    // Object members, gathered as `(key, value)` expressions in `[...]`:
    // the key's tokens are taken up to its `:`, then the value up to a comma
    // or the end.
    (@object [$($done:expr,)*] ()) => {
        $crate::codegen::value::Object::from_distinct(::std::vec![$($done,)*])
    };
    (@object [$($done:expr,)*] ($($key:tt)+) : null $(, $($rest:tt)*)?) => {
        $crate::codegen::value::json!(@object [$($done,)* (
            $crate::codegen::value::json!(@key $($key)+),
            $crate::codegen::value::json!(null),
        ),] () $($($rest)*)?)
    };
    (@object [$($done:expr,)*] ($($key:tt)+) : [$($inner:tt)*] $(, $($rest:tt)*)?) => {
        $crate::codegen::value::json!(@object [$($done,)* (
            $crate::codegen::value::json!(@key $($key)+),
            $crate::codegen::value::json!([$($inner)*]),
        ),] () $($($rest)*)?)
    };
    (@object [$($done:expr,)*] ($($key:tt)+) : {$($inner:tt)*} $(, $($rest:tt)*)?) => {
        $crate::codegen::value::json!(@object [$($done,)* (
            $crate::codegen::value::json!(@key $($key)+),
            $crate::codegen::value::json!({$($inner)*}),
        ),] () $($($rest)*)?)
    };
    (@object [$($done:expr,)*] ($($key:tt)+) : $value:literal $(, $($rest:tt)*)?) => {
        $crate::codegen::value::json!(@object [$($done,)* (
            $crate::codegen::value::json!(@key $($key)+),
            $crate::codegen::value::json!($value),
        ),] () $($($rest)*)?)
    };
    (@object [$($done:expr,)*] ($($key:tt)+) : $value:expr $(, $($rest:tt)*)?) => {
        $crate::codegen::value::json!(@object [$($done,)* (
            $crate::codegen::value::json!(@key $($key)+),
            $crate::codegen::value::json!($value),
        ),] () $($($rest)*)?)
    };
    (@object [$($done:expr,)*] ($($key:tt)*) $next:tt $($rest:tt)*) => {
        $crate::codegen::value::json!(@object [$($done,)*] ($($key)* $next) $($rest)*)
    };
    (@key $key:literal) => { ::std::borrow::Cow::Borrowed($key) };
    (@key $($key:tt)+) => { $crate::codegen::value::Text::from($($key)+) };

    (null) => { $crate::codegen::value::Value::Null };
    ([]) => { $crate::codegen::value::Value::Array(::std::vec::Vec::new()) };
    ([ $($items:tt)+ ]) => {
        $crate::codegen::value::Value::Array($crate::codegen::value::json!(@array [] $($items)+))
    };
    ({}) => { $crate::codegen::value::Value::Object($crate::codegen::value::Object::new()) };
    ({ $($members:tt)+ }) => {
        $crate::codegen::value::Value::Object($crate::codegen::value::json!(@object [] () $($members)+))
    };
    ($value:literal) => { $crate::codegen::value::Literal::into_value($value) };
    ($value:expr) => { $crate::codegen::value::Value::from($value) };
}
pub(crate) use json;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The same value as `serde_json`'s, for comparing with what it writes.
    pub(crate) fn to_serde(value: &Value) -> serde_json::Value {
        match value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(Number::Signed(n)) => serde_json::Value::from(*n),
            Value::Number(Number::Unsigned(n)) => serde_json::Value::from(*n),
            Value::String(text) => serde_json::Value::String(text.to_string()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
            Value::Object(object) => serde_json::Value::Object(
                object
                    .iter()
                    .map(|(k, v)| (k.to_string(), to_serde(v)))
                    .collect(),
            ),
            Value::Shared(value) => to_serde(value),
        }
    }

    #[test]
    fn the_macro_reads_what_serde_json_s_reads() {
        let name = String::from("dev");
        let list = vec![json!(1), json!("two")];
        let ours = json!({
            "null": null,
            "literal": "text",
            "owned": name.clone(),
            "borrowed": &name,
            "number": 42,
            "negative": -7,
            "flag": true,
            "call": format!("{name}-x"),
            "list": list.clone(),
            "nested": { "a": [1, null, [], {}, { "b": false }], "c": {} },
            format!("key-{name}"): "computed key",
            "trailing": [1, 2,],
        });
        let theirs = serde_json::json!({
            "null": null,
            "literal": "text",
            "owned": name.clone(),
            "borrowed": &name,
            "number": 42,
            "negative": -7,
            "flag": true,
            "call": format!("{name}-x"),
            "list": [1, "two"],
            "nested": { "a": [1, null, [], {}, { "b": false }], "c": {} },
            format!("key-{name}"): "computed key",
            "trailing": [1, 2,],
        });
        assert_eq!(to_serde(&ours), theirs);
        let keys: Vec<&str> = ours.as_object().unwrap().keys().collect();
        let serde_keys: Vec<&str> = theirs
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, serde_keys);
    }

    #[test]
    fn a_key_set_twice_keeps_its_first_place() {
        let mut value = json!({ "a": 1, "b": 2 });
        value["a"] = json!(3);
        value["c"]["d"] = json!("new");
        assert_eq!(
            to_serde(&value),
            serde_json::json!({ "a": 3, "b": 2, "c": { "d": "new" } })
        );
        assert_eq!(value["c"]["d"].as_str(), Some("new"));
        assert_eq!(value["missing"], Value::Null);
    }

    #[test]
    fn a_shared_value_reads_as_its_value_and_changes_as_a_copy() {
        let tags = Value::shared(json!([{ "Key": "team", "Value": "data" }]));
        let mut mine = json!({ "Tags": tags.clone() });
        assert_eq!(
            mine,
            json!({ "Tags": [{ "Key": "team", "Value": "data" }] })
        );
        assert_eq!(mine["Tags"][0]["Value"].as_str(), Some("data"));
        mine["Tags"] = json!("changed");
        assert_eq!(tags, json!([{ "Key": "team", "Value": "data" }]));
        let mut shared_object = Value::shared(json!({ "a": 1 }));
        let before = shared_object.clone();
        shared_object["a"] = json!(2);
        assert_eq!(before, json!({ "a": 1 }));
        assert_eq!(shared_object, json!({ "a": 2 }));
    }

    #[test]
    fn numbers_print_as_serde_json_prints_them() {
        let mut buffer = [0; 20];
        for n in [0, 1, -1, 9, 10, -10, i64::MIN, i64::MAX] {
            assert_eq!(Number::Signed(n).digits(&mut buffer), n.to_string());
        }
        for n in [0, 7, 100, u64::MAX] {
            assert_eq!(Number::Unsigned(n).digits(&mut buffer), n.to_string());
        }
    }
}
