//! The syntax tree. Every node carries the byte span it was parsed from.

use ipnet::Ipv4Net;

// A duration is written in the source and kept by the model: it belongs to
// neither, so later stages need not reach into the syntax for it.
pub use crate::literals::{Duration, DurationUnit};
use crate::source::{FileId, Span};

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// Doc comments (`///`) attached to the declaration, field or variant after them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Docs {
    pub lines: Vec<String>,
}

impl Docs {
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub file: FileId,
    pub items: Vec<Item>,
    /// (keyword, name) of the items that failed to parse: `("env", "Dev")`.
    pub unparsed: Vec<(String, String)>,
    /// The fields left out of items that parsed only without them (a syntax
    /// error inside a field loses that field, not its item).
    pub lost_fields: Vec<Span>,
}

impl Module {
    /// True when `span` holds a field that recovery left out: what is missing
    /// from it was reported as a syntax error.
    pub fn lost_field_in(&self, span: Span) -> bool {
        self.lost_fields
            .iter()
            .any(|lost| lost.file == span.file && span.start <= lost.start && lost.end <= span.end)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub docs: Docs,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Import(Import),
    Lake(Declaration),
    Env(Declaration),
    Let(LetDecl),
    Type(TypeDecl),
    Record(RecordDecl),
    Enum(EnumDecl),
}

impl ItemKind {
    /// The name the item declares, if it declares one.
    pub fn name(&self) -> Option<&Ident> {
        match self {
            ItemKind::Import(_) => None,
            ItemKind::Lake(d) | ItemKind::Env(d) => Some(&d.name),
            ItemKind::Let(d) => Some(&d.name),
            ItemKind::Type(d) => Some(&d.name),
            ItemKind::Record(d) => Some(&d.name),
            ItemKind::Enum(d) => Some(&d.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub target: ImportTarget,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportTarget {
    /// `import "zones.dl"`: relative to the importing file.
    File(String),
    /// `import std.presets`.
    Std(String),
}

/// `lake Name { ... }` or `env Name extends Other { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Declaration {
    pub name: Ident,
    pub extends: Option<Ident>,
    pub body: RecordLit,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
}

/// `type Name = Base where ...` or `type Name = A | B`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    pub name: Ident,
    pub base: TypeExpr,
    pub union_rest: Vec<TypeExpr>,
    pub constraints: Vec<Constraint>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    pub kind: ConstraintKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintKind {
    /// `where 1..6`: an inclusive integer range; either end may be open.
    Range(Option<i64>, Option<i64>),
    /// `where length 12` or `where length 3..63`.
    Length(Option<i64>, Option<i64>),
    /// `where matches "regex"`.
    Matches(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub docs: Docs,
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub data_type: Option<TypeExpr>,
    pub variants: Vec<VariantDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariantDecl {
    pub docs: Docs,
    pub name: Ident,
    pub data: Option<RecordLit>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// `String`, `Region`, or `Map[String]`.
    Named(Ident, Option<Box<TypeExpr>>),
    List(Box<TypeExpr>),
    Optional(Box<TypeExpr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Str(Vec<StrPart>),
    Int(i64),
    Bool(bool),
    Cidr(Ipv4Net),
    /// In seconds.
    Duration(Duration),
    List(Vec<Expr>),
    Record(RecordLit),
    /// `name` or `name.field.field`.
    Path(Vec<Ident>),
    /// A literal that was reported while building the tree; checks skip it.
    Invalid,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Text(String),
    /// `${path}`.
    Interpolation(Vec<Ident>, Span),
}

/// `Type { field = value, ... }` or `{ ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordLit {
    pub type_name: Option<Ident>,
    pub fields: Vec<FieldAssign>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldAssign {
    pub docs: Docs,
    pub key: Ident,
    pub value: Expr,
    pub span: Span,
}
