//! Types: the builtin ones and those declared with `type`, `record` and `enum`
//! (the stdlib's schemas, or the user's own).

pub mod nearest;
pub(crate) mod pattern;

use std::collections::HashMap;
use std::fmt;

use crate::hashing::{name_map_with_capacity, NameMap};

pub use pattern::Pattern;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::resolve::{Program, Scope};
use crate::source::Span;
use crate::syntax::ast::{
    ConstraintKind, Docs, EnumDecl, Expr, Ident, ItemKind, RecordDecl, RecordLit, TypeDecl,
    TypeExpr, TypeExprKind,
};

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Int,
    Bool,
    Cidr,
    Duration,
    List(Box<Type>),
    /// Records with free keys: `Map[String]`.
    Map(Box<Type>),
    Optional(Box<Type>),
    /// A declared type, by name.
    Named(String),
    /// No expectation (an untyped `let`); the value is checked where it is used.
    Any,
    /// A type that failed to resolve; values are not checked against it.
    Error,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("String"),
            Type::Int => f.write_str("Int"),
            Type::Bool => f.write_str("Bool"),
            Type::Cidr => f.write_str("Cidr"),
            Type::Duration => f.write_str("Duration"),
            Type::List(t) => write!(f, "[{t}]"),
            Type::Map(t) => write!(f, "Map[{t}]"),
            Type::Optional(t) => write!(f, "{t}?"),
            Type::Named(n) => f.write_str(n),
            Type::Any => f.write_str("any value"),
            Type::Error => f.write_str("{unknown}"),
        }
    }
}

#[derive(Debug)]
pub enum TypeDef {
    Alias(AliasDef),
    Record(RecordDef),
    Enum(EnumDef),
    Union(UnionDef),
}

#[derive(Debug)]
pub struct AliasDef {
    pub name: String,
    pub base: Type,
    pub refinements: Vec<Refinement>,
    pub docs: Docs,
    pub span: Span,
}

#[derive(Debug)]
pub struct Refinement {
    pub kind: RefinementKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum RefinementKind {
    /// Inclusive bounds on an integer.
    Range(Option<i64>, Option<i64>),
    /// Inclusive bounds on a string's length in characters.
    Length(Option<i64>, Option<i64>),
    Matches(Pattern),
}

#[derive(Debug)]
pub struct RecordDef {
    pub name: String,
    pub fields: NameMap<String, FieldDef>,
    pub docs: Docs,
    pub span: Span,
}

#[derive(Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Type,
    /// Where the field's type is written, for "declared here" labels.
    pub ty_span: Span,
    pub default: Option<Expr>,
    pub docs: Docs,
    pub span: Span,
}

impl FieldDef {
    pub fn is_required(&self) -> bool {
        self.default.is_none() && !matches!(self.ty, Type::Optional(_))
    }
}

#[derive(Debug)]
pub struct EnumDef {
    pub name: String,
    pub data_type: Option<Type>,
    pub variants: NameMap<String, VariantDef>,
    pub docs: Docs,
    pub span: Span,
}

#[derive(Debug)]
pub struct VariantDef {
    pub name: String,
    pub data: Option<RecordLit>,
    pub docs: Docs,
    pub span: Span,
}

#[derive(Debug)]
pub struct UnionDef {
    pub name: String,
    /// Names of record types.
    pub members: Vec<String>,
    /// True when a member was not a record type (already reported).
    pub has_errors: bool,
    pub docs: Docs,
    pub span: Span,
}

/// Every declared type of a program.
#[derive(Debug, Default)]
pub struct TypeDefs {
    defs: NameMap<String, TypeDef>,
}

impl TypeDefs {
    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.defs.get(name)
    }

    pub fn record(&self, name: &str) -> Option<&RecordDef> {
        match self.defs.get(name) {
            Some(TypeDef::Record(r)) => Some(r),
            _ => None,
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.defs.keys().map(String::as_str)
    }

    /// Collects the type declarations of a program and resolves the type
    /// expressions in them.
    pub fn build(program: &Program, scope: &Scope, diagnostics: &mut Diagnostics) -> TypeDefs {
        // Sized for every item (most are the stdlib's types): growing it
        // reallocated its entries and its index several times.
        let mut defs = name_map_with_capacity(program.order.len());
        let mut resolver = Resolver {
            program,
            scope,
            diagnostics,
        };
        for (r, item) in program.items() {
            // Skip duplicates: the scope already reported them.
            let Some(name) = item.kind.name() else {
                continue;
            };
            if scope.get(&name.name) != Some(r) {
                continue;
            }
            let def = match &item.kind {
                ItemKind::Type(decl) => resolver.type_decl(decl, &item.docs, program.is_std(r)),
                ItemKind::Record(decl) => TypeDef::Record(resolver.record_decl(decl, &item.docs)),
                ItemKind::Enum(decl) => TypeDef::Enum(resolver.enum_decl(decl, &item.docs)),
                _ => continue,
            };
            defs.insert(name.name.clone(), def);
        }
        break_alias_cycles(&mut defs, diagnostics);
        TypeDefs { defs }
    }
}

