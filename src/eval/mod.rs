//! Evaluation and type checking. Declarations are evaluated on demand, each
//! once; every value is then conformed to the type its position expects
//! (see [`typeck`]), which applies defaults, turns bare names into enum
//! variants and checks refinements.
//!
//! There is no computation beyond references, `extends` and interpolation,
//! and cycles are reported, so evaluation always terminates. Two limits keep
//! it within a thread's stack and memory proportional to the input whatever
//! the input: [`MAX_DEPTH`] and [`work_budget`].

mod typeck;
pub mod value;

use std::collections::{HashMap, HashSet};

use crate::hashing::{name_map_with_capacity, NameHasher, NameMap};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::resolve::{ItemRef, Program, Scope};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast::{Expr, ExprKind, Ident, ItemKind, RecordLit, StrPart};
use crate::types::{resolve_type_expr, Type, TypeDef, TypeDefs};
pub use value::{Field, Origin, Record, Value, ValueKind};

/// How deeply evaluation may recurse through references, `extends`, type
/// aliases, defaults and nested values, and how deeply a value may nest.
pub const MAX_DEPTH: usize = 128;

/// How many values evaluation may build or copy, whatever the size of the
/// lake. References copy what they refer to, so without a limit a short file
/// whose values each refer to the previous one twice would double its size
/// at every line.
pub const BASE_WORK: usize = 100_000;

/// How many more values each byte of source allows. A generated lake builds
/// about one value per four bytes (43 per environment of 170 bytes), so an
/// honest lake stays far below its budget.
pub const WORK_PER_BYTE: usize = 2;

/// The budget of the largest inputs. A value costs up to a kilobyte, so this
/// keeps a hostile input near 2 GB, while a lake of 40,000 environments
/// still fits.
pub const MAX_WORK: usize = 2_000_000;

/// How many values evaluating `program` may build or copy: memory stays
/// linear in the size of the input, and bounded.
pub fn work_budget(program: &Program) -> usize {
    let source_bytes: usize = program.sources.files().map(|(_, f)| f.text.len()).sum();
    BASE_WORK
        .saturating_add(WORK_PER_BYTE.saturating_mul(source_bytes))
        .min(MAX_WORK)
}

/// The evaluated lake: the `lake` declaration and the environments, in source order.
#[derive(Debug, Default)]
pub struct Evaluated {
    pub lake: Option<(String, Value)>,
    pub environments: NameMap<String, Value>,
}

impl Evaluated {
    /// What the compiler understood, as `dlc eval` prints it.
    pub fn to_json(&self) -> serde_json::Value {
        let mut root = serde_json::Map::new();
        if let Some((name, lake)) = &self.lake {
            root.insert(
                "lake".into(),
                serde_json::json!({ "name": name, "fields": lake.to_json() }),
            );
        }
        root.insert(
            "environments".into(),
            serde_json::Value::Object(
                self.environments
                    .iter()
                    .map(|(name, value)| (name.clone(), value.to_json()))
                    .collect(),
            ),
        );
        serde_json::Value::Object(root)
    }
}

/// Evaluates every declaration of the user's files and returns the lake.
pub fn evaluate(
    program: &Program,
    scope: &Scope,
    types: &TypeDefs,
    lake: Option<ItemRef>,
    diagnostics: &mut Diagnostics,
) -> Evaluated {
    let mut evaluator = Evaluator {
        program,
        scope,
        types,
        diagnostics,
        states: HashMap::default(),
        stack: Vec::new(),
        variant_data: HashMap::default(),
        incomplete: HashSet::default(),
        suppress_missing: false,
        written_env_fields: HashMap::default(),
        extended: HashMap::default(),
        depth: 0,
        work: 0,
        work_budget: work_budget(program),
        limit_reported: false,
        defaults_in_progress: Vec::new(),
    };
    // Only the declaration that owns its name is evaluated: duplicates were
    // reported.
    let evaluated = || {
        program.items().filter(|(r, item)| {
            item.kind
                .name()
                .is_some_and(|n| scope.get(&n.name) == Some(*r))
        })
    };
    // Only the environments others extend need their written fields kept,
    // until their last heir has taken them.
    for (_, item) in evaluated() {
        if let ItemKind::Env(decl) = &item.kind {
            if let Some(parent) = &decl.extends {
                *evaluator.extended.entry(parent.name.clone()).or_default() += 1;
            }
        }
    }
    let mut wanted = Vec::new();
    for (r, item) in evaluated() {
        match &item.kind {
            ItemKind::Let(_) => evaluator.memoize(r),
            ItemKind::Env(_) => {
                evaluator.memoize(r);
                wanted.push(r);
            }
            ItemKind::Lake(_) if Some(r) == lake => {
                evaluator.memoize(r);
                wanted.push(r);
            }
            _ => {}
        }
    }
    // Move the values out of the memo rather than keeping a second copy.
    let mut evaluated = Evaluated::default();
    for r in wanted {
        let Some(State::Done(value, _)) = evaluator.states.remove(&r) else {
            continue;
        };
        match &program.item(r).kind {
            ItemKind::Env(decl) => {
                evaluated.environments.insert(decl.name.name.clone(), value);
            }
            ItemKind::Lake(decl) => evaluated.lake = Some((decl.name.name.clone(), value)),
            _ => {}
        }
    }
    evaluated
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    Extends,
    RefersTo,
}

