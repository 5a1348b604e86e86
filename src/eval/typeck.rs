//! The type checker: conforming a value to the type its position expects.
//!
//! Conforming applies record defaults, turns bare names into enum variants,
//! checks refinements, and reports every mismatch with the value and the
//! place that declared the expected type.

use crate::hashing::name_map_with_capacity;

use super::value::{Field, Origin, Record, Value, ValueKind, Variant};
use super::Evaluator;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::suggest;
use crate::types::{
    nearest, AliasDef, EnumDef, FieldDef, RecordDef, Refinement, RefinementKind, Type, TypeDef,
    UnionDef,
};

impl Evaluator<'_, '_> {
    /// Checks `value` against `ty`. `declared` is where the expected type is
    /// written (a schema field), for the secondary label of a mismatch.
    pub(super) fn conform(&mut self, value: Value, ty: &Type, declared: Option<Span>) -> Value {
        if !self.enter(value.span) {
            return Value::invalid(value.span);
        }
        let value = self.conform_inner(value, ty, declared);
        self.leave();
        value
    }

    fn conform_inner(&mut self, value: Value, ty: &Type, declared: Option<Span>) -> Value {
        if matches!(value.kind, ValueKind::Invalid) || *ty == Type::Error {
            return value;
        }
        match ty {
            Type::Any => self.conform_untyped(value),
            Type::Optional(inner) => self.conform(value, inner, declared),
            Type::String => self.expect(value, ty, declared, |k| matches!(k, ValueKind::Str(_))),
            Type::Int => self.expect(value, ty, declared, |k| matches!(k, ValueKind::Int(_))),
            Type::Bool => self.expect(value, ty, declared, |k| matches!(k, ValueKind::Bool(_))),
            Type::Cidr => self.expect(value, ty, declared, |k| matches!(k, ValueKind::Cidr(_))),
            Type::Duration => {
                self.expect(value, ty, declared, |k| matches!(k, ValueKind::Duration(_)))
            }
            Type::List(element) => match value.kind {
                ValueKind::List(items) => {
                    let items = items
                        .into_iter()
                        .map(|item| self.conform(item, element, declared))
                        .collect();
                    Value::new(ValueKind::List(items), value.span)
                }
                _ => self.mismatch(value, ty, declared),
            },
            Type::Map(element) => match value.kind {
                ValueKind::Record(record) if record.type_name.is_none() => {
                    let fields = record
                        .fields
                        .into_iter()
                        .map(|(key, field)| {
                            let value = self.conform(field.value, element, declared);
                            (key, Field { value, ..field })
                        })
                        .collect();
                    Value::new(
                        ValueKind::Record(Box::new(Record {
                            type_name: None,
                            union: None,
                            fields,
                        })),
                        value.span,
                    )
                }
                _ => self.mismatch(value, ty, declared),
            },
            Type::Named(name) => match self.types.get(name) {
                Some(TypeDef::Alias(def)) => self.conform_alias(value, def, declared),
                Some(TypeDef::Record(def)) => self.conform_record(value, def, declared),
                Some(TypeDef::Enum(def)) => self.conform_enum(value, def, declared),
                Some(TypeDef::Union(def)) => self.conform_union(value, def, declared),
                // An undefined type was reported where it was written.
                None => value,
            },
            Type::Error => value,
        }
    }

    /// Without an expected type, a typed record literal is still checked
    /// against its own type; everything else waits for its use.
    fn conform_untyped(&mut self, value: Value) -> Value {
        match value.record_type() {
            Some(Some(name)) if self.types.get(name).is_some() => {
                let ty = Type::Named(name.to_string());
                self.conform(value, &ty, None)
            }
            Some(Some(name)) => {
                self.unknown_record_type(name, value.span, None);
                Value::invalid(value.span)
            }
            _ => value,
        }
    }

    fn expect(
        &mut self,
        value: Value,
        ty: &Type,
        declared: Option<Span>,
        accepts: impl Fn(&ValueKind) -> bool,
    ) -> Value {
        if accepts(&value.kind) {
            value
        } else {
            self.mismatch(value, ty, declared)
        }
    }