/// The declared type that `ty` stands for directly: `A` for `A` and `A?`.
fn alias_target(ty: &Type) -> Option<&str> {
    match ty {
        Type::Optional(inner) => alias_target(inner),
        Type::Named(name) => Some(name),
        _ => None,
    }
}

/// Reports aliases that stand for themselves (`type A = B`, `type B = A?`),
/// which no value could ever conform to, and turns them into errors so that
/// later stages need not follow them. A list or map in between is fine:
/// `type Tree = [Tree]` holds finite values.
fn break_alias_cycles(defs: &mut NameMap<String, TypeDef>, diagnostics: &mut Diagnostics) {
    #[derive(Clone, Copy, PartialEq)]
    enum Visit {
        OnPath,
        Done,
    }
    let mut visits: HashMap<String, Visit> = HashMap::new();
    let mut cycles: Vec<Vec<String>> = Vec::new();
    let names: Vec<String> = defs.keys().cloned().collect();
    for start in names {
        let mut path: Vec<String> = Vec::new();
        let mut current = Some(start);
        // Iterative: a chain of aliases may be long.
        while let Some(name) = current.take() {
            match visits.get(&name) {
                Some(Visit::Done) => break,
                Some(Visit::OnPath) => {
                    let from = path.iter().position(|n| *n == name).unwrap_or(0);
                    cycles.push(path[from..].to_vec());
                    break;
                }
                None => {}
            }
            let Some(TypeDef::Alias(def)) = defs.get(&name) else {
                break;
            };
            current = alias_target(&def.base).map(String::from);
            visits.insert(name.clone(), Visit::OnPath);
            path.push(name);
        }
        for name in path {
            visits.insert(name, Visit::Done);
        }
    }
    // A long cycle is named by its first few members.
    const SHOWN: usize = 8;
    for cycle in cycles {
        let mut spans = Vec::new();
        for name in &cycle {
            if let Some(TypeDef::Alias(def)) = defs.get_mut(name) {
                def.base = Type::Error;
                spans.push(def.span);
            }
        }
        let Some(&first) = spans.iter().min() else {
            continue;
        };
        let message = match cycle.as_slice() {
            [one] => format!("the type `{one}` is defined as itself"),
            few if few.len() <= SHOWN => format!(
                "the types {} are defined in terms of each other",
                crate::suggest::list_and(&few.iter().map(String::as_str).collect::<Vec<_>>())
            ),
            many => format!(
                "the types `{}` and {} others are defined in terms of each other",
                many[0],
                many.len() - 1
            ),
        };
        let mut chain: Vec<String> = cycle.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
        if cycle.len() > SHOWN {
            chain.push(format!("... ({} more)", cycle.len() - SHOWN));
        }
        chain.push(format!("`{}`", cycle[0]));
        let mut diagnostic = Diagnostic::new(Code::InvalidTypeDeclaration, first, message)
            .with_label("no value can ever be of this type")
            .with_note(format!("the cycle: {}", chain.join(" is ")))
            .with_help(
                "end the chain at a builtin type, a record or an enum, e.g. `type Name = String`",
            );
        for span in spans.into_iter().filter(|s| *s != first).take(SHOWN) {
            diagnostic = diagnostic.with_secondary(span, "part of the cycle");
        }
        diagnostics.push(diagnostic);
    }
}

struct Resolver<'a, 'd> {
    program: &'a Program,
    scope: &'a Scope,
    diagnostics: &'d mut Diagnostics,
}

const BUILTINS: &[&str] = &["String", "Int", "Bool", "Cidr", "Duration", "Map"];

