//! The tables an editor asks: what each name refers to, which schema field
//! each written field was checked against, and which node is at a position.
//!
//! Built by walking the trees with the type each position expects, as
//! evaluation does (`eval::typeck` conforms values the same way): a record
//! literal takes its written type name or the expected record; a bare name
//! is a declaration in scope or, failing that, a variant of the expected enum.

use std::path::Path;

use crate::driver::Syntax;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{
    Declaration, Expr, ExprKind, Ident, ImportTarget, ItemKind, RecordLit, StrPart, TypeExpr,
    TypeExprKind,
};
use crate::types::{Type, TypeDef, TypeDefs};

/// What a node in the source is.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A use of a declared name (a `let`, an environment, a type) or of an
    /// enum variant; `target` is where it is declared.
    Reference { name: String, target: Span },
    /// A field key in a record literal, checked against `record.field`.
    Field {
        record: String,
        field: String,
        target: Span,
    },
    /// A variant of `enum` written as a value.
    Variant {
        enum_name: String,
        variant: String,
        target: Span,
    },
    /// The name in a declaration (`env Dev`, `let home`).
    Declaration { name: String, keyword: &'static str },
    /// A CIDR literal.
    Cidr(ipnet::Ipv4Net),
    /// `import "file.dl"`; `target` is the imported file, when it was loaded.
    Import {
        written: String,
        target: Option<FileId>,
    },
    /// A record literal checked against `record`, with the fields it writes.
    Record {
        record: String,
        written: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

/// Every node of the user's files worth an editor's question.
#[derive(Debug, Default)]
pub struct Index {
    nodes: Vec<Node>,
}

impl Index {
    pub fn build(syntax: &Syntax, sources: &SourceMap) -> Index {
        let mut walker = Walker {
            syntax,
            sources,
            nodes: Vec::new(),
        };
        for module in &syntax.modules {
            if sources.get(module.file).name.starts_with("std/") {
                continue;
            }
            for item in &module.items {
                walker.item(&item.kind, module.file);
            }
        }
        Index {
            nodes: walker.nodes,
        }
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The innermost node that holds `offset` in `file` (its end included,
    /// so that a cursor just after a name still finds it).
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Node> {
        self.nodes
            .iter()
            .filter(|n| {
                n.span.file == file
                    && n.span.start as usize <= offset
                    && offset <= n.span.end as usize
            })
            .min_by_key(|n| n.span.end - n.span.start)
    }

    /// The innermost record literal around `offset`.
    pub fn record_at(&self, file: FileId, offset: usize) -> Option<&Node> {
        self.nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Record { .. }))
            .filter(|n| {
                n.span.file == file
                    && (n.span.start as usize) < offset
                    && offset < n.span.end as usize
            })
            .min_by_key(|n| n.span.end - n.span.start)
    }

    /// Where the thing at a node is declared.
    pub fn definition(node: &Node) -> Option<Span> {
        match &node.kind {
            NodeKind::Reference { target, .. }
            | NodeKind::Field { target, .. }
            | NodeKind::Variant { target, .. } => Some(*target),
            NodeKind::Declaration { .. } => Some(node.span),
            NodeKind::Import { target, .. } => target.map(|file| Span::new(file, 0, 0)),
            _ => None,
        }
    }

    /// Every use of what `definition` declares, and the declaration itself
    /// when it is in a user file.
    pub fn references(&self, definition: Span) -> Vec<Span> {
        self.nodes
            .iter()
            .filter(|n| Index::definition(n) == Some(definition))
            .filter(|n| !matches!(n.kind, NodeKind::Import { .. }))
            .map(|n| n.span)
            .collect()
    }
}

struct Walker<'a> {
    syntax: &'a Syntax,
    sources: &'a SourceMap,
    nodes: Vec<Node>,
}

impl Walker<'_> {
    fn push(&mut self, span: Span, kind: NodeKind) {
        self.nodes.push(Node { span, kind });
    }

    fn types(&self) -> &TypeDefs {
        &self.syntax.types
    }

    fn item(&mut self, kind: &ItemKind, file: FileId) {
        match kind {
            ItemKind::Import(import) => {
                if let ImportTarget::File(written) = &import.target {
                    let target = self.imported_file(file, written);
                    self.push(
                        import.span,
                        NodeKind::Import {
                            written: written.clone(),
                            target,
                        },
                    );
                }
            }
            ItemKind::Lake(declaration) => self.declaration(declaration, "lake", "Lake"),
            ItemKind::Env(declaration) => self.declaration(declaration, "env", "Environment"),
            ItemKind::Let(decl) => {
                self.declared(&decl.name, "let");
                let expected = match &decl.ty {
                    Some(ty) => {
                        self.type_expr(ty);
                        self.resolve_type_expr(ty)
                    }
                    None => Type::Any,
                };
                self.expr(&decl.value, &expected);
            }
            ItemKind::Type(decl) => {
                self.declared(&decl.name, "type");
                self.type_expr(&decl.base);
                for member in &decl.union_rest {
                    self.type_expr(member);
                }
            }
            ItemKind::Record(decl) => {
                self.declared(&decl.name, "record");
                for field in &decl.fields {
                    self.type_expr(&field.ty);
                    if let Some(default) = &field.default {
                        let expected = self.resolve_type_expr(&field.ty);
                        self.expr(default, &expected);
                    }
                }
            }
            ItemKind::Enum(decl) => {
                self.declared(&decl.name, "enum");
                if let Some(ty) = &decl.data_type {
                    self.type_expr(ty);
                }
            }
        }
    }

    fn declared(&mut self, name: &Ident, keyword: &'static str) {
        self.push(
            name.span,
            NodeKind::Declaration {
                name: name.name.clone(),
                keyword,
            },
        );
    }

    fn declaration(&mut self, declaration: &Declaration, keyword: &'static str, schema: &str) {
        self.declared(&declaration.name, keyword);
        if let Some(parent) = &declaration.extends {
            self.name_use(parent);
        }
        self.record(&declaration.body, &Type::Named(schema.to_string()));
    }

    /// The file an import loaded: the importer's folder joined with the
    /// written path, as the loader names it.
    fn imported_file(&self, importer: FileId, written: &str) -> Option<FileId> {
        let importer = Path::new(&self.sources.get(importer).name);
        let base = importer.parent().unwrap_or(Path::new(""));
        let name = base.join(written).to_string_lossy().replace('\\', "/");
        self.sources
            .files()
            .find(|(_, f)| f.name == name)
            .map(|(id, _)| id)
    }

    /// Where a declared name is declared: the name in its item.
    fn declaration_span(&self, name: &str) -> Option<Span> {
        let r = self.syntax.scope.get(name)?;
        let item = self.syntax.modules.get(r.module)?.items.get(r.item)?;
        Some(item.kind.name().map_or(item.span, |n| n.span))
    }

    fn name_use(&mut self, ident: &Ident) {
        if let Some(target) = self.declaration_span(&ident.name) {
            self.push(
                ident.span,
                NodeKind::Reference {
                    name: ident.name.clone(),
                    target,
                },
            );
        }
    }

    fn type_expr(&mut self, ty: &TypeExpr) {
        match &ty.kind {
            TypeExprKind::Named(name, argument) => {
                self.name_use(name);
                if let Some(argument) = argument {
                    self.type_expr(argument);
                }
            }
            TypeExprKind::List(inner) | TypeExprKind::Optional(inner) => self.type_expr(inner),
        }
    }

    fn resolve_type_expr(&self, ty: &TypeExpr) -> Type {
        match &ty.kind {
            TypeExprKind::Named(name, argument) => match (name.name.as_str(), argument) {
                ("String", _) => Type::String,
                ("Int", _) => Type::Int,
                ("Bool", _) => Type::Bool,
                ("Cidr", _) => Type::Cidr,
                ("Duration", _) => Type::Duration,
                ("Map", Some(argument)) => Type::Map(Box::new(self.resolve_type_expr(argument))),
                (name, _) => Type::Named(name.to_string()),
            },
            TypeExprKind::List(inner) => Type::List(Box::new(self.resolve_type_expr(inner))),
            TypeExprKind::Optional(inner) => {
                Type::Optional(Box::new(self.resolve_type_expr(inner)))
            }
        }
    }

    /// The type under aliases and optionality.
    fn unwrap<'t>(&'t self, mut ty: &'t Type) -> &'t Type {
        for _ in 0..16 {
            ty = match ty {
                Type::Optional(inner) => inner,
                Type::Named(name) => match self.types().get(name) {
                    Some(TypeDef::Alias(alias)) => &alias.base,
                    _ => return ty,
                },
                _ => return ty,
            };
        }
        ty
    }

    fn expr(&mut self, expr: &Expr, expected: &Type) {
        let expected = self.unwrap(expected).clone();
        match &expr.kind {
            ExprKind::Cidr(net) => self.push(expr.span, NodeKind::Cidr(*net)),
            ExprKind::List(items) => {
                let inner = match &expected {
                    Type::List(inner) => (**inner).clone(),
                    _ => Type::Any,
                };
                for item in items {
                    self.expr(item, &inner);
                }
            }
            ExprKind::Record(record) => self.record(record, &expected),
            ExprKind::Path(path) => self.path(path, &expected),
            ExprKind::Str(parts) => {
                for part in parts {
                    if let StrPart::Interpolation(path, _) = part {
                        self.path(path, &Type::Any);
                    }
                }
            }
            _ => {}
        }
    }

    fn path(&mut self, path: &[Ident], expected: &Type) {
        let Some(first) = path.first() else {
            return;
        };
        if self.syntax.scope.get(&first.name).is_some() {
            self.name_use(first);
            return;
        }
        if let (Type::Named(enum_name), [only]) = (expected, path) {
            if let Some(TypeDef::Enum(def)) = self.types().get(enum_name) {
                if let Some(variant) = def.variants.get(&only.name) {
                    self.push(
                        only.span,
                        NodeKind::Variant {
                            enum_name: enum_name.clone(),
                            variant: only.name.clone(),
                            target: variant.span,
                        },
                    );
                }
            }
        }
    }

    fn record(&mut self, record: &RecordLit, expected: &Type) {
        if let Some(type_name) = &record.type_name {
            self.name_use(type_name);
        }
        let name = match (&record.type_name, expected) {
            (Some(written), _) => Some(written.name.clone()),
            (None, Type::Named(name)) => Some(name.clone()),
            _ => None,
        };
        let def = name.as_deref().and_then(|n| self.types().record(n));
        let Some(def) = def else {
            // A map, or a record of no known type: its values are checked
            // against the map's element type, or nothing.
            let inner = match expected {
                Type::Map(inner) => (**inner).clone(),
                _ => Type::Any,
            };
            for field in &record.fields {
                self.expr(&field.value, &inner);
            }
            return;
        };
        let record_name = def.name.clone();
        let fields: Vec<(String, Span, Type)> = def
            .fields
            .values()
            .map(|f| (f.name.clone(), f.span, f.ty.clone()))
            .collect();
        self.push(
            record.span,
            NodeKind::Record {
                record: record_name.clone(),
                written: record.fields.iter().map(|f| f.key.name.clone()).collect(),
            },
        );
        for field in &record.fields {
            let schema = fields.iter().find(|(name, _, _)| *name == field.key.name);
            match schema {
                Some((name, target, ty)) => {
                    self.push(
                        field.key.span,
                        NodeKind::Field {
                            record: record_name.clone(),
                            field: name.clone(),
                            target: *target,
                        },
                    );
                    self.expr(&field.value, ty);
                }
                None => self.expr(&field.value, &Type::Any),
            }
        }
    }
}