    /// Reports that `value` is not a `ty`, with a fix where one is likely.
    fn mismatch(&mut self, value: Value, ty: &Type, declared: Option<Span>) -> Value {
        if let ValueKind::Symbol(name) = &value.kind {
            let name = name.clone();
            self.undefined_symbol(&name, value.span, ty);
            return Value::invalid(value.span);
        }
        let mut diagnostic = Diagnostic::new(
            Code::TypeMismatch,
            value.span,
            format!("expected {}, found {}", describe_type(ty), value.describe()),
        )
        .with_label(format!("this is {}", value.describe()));
        match self.mismatch_help(&value, ty) {
            Some((help, edit)) => {
                diagnostic = diagnostic.with_help(help);
                if let Some((written, replacement)) = edit {
                    diagnostic =
                        self.edit_if_written(diagnostic, value.span, &written, Some(&replacement));
                }
            }
            None => diagnostic = diagnostic.with_help_opt(self.expected_help(ty)),
        }
        if let Some(span) = declared {
            diagnostic = diagnostic.with_secondary(span, format!("`{ty}` expected here"));
        }
        self.report(diagnostic);
        Value::invalid(value.span)
    }

    /// The help of a mismatch, and its edit as (the value as written, what to
    /// write instead).
    fn mismatch_help(
        &self,
        value: &Value,
        ty: &Type,
    ) -> Option<(String, Option<(String, String)>)> {
        let base = self.base_type(ty);
        let text = self.program.sources.text(value.span);
        let unquote = |s: &str| Some((format!("\"{s}\""), s.to_string()));
        match (&value.kind, &base) {
            (ValueKind::Int(_), Type::String) => Some((
                format!(
                    "write it as a string: \"{text}\" (leading zeros are kept only in strings)"
                ),
                text.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| (text.to_string(), format!("\"{text}\""))),
            )),
            (ValueKind::Str(s), Type::Cidr) => {
                Some((format!("write the range without quotes: {s}"), unquote(s)))
            }
            (ValueKind::Int(i), Type::Duration) => Some((
                format!("give the duration a unit: {i}d for days (also h, m, s)"),
                Some((i.to_string(), format!("{i}d"))),
            )),
            (ValueKind::Str(s), Type::Named(name)) => match self.types.get(name) {
                Some(TypeDef::Enum(def)) if def.variants.contains_key(s.as_str()) => {
                    Some((format!("write the variant without quotes: {s}"), unquote(s)))
                }
                _ => None,
            },
            (ValueKind::Str(s), Type::Bool) if s == "true" || s == "false" => {
                Some((format!("write it without quotes: {s}"), unquote(s)))
            }
            (ValueKind::Record(_), Type::List(_)) => Some((
                "put the record in a list: [{ ... }]".into(),
                text.starts_with('{')
                    .then(|| (text.to_string(), format!("[{text}]"))),
            )),
            _ => None,
        }
    }

    /// What a value of `ty` looks like, when no likelier fix is known.
    fn expected_help(&self, ty: &Type) -> Option<String> {
        Some(match self.base_type(ty) {
            Type::String => "write text in quotes, e.g. \"main\"".into(),
            Type::Int => "write a whole number, e.g. 3".into(),
            Type::Bool => "write `true` or `false`".into(),
            Type::Cidr => "write an IPv4 range without quotes, e.g. 10.20.0.0/24".into(),
            Type::Duration => "write a number and a unit, e.g. 30d".into(),
            Type::List(_) => "write a list in brackets: [...]".into(),
            Type::Map(_) => "write keys and values in braces: { key = ... }".into(),
            Type::Named(name) => match self.types.get(&name)? {
                TypeDef::Enum(def) if def.variants.len() <= 10 => {
                    let names: Vec<&str> = def.variants.keys().map(String::as_str).collect();
                    format!("write one of {}", suggest::list_or(&names))
                }
                TypeDef::Enum(def) => format!("write a `{}` variant, without quotes", def.name),
                TypeDef::Record(def) => format!("write a record: {} {{ ... }}", def.name),
                TypeDef::Union(def) => {
                    let kinds: Vec<&str> = def.members.iter().map(String::as_str).collect();
                    format!(
                        "write a record of one of its kinds, {}: e.g. `{} {{ ... }}`",
                        suggest::list_or(&kinds),
                        kinds.first()?
                    )
                }
                TypeDef::Alias(_) => return None,
            },
            _ => return None,
        })
    }

    /// The builtin type beneath aliases and options.
    fn base_type(&self, ty: &Type) -> Type {
        let mut ty = ty;
        // A loop rather than recursion: a chain of aliases may be long.
        loop {
            ty = match ty {
                Type::Optional(inner) => inner,
                Type::Named(name) => match self.types.get(name) {
                    Some(TypeDef::Alias(def)) => &def.base,
                    _ => return ty.clone(),
                },
                other => return other.clone(),
            };
        }
    }

    fn undefined_symbol(&mut self, name: &str, span: Span, expected: &Type) {
        if self.diagnostics.is_full() {
            return;
        }
        let candidates: Vec<&str> = self.scope.value_names(self.program).collect();
        let suggestion = suggest::closest(name, candidates.iter().copied());
        if self.program.may_declare(name, suggestion.is_some()) {
            return;
        }
        let mut diagnostic = Diagnostic::new(
            Code::UndefinedName,
            span,
            format!("cannot find `{name}` in this lake"),
        )
        .with_label(format!("no value called `{name}`"));
        let quoted = format!("\"{name}\"");
        let is_text = suggestion.is_none() && self.base_type(expected) == Type::String;
        let replacement = if is_text {
            Some(quoted.as_str())
        } else {
            suggestion
        };
        diagnostic = self.edit_if_written(diagnostic, span, name, replacement);
        diagnostic = match suggestion {
            Some(s) => diagnostic.with_help(format!("did you mean `{s}`?")),
            None if is_text => {
                diagnostic.with_help(format!("if you meant the text, quote it: {quoted}"))
            }
            None => diagnostic.with_help("declare it with `let`, or import the file that does"),
        };
        self.report(diagnostic);
    }

    /// `kinds`: the record types a union expects, when one does.
    fn unknown_record_type(&mut self, name: &str, span: Span, kinds: Option<(&str, &[&str])>) {
        if self.diagnostics.is_full() {
            return;
        }
        let suggestion = match kinds {
            Some((_, members)) => suggest::closest(name, members.iter().copied()),
            None => None,
        }
        .or_else(|| suggest::closest(name, self.types.names()));
        if self.program.may_declare(name, suggestion.is_some()) {
            return;
        }
        // Point at the name, not the whole record, when the record is written here.
        let span = if self.program.sources.text(span).starts_with(name) {
            Span {
                end: span.start + name.len() as u32,
                ..span
            }
        } else {
            span
        };
        let diagnostic = Diagnostic::new(
            Code::UndefinedType,
            span,
            format!("there is no record type named `{name}`"),
        )
        .with_label("unknown type")
        .with_help_opt(suggestion.map(|s| format!("did you mean `{s}`?")));
        let mut diagnostic = self.edit_if_written(diagnostic, span, name, suggestion);
        if let Some((union, members)) = kinds {
            diagnostic = diagnostic.with_note(format!(
                "a `{union}` is one of {}",
                suggest::list_or(members)
            ));
        }
        self.report(diagnostic);
    }

    fn conform_alias(&mut self, value: Value, def: &AliasDef, declared: Option<Span>) -> Value {
        // A value of the wrong kind is reported against the alias the
        // position declares (`AccountId`), not the builtin beneath it.
        let fits_base = match &def.base {
            Type::String => Some(matches!(value.kind, ValueKind::Str(_))),
            Type::Int => Some(matches!(value.kind, ValueKind::Int(_))),
            Type::Bool => Some(matches!(value.kind, ValueKind::Bool(_))),
            Type::Cidr => Some(matches!(value.kind, ValueKind::Cidr(_))),
            Type::Duration => Some(matches!(value.kind, ValueKind::Duration(_))),
            _ => None,
        };
        if fits_base == Some(false) {
            return self.mismatch(value, &Type::Named(def.name.clone()), declared);
        }
        let value = self.conform(value, &def.base, declared);
        let mut broken = Vec::new();
        let digits_only = def
            .refinements
            .iter()
            .any(|r| matches!(&r.kind, RefinementKind::Matches(re) if re.as_str() == "^[0-9]+$"));
        for refinement in &def.refinements {
            let problem = match (&refinement.kind, &value.kind) {
                (RefinementKind::Length(low, high), ValueKind::Str(s)) => {
                    let length = s.chars().count() as i64;
                    let unit = if digits_only { "digits" } else { "characters" };
                    out_of_range(length, *low, *high).then(|| match (low, high) {
                        (Some(l), Some(h)) if l == h => {
                            format!(
                                "{} is exactly {l} {unit} long; this has {length}",
                                article(&def.name)
                            )
                        }
                        _ => format!(
                            "{} is {} {unit} long; this has {length}",
                            article(&def.name),
                            describe_range(*low, *high)
                        ),
                    })
                }
                (RefinementKind::Range(low, high), ValueKind::Int(i)) => {
                    out_of_range(*i, *low, *high).then(|| {
                        format!(
                            "{} is {}; this is {i}",
                            article(&def.name),
                            describe_range(*low, *high)
                        )
                    })
                }
                (RefinementKind::Matches(regex), ValueKind::Str(s)) => {
                    (!regex.is_match(s)).then(|| {
                        if regex.as_str() == "^[0-9]+$" {
                            format!(
                                "{} has only digits; this has other characters",
                                article(&def.name)
                            )
                        } else {
                            format!(
                                "{} matches `{}`; this does not",
                                article(&def.name),
                                regex.as_str()
                            )
                        }
                    })
                }
                _ => None,
            };
            if let Some(problem) = problem {
                broken.push((problem, refinement));
            }
        }
        if broken.is_empty() {
            return value;
        }
        // One diagnostic per value: the first broken rule, the others as notes.
        let (first, rule) = broken.remove(0);
        let mut diagnostic = Diagnostic::new(Code::RefinementViolation, value.span, first)
            .with_label(format!("not a valid `{}`", def.name))
            .with_secondary(rule.span, "the rule is declared here");
        let (help, nearest) = refinement_help(rule, &def.refinements, &value.kind, digits_only);
        // With no rule in words and no value to offer, what the type is for
        // (its documentation) says what to write.
        let described = help.is_none() && !def.docs.lines.is_empty();
        diagnostic = match help {
            Some(help) => diagnostic.with_help(help),
            None if described => diagnostic.with_help(format!(
                "write {}",
                lowercase_first(def.docs.lines.join(" ").trim_end_matches('.'))
            )),
            None => diagnostic,
        };
        // Only a value written here as a plain literal is replaced: a value
        // from a `let` or an interpolation is fixed where it is written.
        if let Some((written, replacement)) = nearest {
            diagnostic = self.edit_if_written(diagnostic, value.span, &written, Some(&replacement));
        }
        for (other, _) in broken {
            diagnostic = diagnostic.with_note(other);
        }
        if !def.docs.lines.is_empty() && !described {
            diagnostic =
                diagnostic.with_note(format!("`{}`: {}", def.name, def.docs.lines.join(" ")));
        }
        if let Some(span) = declared {
            diagnostic = diagnostic.with_secondary(span, format!("`{}` expected here", def.name));
        }
        self.report(diagnostic);
        Value::invalid(value.span)
    }

    fn conform_record(&mut self, value: Value, def: &RecordDef, declared: Option<Span>) -> Value {
        let span = value.span;
        let record = match value.kind {
            ValueKind::Record(record) => record,
            _ => return self.mismatch(value, &Type::Named(def.name.clone()), declared),
        };
        if let Some(name) = &record.type_name {
            if *name != def.name {
                if self.types.get(name).is_none() {
                    self.unknown_record_type(name, span, None);
                    return Value::invalid(span);
                }
                let value = Value::new(ValueKind::Record(record), span);
                return self.mismatch(value, &Type::Named(def.name.clone()), declared);
            }
        }
        let mut given = record.fields;
        // Fields that an unknown field's "did you mean" names: not reported missing.
        let mut suggested = Vec::new();
        for (key, field) in &given {
            if !def.fields.contains_key(key) && !self.diagnostics.is_full() {
                let suggestion = suggest::closest(key, def.fields.keys().map(String::as_str));
                suggested.extend(suggestion.filter(|s| !given.contains_key(*s)));
                let names: Vec<&str> = def.fields.keys().map(String::as_str).collect();
                let diagnostic = Diagnostic::new(
                    Code::UnknownField,
                    field.key_span,
                    format!("`{}` has no field `{key}`", def.name),
                )
                .with_label("unknown field")
                .with_secondary(def.span, format!("`{}` is declared here", def.name))
                .with_note(format!(
                    "the fields of `{}` are {}",
                    def.name,
                    suggest::list_or(&names)
                ))
                .with_help_opt(suggestion.map(|s| format!("did you mean `{s}`?")));
                let diagnostic = self.edit_if_written(diagnostic, field.key_span, key, suggestion);
                self.report(diagnostic);
            }
        }
        let mut fields = name_map_with_capacity(def.fields.len());
        let mut missing = Vec::new();
        for (name, field_def) in &def.fields {
            // `given` is not read after this loop: its order need not be kept.
            match given.swap_remove(name) {
                Some(field) => {
                    let value = self.conform(field.value, &field_def.ty, Some(field_def.ty_span));
                    fields.insert(name.clone(), Field { value, ..field });
                }
                None => match &field_def.default {
                    Some(default) => {
                        let key = (def.name.clone(), name.clone());
                        if self.defaults_in_progress.contains(&key) {
                            self.endless_default(def, field_def);
                            continue;
                        }
                        self.defaults_in_progress.push(key);
                        let raw = self.expr(default);
                        let value = self
                            .conform(raw, &field_def.ty, Some(field_def.ty_span))
                            .respan(span);
                        self.defaults_in_progress.pop();
                        fields.insert(
                            name.clone(),
                            Field {
                                key_span: span,
                                value,
                                origin: Origin::Defaulted {
                                    default: default.span,
                                },
                            },
                        );
                    }
                    None if field_def.is_required()
                        && !self.suppress_missing
                        && !suggested.contains(&field_def.name.as_str()) =>
                    {
                        missing.push(field_def)
                    }
                    None => {}
                },
            }
        }
        for field_def in missing {
            let mut diagnostic = Diagnostic::new(
                Code::MissingField,
                span,
                format!(
                    "`{}` is missing the required field `{}`",
                    def.name, field_def.name
                ),
            )
            .with_label(format!("`{}` is not set here", field_def.name))
            .with_secondary(field_def.span, "the field is declared here")
            .with_help(format!(
                "add `{} = ...` ({})",
                field_def.name,
                article(&field_def.ty.to_string())
            ));
            if !field_def.docs.lines.is_empty() {
                diagnostic = diagnostic.with_note(format!(
                    "`{}`: {}",
                    field_def.name,
                    field_def.docs.lines.join(" ")
                ));
            }
            self.report(diagnostic);
        }
        Value::new(
            ValueKind::Record(Box::new(Record {
                type_name: Some(def.name.clone()),
                union: None,
                fields,
            })),
            span,
        )
    }

    /// A default that contains a record of the same type relying on the same
    /// default: applying it would never end.
    fn endless_default(&mut self, def: &RecordDef, field_def: &FieldDef) {
        let chain: Vec<String> = self
            .defaults_in_progress
            .iter()
            .skip_while(|(record, field)| *record != def.name || *field != field_def.name)
            .map(|(record, field)| format!("`{record}.{field}`"))
            .collect();
        self.report(
            Diagnostic::new(
                Code::InvalidTypeDeclaration,
                field_def.span,
                format!(
                    "the default of `{}.{}` contains itself, so it never ends",
                    def.name, field_def.name
                ),
            )
            .with_label("this default needs its own default again")
            .with_note(format!(
                "applying it applies {}, then `{}.{}` again",
                chain.join(", then "),
                def.name,
                field_def.name
            ))
            .with_help(format!(
                "make the field optional (`{}: {}?`) or drop its default",
                field_def.name, field_def.ty
            )),
        );
    }

    fn conform_enum(&mut self, value: Value, def: &EnumDef, declared: Option<Span>) -> Value {
        match &value.kind {
            ValueKind::Symbol(name) => {
                if def.variants.contains_key(name) {
                    let data = self.variant_data(&def.name, name).map(Box::new);
                    let kind = ValueKind::Variant(Box::new(Variant {
                        enum_name: def.name.clone(),
                        name: name.clone(),
                        data,
                    }));
                    return Value::new(kind, value.span);
                }
                if self.diagnostics.is_full() {
                    return Value::invalid(value.span);
                }
                let names: Vec<&str> = def.variants.keys().map(String::as_str).collect();
                // A near miss of a variant, else of a declared value (`hom` for `let home`).
                let suggestion = suggest::closest(name, names.iter().copied())
                    .or_else(|| suggest::closest(name, self.scope.value_names(self.program)));
                let mut diagnostic = Diagnostic::new(
                    Code::InvalidVariant,
                    value.span,
                    format!("`{name}` is not a `{}`", def.name),
                )
                .with_label(format!(
                    "not one of the {} variants of `{}`",
                    names.len(),
                    def.name
                ))
                .with_secondary(def.span, format!("`{}` is declared here", def.name))
                .with_help_opt(suggestion.map(|s| format!("did you mean `{s}`?")));
                diagnostic = self.edit_if_written(diagnostic, value.span, name, suggestion);
                // A long list only helps when there is no likely fix.
                if suggestion.is_none() || names.len() <= 10 {
                    diagnostic = diagnostic.with_note(format!(
                        "a `{}` is one of {}",
                        def.name,
                        suggest::list_or(&names)
                    ));
                }
                if let Some(span) = declared {
                    diagnostic =
                        diagnostic.with_secondary(span, format!("`{}` expected here", def.name));
                }
                self.report(diagnostic);
                Value::invalid(value.span)
            }
            ValueKind::Variant(v) if v.enum_name == def.name => value,
            _ => self.mismatch(value, &Type::Named(def.name.clone()), declared),
        }
    }

    fn conform_union(&mut self, value: Value, def: &UnionDef, declared: Option<Span>) -> Value {
        if def.has_errors {
            // Its declaration was reported; checking against it would echo that.
            return value;
        }
        let members: Vec<&str> = def.members.iter().map(String::as_str).collect();
        match value.record_type() {
            Some(Some(name)) if self.types.get(name).is_none() => {
                let name = name.to_string();
                self.unknown_record_type(&name, value.span, Some((&def.name, &members)));
                Value::invalid(value.span)
            }
            Some(Some(name)) if def.members.iter().any(|member| member == name) => {
                let ty = Type::Named(name.to_string());
                let mut value = self.conform(value, &ty, declared);
                if let ValueKind::Record(record) = &mut value.kind {
                    record.union = Some(def.name.clone());
                }
                value
            }
            Some(None) => {
                let mut diagnostic = Diagnostic::new(
                    Code::TypeMismatch,
                    value.span,
                    format!("a `{}` must say which kind it is", def.name),
                )
                .with_label(format!("which `{}` is this?", def.name))
                .with_note(format!(
                    "a `{}` is one of {}",
                    def.name,
                    suggest::list_or(&members)
                ))
                .with_help(format!(
                    "name the kind before the braces, e.g. `{} {{ ... }}`",
                    members.first().copied().unwrap_or("GitHub")
                ));
                if let Some(span) = declared {
                    diagnostic =
                        diagnostic.with_secondary(span, format!("`{}` expected here", def.name));
                }
                self.report(diagnostic);
                Value::invalid(value.span)
            }
            _ => self.mismatch(value, &Type::Named(def.name.clone()), declared),
        }
    }
}