impl Resolver<'_, '_> {
    pub fn resolve(&mut self, expr: &TypeExpr) -> Type {
        match &expr.kind {
            TypeExprKind::List(element) => Type::List(Box::new(self.resolve(element))),
            TypeExprKind::Optional(inner) => Type::Optional(Box::new(self.resolve(inner))),
            TypeExprKind::Named(name, argument) => {
                let ty = match name.name.as_str() {
                    "String" => Type::String,
                    "Int" => Type::Int,
                    "Bool" => Type::Bool,
                    "Cidr" => Type::Cidr,
                    "Duration" => Type::Duration,
                    "Map" => {
                        return match argument {
                            Some(argument) => Type::Map(Box::new(self.resolve(argument))),
                            None => {
                                self.invalid(
                                    expr.span,
                                    "`Map` needs the type of its values",
                                    "write `Map[String]`",
                                );
                                Type::Error
                            }
                        }
                    }
                    "" => return Type::Error,
                    other => {
                        let declared = self.scope.get(other).map(|r| &self.program.item(r).kind);
                        match declared {
                            Some(ItemKind::Type(_) | ItemKind::Record(_) | ItemKind::Enum(_)) => {
                                Type::Named(other.to_string())
                            }
                            _ if self.diagnostics.is_full() => return Type::Error,
                            _ => {
                                let candidates =
                                    BUILTINS.iter().copied().chain(self.scope.names().filter(
                                        |n| n.chars().next().is_some_and(char::is_uppercase),
                                    ));
                                let suggestion = crate::suggest::closest(other, candidates);
                                if self.program.may_declare(other, suggestion.is_some()) {
                                    return Type::Error;
                                }
                                let mut diagnostic = Diagnostic::new(
                                    Code::UndefinedType,
                                    name.span,
                                    format!("there is no type named `{other}`"),
                                )
                                .with_label("unknown type")
                                .with_help(match suggestion {
                                    Some(s) => format!("did you mean `{s}`?"),
                                    None => "the builtin types are String, Int, Bool, Cidr, Duration and Map[T]; others are declared with `type`, `record` or `enum`".into(),
                                });
                                if let Some(s) = suggestion {
                                    diagnostic = diagnostic.with_edit(name.span, s);
                                }
                                self.diagnostics.push(diagnostic);
                                return Type::Error;
                            }
                        }
                    }
                };
                if argument.is_some() {
                    self.invalid(
                        expr.span,
                        &format!("`{}` takes no type argument", name.name),
                        "only `Map[T]` takes one; a list is written `[T]`",
                    );
                }
                ty
            }
        }
    }

    fn invalid(&mut self, span: Span, message: &str, help: &str) {
        self.diagnostics.push(
            Diagnostic::new(Code::InvalidTypeDeclaration, span, message.to_string())
                .with_label("invalid here")
                .with_help(help.to_string()),
        );
    }