impl Relation {
    fn verb(self) -> &'static str {
        match self {
            Relation::Extends => "extends",
            Relation::RefersTo => "refers to",
        }
    }
}

enum State {
    InProgress,
    /// The value and its weight (see [`measure`]).
    Done(Value, usize),
}

/// What evaluating a declaration returns besides memoizing its value.
#[derive(Clone, Copy, PartialEq)]
enum Returned {
    /// A copy of the value, for a reference to the declaration.
    Copy,
    /// `None` where the value is in the memo: a caller that only looks at
    /// it there needs no copy (a whole environment).
    Nothing,
}

pub(crate) struct Evaluator<'a, 'd> {
    program: &'a Program,
    scope: &'a Scope,
    types: &'a TypeDefs,
    diagnostics: &'d mut Diagnostics,
    states: HashMap<ItemRef, State, NameHasher>,
    /// Declarations being evaluated, each with how it was reached.
    stack: Vec<(String, Option<(Relation, Span)>)>,
    variant_data: HashMap<(String, String), Option<Value>, NameHasher>,
    /// Environments whose `extends` failed: their missing fields are not
    /// reported, since they would only echo the first error.
    incomplete: HashSet<String, NameHasher>,
    suppress_missing: bool,
    /// The fields each environment wrote, its parents' included: what a
    /// child inherits.
    written_env_fields: HashMap<String, NameMap<String, Field>, NameHasher>,
    /// Names of the environments that some `extends` names, each with the
    /// number of `extends` clauses that have not yet taken its fields.
    extended: HashMap<String, usize, NameHasher>,
    /// How deeply evaluation has recursed (see [`MAX_DEPTH`]).
    depth: usize,
    /// Values built or copied so far.
    work: usize,
    /// How many values may be built or copied (see [`work_budget`]).
    work_budget: usize,
    /// A limit is reported once: every value after it would repeat it.
    limit_reported: bool,
    /// The record fields whose defaults are being applied, as (record, field):
    /// a default that needs itself is reported instead of expanded forever.
    pub(super) defaults_in_progress: Vec<(String, String)>,
}