/// The help of a broken rule: the rule in words, then the nearest valid value
/// when one can be computed. With it, the value as a literal and the nearest
/// one as a literal, for the edit.
fn refinement_help(
    rule: &Refinement,
    refinements: &[Refinement],
    value: &ValueKind,
    digits_only: bool,
) -> (Option<String>, Option<(String, String)>) {
    let words = match &rule.kind {
        RefinementKind::Length(low, high) => {
            let unit = if digits_only { "digits" } else { "characters" };
            Some(match (low, high) {
                (Some(l), Some(h)) if l == h => format!("exactly {l} {unit}"),
                _ => format!("{} {unit}", describe_range(*low, *high)),
            })
        }
        RefinementKind::Range(low, high) => {
            Some(format!("a number {}", describe_range(*low, *high)))
        }
        RefinementKind::Matches(_) => match value {
            ValueKind::Str(text) if nearest::allows_every_character(rule, text) => None,
            _ => nearest::characters_in_words(rule).map(|words| format!("only {words}")),
        },
    };
    let nearest = match value {
        ValueKind::Str(text) => nearest::nearest_string(text, refinements)
            .filter(|n| !n.contains(['"', '\\', '$']))
            .map(|n| (format!("\"{text}\""), format!("\"{n}\""))),
        ValueKind::Int(i) => {
            nearest::nearest_int(*i, refinements).map(|n| (i.to_string(), n.to_string()))
        }
        _ => None,
    };
    let help = match (words, &nearest) {
        (Some(words), Some((_, literal))) => Some(format!("write {literal} ({words})")),
        (None, Some((_, literal))) => Some(format!("write {literal}")),
        (Some(words), None) => Some(format!("write {words}")),
        (None, None) => None,
    };
    (help, nearest)
}

/// "A git branch name" -> "a git branch name".
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

fn out_of_range(value: i64, low: Option<i64>, high: Option<i64>) -> bool {
    low.is_some_and(|l| value < l) || high.is_some_and(|h| value > h)
}

fn describe_range(low: Option<i64>, high: Option<i64>) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("from {l} to {h}"),
        (Some(l), None) => format!("at least {l}"),
        (None, Some(h)) => format!("at most {h}"),
        (None, None) => "any number".into(),
    }
}

/// "an `AccountId`", "a `ZoneName`".
pub(super) fn article(name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} `{name}`", if vowel { "an" } else { "a" })
}

fn describe_type(ty: &Type) -> String {
    match ty {
        Type::Optional(inner) => describe_type(inner),
        other => format!("`{other}`"),
    }
}