    /// `std`: a stdlib declaration, whose patterns are compiled on first use.
    fn type_decl(&mut self, decl: &TypeDecl, docs: &Docs, std: bool) -> TypeDef {
        if !decl.union_rest.is_empty() {
            let mut members = Vec::new();
            let mut has_errors = false;
            for member in std::iter::once(&decl.base).chain(&decl.union_rest) {
                match self.resolve(member) {
                    Type::Named(name)
                        if matches!(
                            self.scope.get(&name).map(|r| &self.program.item(r).kind),
                            Some(ItemKind::Record(_))
                        ) =>
                    {
                        members.push(name)
                    }
                    Type::Error => has_errors = true,
                    other => {
                        has_errors = true;
                        self.invalid(
                            member.span,
                            &format!("a union joins record types, and `{other}` is not one"),
                            "name `record` types, e.g. `type Source = GitHub | CodeCommit`",
                        )
                    }
                }
            }
            return TypeDef::Union(UnionDef {
                name: decl.name.name.clone(),
                members,
                has_errors,
                docs: docs.clone(),
                span: decl.name.span,
            });
        }
        let base = self.resolve(&decl.base);
        let mut refinements = Vec::new();
        for constraint in &decl.constraints {
            let kind = match (&constraint.kind, &base) {
                (ConstraintKind::Range(low, high), Type::Int) => RefinementKind::Range(*low, *high),
                (ConstraintKind::Length(low, high), Type::String) => {
                    RefinementKind::Length(*low, *high)
                }
                (ConstraintKind::Matches(pattern), Type::String) if std => {
                    RefinementKind::Matches(Pattern::deferred(pattern))
                }
                (ConstraintKind::Matches(pattern), Type::String) => match Pattern::compile(pattern)
                {
                    Ok(pattern) => RefinementKind::Matches(pattern),
                    Err(error) => {
                        // The regex error spans lines (pattern, caret, reason):
                        // keep the reason, so that the message is one line.
                        let error = error.to_string();
                        let reason = error
                            .lines()
                            .rev()
                            .find(|line| !line.trim().is_empty())
                            .unwrap_or("")
                            .trim_start_matches("error: ");
                        self.invalid(
                            constraint.span,
                            &format!("`{pattern}` is not a valid pattern: {reason}"),
                            "patterns use Rust regex syntax, e.g. \"^[a-z0-9-]+$\"",
                        );
                        continue;
                    }
                },
                (_, Type::Error) => continue,
                (ConstraintKind::Range(..), _) => {
                    self.invalid(
                        constraint.span,
                        "a range constrains an `Int`",
                        "use `length` for strings",
                    );
                    continue;
                }
                _ => {
                    self.invalid(
                        constraint.span,
                        "`length` and `matches` constrain a `String`",
                        "use a range such as `1..6` for an `Int`",
                    );
                    continue;
                }
            };
            refinements.push(Refinement {
                kind,
                span: constraint.span,
            });
        }
        TypeDef::Alias(AliasDef {
            name: decl.name.name.clone(),
            base,
            refinements,
            docs: docs.clone(),
            span: decl.name.span,
        })
    }

    /// A field of a record, or a variant of an enum, declared a second time.
    fn declared_twice(&mut self, code: Code, what: &str, name: &Ident, first: Span, owner: &Ident) {
        self.diagnostics.push(
            Diagnostic::new(
                code,
                name.span,
                format!(
                    "the {what} `{}` is declared twice in `{}`",
                    name.name, owner.name
                ),
            )
            .with_label("declared again here")
            .with_secondary(first, "first declared here")
            .with_help("remove one of them"),
        );
    }

    fn record_decl(&mut self, decl: &RecordDecl, docs: &Docs) -> RecordDef {
        let mut fields = name_map_with_capacity(decl.fields.len());
        for field in &decl.fields {
            if let Some(first) = fields.get(&field.name.name) {
                let first: &FieldDef = first;
                self.declared_twice(
                    Code::DuplicateField,
                    "field",
                    &field.name,
                    first.span,
                    &decl.name,
                );
                continue;
            }
            let ty = self.resolve(&field.ty);
            fields.insert(
                field.name.name.clone(),
                FieldDef {
                    name: field.name.name.clone(),
                    ty,
                    ty_span: field.ty.span,
                    default: field.default.clone(),
                    docs: field.docs.clone(),
                    // `name: Type`, without the doc comment above it.
                    span: field.name.span.to(field.ty.span),
                },
            );
        }
        RecordDef {
            name: decl.name.name.clone(),
            fields,
            docs: docs.clone(),
            span: decl.name.span,
        }
    }

    fn enum_decl(&mut self, decl: &EnumDecl, docs: &Docs) -> EnumDef {
        let data_type = decl.data_type.as_ref().map(|t| self.resolve(t));
        let mut variants = name_map_with_capacity(decl.variants.len());
        for variant in &decl.variants {
            if let Some(first) = variants.get(&variant.name.name) {
                let first: &VariantDef = first;
                self.declared_twice(
                    Code::DuplicateDeclaration,
                    "variant",
                    &variant.name,
                    first.span,
                    &decl.name,
                );
                continue;
            }
            variants.insert(
                variant.name.name.clone(),
                VariantDef {
                    name: variant.name.name.clone(),
                    data: variant.data.clone(),
                    docs: variant.docs.clone(),
                    span: variant.name.span,
                },
            );
        }
        EnumDef {
            name: decl.name.name.clone(),
            data_type,
            variants,
            docs: docs.clone(),
            span: decl.name.span,
        }
    }
}

/// Resolves a type expression outside type declarations (a `let`'s annotation).
pub fn resolve_type_expr(
    program: &Program,
    scope: &Scope,
    expr: &TypeExpr,
    diagnostics: &mut Diagnostics,
) -> Type {
    Resolver {
        program,
        scope,
        diagnostics,
    }
    .resolve(expr)
}