impl Evaluator<'_, '_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// `diagnostic` with the edit that writes `replacement` over `span`, when
    /// the source there reads `written`: a value that comes from elsewhere
    /// (a `let`, a default) is fixed where it is written, not here.
    pub(super) fn edit_if_written(
        &self,
        diagnostic: Diagnostic,
        span: Span,
        written: &str,
        replacement: Option<&str>,
    ) -> Diagnostic {
        match replacement {
            Some(replacement) if self.program.sources.text(span) == written => {
                diagnostic.with_edit(span, replacement)
            }
            _ => diagnostic,
        }
    }

    /// Enters one level of recursion; false (after reporting) past [`MAX_DEPTH`].
    pub(super) fn enter(&mut self, span: Span) -> bool {
        if self.depth >= MAX_DEPTH {
            self.limit(
                span,
                format!(
                    "evaluation nests too deeply: more than {MAX_DEPTH} levels of references, \
                     `extends`, type aliases, defaults or nested values"
                ),
                "shorten the chain: write the value out instead of reaching it through so many declarations",
            );
            return false;
        }
        self.depth += 1;
        true
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// False (after reporting) once evaluation has used up its budget of values.
    fn over_budget(&mut self, span: Span) -> bool {
        if self.work <= self.work_budget {
            return false;
        }
        let budget = self.work_budget;
        self.limit(
            span,
            format!("this lake is too large to evaluate: it builds more than {budget} values"),
            "a value copies everything it refers to: refer to large values less often, or split the lake",
        );
        true
    }

    fn limit(&mut self, span: Span, message: String, help: &str) {
        if std::mem::replace(&mut self.limit_reported, true) {
            return;
        }
        self.report(
            Diagnostic::new(Code::LimitExceeded, span, message)
                .with_label("the limit is reached here")
                .with_help(help),
        );
    }

    /// The value of a declaration, evaluated once.
    fn item(&mut self, r: ItemRef, via: Option<(Relation, Span)>) -> Value {
        match self.evaluate(r, via, Returned::Copy) {
            Some(value) => value,
            // Not reached: a copy is always returned.
            None => Value::invalid(via.map_or(self.program.item(r).span, |(_, s)| s)),
        }
    }

    /// Evaluates a declaration into the memo only: a top-level declaration
    /// is taken out of the memo at the end, and a copy of it (a whole
    /// environment) would be dropped unread.
    fn memoize(&mut self, r: ItemRef) {
        self.evaluate(r, None, Returned::Nothing);
    }

    /// The value of a declaration, evaluated once into the memo; an invalid
    /// value where it cannot be (a cycle, a limit).
    fn evaluate(
        &mut self,
        r: ItemRef,
        via: Option<(Relation, Span)>,
        returned: Returned,
    ) -> Option<Value> {
        let item = self.program.item(r);
        let name = item.kind.name().map(|n| n.name.clone()).unwrap_or_default();
        let span = via.map_or(item.span, |(_, s)| s);
        if self.over_budget(span) {
            return Some(Value::invalid(span));
        }
        match self.states.get(&r) {
            Some(State::Done(value, weight)) => {
                let value = (returned == Returned::Copy).then(|| value.clone());
                self.work += *weight;
                return value;
            }
            Some(State::InProgress) => {
                self.report_cycle(&name, via);
                return Some(Value::invalid(span));
            }
            None => {}
        }
        if !self.enter(span) {
            return Some(Value::invalid(span));
        }
        self.states.insert(r, State::InProgress);
        self.stack.push((name, via));
        // A field that recovery left out was reported as a syntax error:
        // the declaration is not missing it too.
        let lost_field = self.program.modules[r.module].lost_field_in(item.span);
        let outer_suppress = self.suppress_missing;
        self.suppress_missing |= lost_field;
        let value = match &item.kind {
            ItemKind::Let(decl) => {
                let raw = self.expr(&decl.value);
                let ty = match &decl.ty {
                    Some(t) => resolve_type_expr(self.program, self.scope, t, self.diagnostics),
                    None => Type::Any,
                };
                let declared = decl.ty.as_ref().map(|t| t.span);
                self.conform(raw, &ty, declared)
            }
            ItemKind::Lake(decl) => {
                let raw = self.record(&decl.body, None, decl.name.span);
                self.conform(raw, &Type::Named("Lake".into()), None)
            }
            ItemKind::Env(decl) => {
                let mut inherited = NameMap::default();
                let mut complete = true;
                if let Some(parent) = &decl.extends {
                    match self.parent_fields(parent) {
                        Some(fields) => {
                            inherited = fields
                                .into_iter()
                                .map(|(key, field)| {
                                    (key, field.inherited(&parent.name, parent.span))
                                })
                                .collect()
                        }
                        None => complete = false,
                    }
                    complete &= !self.incomplete.contains(&parent.name);
                }
                complete &= !lost_field;
                if !complete {
                    self.incomplete.insert(decl.name.name.clone());
                }
                let mut raw = self.record(&decl.body, None, decl.name.span);
                if let ValueKind::Record(record) = &mut raw.kind {
                    let written = std::mem::take(&mut record.fields);
                    record.fields = merge(inherited, written, &decl.body);
                    if self.extended.contains_key(&decl.name.name) {
                        self.written_env_fields
                            .insert(decl.name.name.clone(), record.fields.clone());
                    }
                }
                let outer = std::mem::replace(&mut self.suppress_missing, !complete);
                let value = self.conform(raw, &Type::Named("Environment".into()), None);
                self.suppress_missing = outer;
                value
            }
            _ => Value::invalid(item.span),
        };
        self.suppress_missing = outer_suppress;
        self.stack.pop();
        self.leave();
        let (value, weight) = match measure(&value, 0) {
            Some(weight) => (value, weight),
            None => {
                self.limit(
                    value.span,
                    format!("this value nests too deeply: more than {MAX_DEPTH} levels"),
                    "a lake needs a few levels at most; check the references that build this value",
                );
                (Value::invalid(value.span), 1)
            }
        };
        let copy = (returned == Returned::Copy).then(|| value.clone());
        self.states.insert(r, State::Done(value, weight));
        copy
    }

    /// The fields an environment inherits through `extends`.
    fn parent_fields(&mut self, parent: &Ident) -> Option<NameMap<String, Field>> {
        let Some(r) = self.scope.get(&parent.name) else {
            self.undefined(&parent.name, parent.span, true);
            return None;
        };
        if !matches!(self.program.item(r).kind, ItemKind::Env(_)) {
            let item = self.program.item(r);
            let declared = item.kind.name().map_or(item.span, |n| n.span);
            self.report(
                Diagnostic::new(
                    Code::ExtendsNotEnvironment,
                    parent.span,
                    format!(
                        "an environment can only extend another environment, and `{}` is not one",
                        parent.name
                    ),
                )
                .with_label("not an `env`")
                .with_secondary(declared, format!("`{}` is declared here", parent.name))
                .with_help("name an `env` declaration, or copy the fields you need"),
            );
            return None;
        }
        // Evaluating the parent first finds cycles; the child then inherits
        // what the parent wrote, and gets its own defaults.
        let parent_is_record =
            match self.evaluate(r, Some((Relation::Extends, parent.span)), Returned::Nothing) {
                Some(value) => matches!(value.kind, ValueKind::Record(_)),
                None => matches!(
                    self.states.get(&r),
                    Some(State::Done(
                        Value {
                            kind: ValueKind::Record(_),
                            ..
                        },
                        _
                    ))
                ),
            };
        if !parent_is_record {
            return None;
        }
        // The last heir takes the fields; the others copy them.
        let heirs = self.extended.get_mut(&parent.name)?;
        *heirs = heirs.saturating_sub(1);
        let fields = if *heirs == 0 {
            self.written_env_fields.remove(&parent.name)?
        } else {
            self.written_env_fields.get(&parent.name).cloned()?
        };
        self.work += fields
            .values()
            .map(|f| measure(&f.value, 0).unwrap_or(1))
            .sum::<usize>();
        Some(fields)
    }

    fn report_cycle(&mut self, name: &str, via: Option<(Relation, Span)>) {
        let Some(start) = self.stack.iter().position(|(n, _)| n == name) else {
            return;
        };
        let Some((closing_relation, closing_span)) = via else {
            return;
        };
        let mut chain = format!("`{name}`");
        let mut labels = Vec::new();
        let mut previous = name.to_string();
        for (entry, how) in &self.stack[start + 1..] {
            if let Some((relation, span)) = how {
                chain.push_str(&format!(", which {} `{entry}`", relation.verb()));
                labels.push((
                    *span,
                    format!("`{previous}` {} `{entry}` here", relation.verb()),
                ));
            }
            previous = entry.clone();
        }
        chain.push_str(&format!(", which {} `{name}`", closing_relation.verb()));
        let is_extends = closing_relation == Relation::Extends
            && self.stack[start + 1..]
                .iter()
                .all(|(_, how)| how.is_some_and(|(r, _)| r == Relation::Extends));
        let mut diagnostic = Diagnostic::new(
            Code::DefinitionCycle,
            closing_span,
            if is_extends {
                format!("`{name}` extends itself")
            } else {
                format!("`{name}` depends on itself")
            },
        )
        .with_label(format!(
            "`{previous}` {} `{name}` here, closing the cycle",
            closing_relation.verb()
        ))
        .with_note(format!("the cycle: {chain}"))
        .with_help(if is_extends {
            "one of these environments must stand on its own: remove one `extends`"
        } else {
            "write the value out in one of the declarations"
        });
        for (span, label) in labels {
            diagnostic = diagnostic.with_secondary(span, label);
        }
        self.report(diagnostic);
    }

    fn undefined(&mut self, name: &str, span: Span, environment: bool) {
        // Finding a suggestion is the costly part; past the limit it is wasted.
        if self.diagnostics.is_full() {
            return;
        }
        // The environment being declared cannot be its own parent.
        let declaring = self.stack.last().map(|(n, _)| n.as_str());
        let candidates: Vec<&str> = if environment {
            self.scope
                .names()
                .filter(|n| {
                    Some(*n) != declaring
                        && self
                            .scope
                            .get(n)
                            .is_some_and(|r| matches!(self.program.item(r).kind, ItemKind::Env(_)))
                })
                .collect()
        } else {
            self.scope.value_names(self.program).collect()
        };
        let suggestion = suggest::closest(name, candidates.iter().copied());
        if self.program.may_declare(name, suggestion.is_some()) {
            return;
        }
        let what = if environment { "environment" } else { "name" };
        let mut diagnostic = Diagnostic::new(
            Code::UndefinedName,
            span,
            format!("cannot find the {what} `{name}` in this lake"),
        )
        .with_label(format!("no {what} called `{name}`"));
        diagnostic = self.edit_if_written(diagnostic, span, name, suggestion);
        diagnostic = match suggestion {
            Some(s) => diagnostic.with_help(format!("did you mean `{s}`?")),
            None if environment && !candidates.is_empty() => {
                let names: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
                diagnostic.with_help(format!(
                    "extend one of the environments declared: {}",
                    names.join(", ")
                ))
            }
            None if environment => diagnostic.with_help(format!(
                "declare it with `env {name} {{ ... }}`, or import the file that does"
            )),
            None => diagnostic
                .with_help("declare it with `let`, `env` or `lake`, or import the file that does"),
        };
        self.report(diagnostic);
    }

    fn expr(&mut self, expr: &Expr) -> Value {
        if self.over_budget(expr.span) || !self.enter(expr.span) {
            return Value::invalid(expr.span);
        }
        self.work += 1;
        let value = self.expr_inner(expr);
        self.leave();
        value
    }

    fn expr_inner(&mut self, expr: &Expr) -> Value {
        let span = expr.span;
        let kind = match &expr.kind {
            ExprKind::Int(i) => ValueKind::Int(*i),
            ExprKind::Bool(b) => ValueKind::Bool(*b),
            ExprKind::Cidr(c) => ValueKind::Cidr(*c),
            ExprKind::Duration(d) => ValueKind::Duration(*d),
            ExprKind::Str(parts) => self.string(parts),
            ExprKind::List(items) => ValueKind::List(items.iter().map(|e| self.expr(e)).collect()),
            ExprKind::Record(record) => {
                return self.record(record, record.type_name.as_ref(), span)
            }
            ExprKind::Path(path) => return self.path(path, span),
            ExprKind::Invalid => ValueKind::Invalid,
        };
        Value::new(kind, span)
    }

    fn record(&mut self, record: &RecordLit, type_name: Option<&Ident>, span: Span) -> Value {
        let mut fields: NameMap<String, Field> = name_map_with_capacity(record.fields.len());
        for field in &record.fields {
            if let Some(first) = fields.get(&field.key.name) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateField,
                        field.key.span,
                        format!("the field `{}` is given twice", field.key.name),
                    )
                    .with_label("given again here")
                    .with_secondary(first.key_span, "first given here")
                    .with_help("remove one of them; the second would silently win otherwise"),
                );
                continue;
            }
            let value = self.expr(&field.value);
            fields.insert(
                field.key.name.clone(),
                Field::written(field.key.span, value),
            );
        }
        Value::new(
            ValueKind::Record(Box::new(Record {
                type_name: type_name.map(|t| t.name.clone()),
                union: None,
                fields,
            })),
            span,
        )
    }

    /// The string's text; `Invalid` when an interpolation fails, so that no
    /// later check reads the text that is left.
    fn string(&mut self, parts: &[StrPart]) -> ValueKind {
        let mut text = String::new();
        let mut whole = true;
        for part in parts {
            match part {
                StrPart::Text(t) => text.push_str(t),
                StrPart::Interpolation(path, span) => {
                    let value = self.path(path, *span);
                    match &value.kind {
                        ValueKind::Str(s) => text.push_str(s),
                        ValueKind::Int(i) => text.push_str(&i.to_string()),
                        ValueKind::Bool(b) => text.push_str(&b.to_string()),
                        ValueKind::Cidr(c) => text.push_str(&c.to_string()),
                        ValueKind::Duration(d) => text.push_str(&d.to_string()),
                        ValueKind::Variant(v) => text.push_str(&v.name),
                        ValueKind::Symbol(name) => {
                            let name = name.clone();
                            // At the name, which a did-you-mean replaces.
                            let at = path.first().map_or(*span, |first| first.span);
                            self.undefined(&name, at, false);
                            whole = false;
                        }
                        ValueKind::Invalid => whole = false,
                        ValueKind::List(_) | ValueKind::Record(_) => {
                            whole = false;
                            let help = match &value.kind {
                                ValueKind::Record(record) => {
                                    let written: Vec<&str> =
                                        path.iter().map(|i| i.name.as_str()).collect();
                                    let field = record
                                        .fields
                                        .keys()
                                        .next()
                                        .map_or("account", String::as_str);
                                    format!(
                                        "interpolate one of its fields, e.g. `${{{}.{field}}}`",
                                        written.join(".")
                                    )
                                }
                                _ => "a list has no text form; write the text out, or interpolate a `let` that holds it".into(),
                            };
                            self.report(
                                Diagnostic::new(
                                    Code::NotInterpolable,
                                    *span,
                                    format!("{} cannot be put into a string", value.describe()),
                                )
                                .with_label("not text")
                                .with_help(help),
                            )
                        }
                    }
                }
            }
        }
        if whole {
            ValueKind::Str(text)
        } else {
            ValueKind::Invalid
        }
    }

    /// `name` or `name.field...`. A bare name that is not declared is kept as
    /// a symbol: it may be an enum variant, which only the expected type tells.
    fn path(&mut self, path: &[Ident], span: Span) -> Value {
        let Some(first) = path.first() else {
            return Value::invalid(span);
        };
        let Some(r) = self.scope.get(&first.name) else {
            if path.len() == 1 {
                return Value::new(ValueKind::Symbol(first.name.clone()), span);
            }
            self.undefined(&first.name, first.span, false);
            return Value::invalid(span);
        };
        let item = self.program.item(r);
        if matches!(
            item.kind,
            ItemKind::Type(_) | ItemKind::Record(_) | ItemKind::Enum(_)
        ) {
            let name = &first.name;
            let help = match self.types.get(name) {
                Some(TypeDef::Record(_)) => format!(
                    "to make {} record, write `{name} {{ ... }}`",
                    typeck::article(name)
                ),
                Some(TypeDef::Enum(def)) => match def.variants.keys().next() {
                    Some(variant) => {
                        format!("write one of its variants, e.g. `{variant}`")
                    }
                    None => "write a value, not its type".into(),
                },
                Some(TypeDef::Union(def)) => match def.members.first() {
                    Some(member) => {
                        format!("write one of its kinds, e.g. `{member} {{ ... }}`")
                    }
                    None => "write a value, not its type".into(),
                },
                _ => "write a value, not its type".into(),
            };
            self.report(
                Diagnostic::new(
                    Code::UndefinedName,
                    first.span,
                    format!("`{name}` is a type, not a value"),
                )
                .with_label("a type")
                .with_help(help),
            );
            return Value::invalid(span);
        }
        let mut value = self.item(r, Some((Relation::RefersTo, first.span)));
        let mut owner = first.name.clone();
        let path_end = path.last().map_or(span.end, |last| last.span.end);
        for segment in &path[1..] {
            value = self.field_of(value, &owner, segment, path_end);
            owner = format!("{owner}.{}", segment.name);
        }
        value.respan(span)
    }

    /// `path_end`: where the path this segment is part of ends, for an edit
    /// that cuts the fields a value does not have.
    fn field_of(&mut self, value: Value, owner: &str, segment: &Ident, path_end: u32) -> Value {
        let record = match &value.kind {
            ValueKind::Record(record) => Some(record),
            ValueKind::Variant(variant) => match variant.data.as_deref().map(|data| &data.kind) {
                Some(ValueKind::Record(record)) => Some(record),
                _ => None,
            },
            ValueKind::Invalid => return Value::invalid(segment.span),
            _ => None,
        };
        let Some(record) = record else {
            let mut diagnostic = Diagnostic::new(
                Code::NoSuchField,
                segment.span,
                format!("`{owner}` is {} and has no fields", value.describe()),
            )
            .with_label(format!("no field `{}`", segment.name))
            .with_help(format!("refer to `{owner}` itself"));
            // From the `.` before this segment to the end of the path.
            let start = segment.span.start.saturating_sub(1);
            let cut = Span {
                start,
                end: path_end,
                ..segment.span
            };
            if self.program.sources.text(cut).starts_with('.') {
                diagnostic = diagnostic.with_edit(cut, "");
            }
            self.report(diagnostic);
            return Value::invalid(segment.span);
        };
        if let Some(field) = record.fields.get(&segment.name) {
            return field.value.clone();
        }
        if self.diagnostics.is_full() {
            return Value::invalid(segment.span);
        }
        let declared = record
            .type_name
            .as_deref()
            .and_then(|t| self.types.record(t))
            .is_some_and(|def| def.fields.contains_key(&segment.name));
        let diagnostic = if declared {
            Diagnostic::new(
                Code::NoSuchField,
                segment.span,
                format!("`{owner}` does not set `{}`", segment.name),
            )
            .with_label("an optional field with no value here")
            .with_help(format!(
                "set `{}` in `{owner}`, or refer to something that is set",
                segment.name
            ))
        } else {
            let suggestion =
                suggest::closest(&segment.name, record.fields.keys().map(String::as_str));
            let diagnostic = Diagnostic::new(
                Code::NoSuchField,
                segment.span,
                format!("`{owner}` has no field `{}`", segment.name),
            )
            .with_label("unknown field")
            .with_help_opt(suggestion.map(|s| format!("did you mean `{s}`?")));
            self.edit_if_written(diagnostic, segment.span, &segment.name, suggestion)
        };
        self.report(diagnostic);
        Value::invalid(segment.span)
    }

    /// The data of an enum variant, conformed to its enum's data type, once.
    fn variant_data(&mut self, enum_name: &str, variant: &str) -> Option<Value> {
        let types = self.types;
        let Some(TypeDef::Enum(def)) = types.get(enum_name) else {
            return None;
        };
        // Most enums carry no data: nothing to evaluate, nor to remember.
        def.data_type.as_ref()?;
        let key = (enum_name.to_string(), variant.to_string());
        if let Some(data) = self.variant_data.get(&key) {
            let data = data.clone();
            self.work += data.as_ref().map_or(0, |d| measure(d, 0).unwrap_or(1));
            return data;
        }
        let data = match (
            &def.data_type,
            def.variants.get(variant).and_then(|v| v.data.as_ref()),
        ) {
            (Some(ty), Some(literal)) => {
                let ty = ty.clone();
                let raw = self.record(literal, None, literal.span);
                Some(self.conform(raw, &ty, None))
            }
            _ => None,
        };
        self.variant_data.insert(key, data.clone());
        data
    }
}

