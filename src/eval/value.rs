//! Evaluated values. Each keeps the span of the source that produced it: for a
//! value reached through a reference, the reference; for a default, the record
//! that left the field out.

use crate::hashing::NameMap;
use ipnet::Ipv4Net;
use serde_json::{json, Value as Json};

use crate::literals::Duration;
use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Str(String),
    Int(i64),
    Bool(bool),
    Cidr(Ipv4Net),
    Duration(Duration),
    List(Vec<Value>),
    /// Boxed, as is a variant: a value is mostly strings and numbers, and
    /// the largest variant sets the size of every one (136 bytes unboxed,
    /// 48 boxed; a 10,000-environment lake holds millions).
    Record(Box<Record>),
    Variant(Box<Variant>),
    /// A bare name that is not a declaration: an enum variant once the
    /// expected type is known, or else an undefined name.
    Symbol(String),
    /// A value whose mistake was already reported.
    Invalid,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The record type, once known.
    pub type_name: Option<String>,
    /// The union the record was chosen from (`Source`), so that output shows the choice.
    pub union: Option<String>,
    pub fields: NameMap<String, Field>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key_span: Span,
    pub value: Value,
    pub origin: Origin,
}

/// Where a field's value comes from: what a diagnostic about it points at.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Written in the record that holds it.
    Written,
    /// Inherited through `extends`; boxed, since every field carries an
    /// origin and few are inherited.
    Inherited(Box<Inheritance>),
    /// Left out, and filled in from the default declared at `default`.
    Defaulted { default: Span },
}

/// Where an inherited field comes from: the environment `from`, which wrote
/// it. `extends` holds the names after the `extends` clauses crossed, the
/// heir's own first: `Prod extends Test`, then `Test extends Dev`.
#[derive(Clone, Debug, PartialEq)]
pub struct Inheritance {
    pub from: String,
    pub extends: Vec<Span>,
}

impl Field {
    pub fn written(key_span: Span, value: Value) -> Field {
        Field {
            key_span,
            value,
            origin: Origin::Written,
        }
    }

    /// The field as an heir of `parent` sees it, through the `extends`
    /// clause at `clause`; nested fields are inherited along with it.
    pub fn inherited(mut self, parent: &str, clause: Span) -> Field {
        self.origin = match self.origin {
            Origin::Inherited(mut inheritance) => {
                inheritance.extends.insert(0, clause);
                Origin::Inherited(inheritance)
            }
            _ => Origin::Inherited(Box::new(Inheritance {
                from: parent.to_string(),
                extends: vec![clause],
            })),
        };
        self.value.inherit_fields(parent, clause);
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub enum_name: String,
    pub name: String,
    /// The variant's data, when its enum declares a data type (a region's zones).
    pub data: Option<Box<Value>>,
}

impl Value {
    pub fn new(kind: ValueKind, span: Span) -> Value {
        Value { kind, span }
    }

    pub fn invalid(span: Span) -> Value {
        Value::new(ValueKind::Invalid, span)
    }

    /// For a record, its type's name if it was written (`Network { .. }`)
    /// or `None` if not (`{ .. }`); `None` for any other value.
    pub fn record_type(&self) -> Option<Option<&str>> {
        match &self.kind {
            ValueKind::Record(record) => Some(record.type_name.as_deref()),
            _ => None,
        }
    }

    /// How the value reads in "found ..." messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            ValueKind::Str(_) => "a string".into(),
            ValueKind::Int(_) => "an integer".into(),
            ValueKind::Bool(_) => "a boolean".into(),
            ValueKind::Cidr(_) => "a CIDR range".into(),
            ValueKind::Duration(_) => "a duration".into(),
            ValueKind::List(_) => "a list".into(),
            ValueKind::Record(record) => match &record.type_name {
                Some(name) => format!("a `{name}` record"),
                None => "a record".into(),
            },
            ValueKind::Variant(v) => format!("`{}` (a `{}`)", v.name, v.enum_name),
            ValueKind::Symbol(name) => format!("the name `{name}`"),
            ValueKind::Invalid => "an invalid value".into(),
        }
    }

    /// Marks the fields of the records in this value as inherited from `parent`.
    fn inherit_fields(&mut self, parent: &str, clause: Span) {
        match &mut self.kind {
            ValueKind::List(items) => {
                for item in items {
                    item.inherit_fields(parent, clause);
                }
            }
            ValueKind::Record(record) => {
                for field in record.fields.values_mut() {
                    let taken =
                        std::mem::replace(field, Field::written(clause, Value::invalid(clause)));
                    *field = taken.inherited(parent, clause);
                }
            }
            _ => {}
        }
    }

    /// Re-points this value and everything in it at `span`.
    pub fn respan(mut self, span: Span) -> Value {
        self.span = span;
        match &mut self.kind {
            ValueKind::List(items) => {
                *items = std::mem::take(items)
                    .into_iter()
                    .map(|v| v.respan(span))
                    .collect();
            }
            ValueKind::Record(record) => {
                for field in record.fields.values_mut() {
                    field.key_span = span;
                    // Taken, not cloned: a clone at every level made respanning
                    // a deep value quadratic.
                    let value = std::mem::replace(&mut field.value, Value::invalid(span));
                    field.value = value.respan(span);
                }
            }
            _ => {}
        }
        self
    }

    pub fn field(&self, name: &str) -> Option<&Value> {
        match &self.kind {
            ValueKind::Record(record) => record.fields.get(name).map(|f| &f.value),
            _ => None,
        }
    }

    /// The value as `dlc eval` prints it: CIDRs, durations and variants as
    /// strings, records as objects in schema order.
    pub fn to_json(&self) -> Json {
        match &self.kind {
            ValueKind::Str(s) => json!(s),
            ValueKind::Int(i) => json!(i),
            ValueKind::Bool(b) => json!(b),
            ValueKind::Cidr(c) => json!(c.to_string()),
            ValueKind::Duration(d) => json!(d.to_string()),
            ValueKind::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            ValueKind::Record(record) => {
                // `type` is a keyword, so it never clashes with a field name.
                let chosen = record
                    .union
                    .as_ref()
                    .and(record.type_name.as_ref())
                    .map(|t| ("type".to_string(), json!(t)));
                Json::Object(
                    chosen
                        .into_iter()
                        .chain(
                            record
                                .fields
                                .iter()
                                .map(|(k, f)| (k.clone(), f.value.to_json())),
                        )
                        .collect(),
                )
            }
            ValueKind::Variant(v) => json!(v.name),
            ValueKind::Symbol(s) => json!(s),
            ValueKind::Invalid => Json::Null,
        }
    }
}
#[cfg(test)]
mod size_tests {
    use super::*;

    /// A 10,000-environment lake holds millions of values and fields at
    /// once: a large variant left unboxed (a record is 120 bytes) would set
    /// the size of every one of them, and the peak memory of a compile.
    #[test]
    fn values_and_fields_stay_small() {
        assert!(
            std::mem::size_of::<Value>() <= 48,
            "{}",
            std::mem::size_of::<Value>()
        );
        assert!(
            std::mem::size_of::<Field>() <= 80,
            "{}",
            std::mem::size_of::<Field>()
        );
    }
}