/// What an environment that writes `written` (as `body`) holds over the
/// fields it inherits: a record written as a bare `{ ... }` over an inherited
/// record merges into it, field by field and recursively; anything else
/// (scalars, lists, a record written with its type name) replaces the
/// inherited value whole. Inherited fields keep their place; new ones follow.
fn merge(
    mut inherited: NameMap<String, Field>,
    written: NameMap<String, Field>,
    body: &RecordLit,
) -> NameMap<String, Field> {
    for (key, mut field) in written {
        let amends = body
            .fields
            .iter()
            .find(|f| f.key.name == key)
            .and_then(|f| match &f.value.kind {
                ExprKind::Record(literal) if literal.type_name.is_none() => Some(literal),
                _ => None,
            });
        let old = inherited.get_mut(&key).map(|f| &mut f.value.kind);
        if let (Some(literal), Some(ValueKind::Record(old)), ValueKind::Record(new)) =
            (amends, old, &mut field.value.kind)
        {
            let old_fields = std::mem::take(&mut old.fields);
            new.fields = merge(old_fields, std::mem::take(&mut new.fields), literal);
            new.type_name = old.type_name.take();
        }
        inherited.insert(key, field);
    }
    inherited
}

/// A value's weight, counted against the [`work_budget`]: one per value, plus one per
/// 64 bytes of text. `None` when it nests deeper than [`MAX_DEPTH`] below `depth`.
fn measure(value: &Value, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    let inner = match &value.kind {
        ValueKind::Str(s) | ValueKind::Symbol(s) => s.len() / 64,
        ValueKind::List(items) => items
            .iter()
            .map(|v| measure(v, depth + 1))
            .sum::<Option<usize>>()?,
        ValueKind::Record(record) => record
            .fields
            .values()
            .map(|f| measure(&f.value, depth + 1))
            .sum::<Option<usize>>()?,
        ValueKind::Variant(variant) => match &variant.data {
            Some(d) => measure(d, depth + 1)?,
            None => 0,
        },
        _ => 0,
    };
    Some(1 + inner)
}
