//! Syntax trees compared without their spans: the formatter moves every node,
//! but must not change one.
//!
//! The walk destructures every node completely, so a field added to the AST
//! fails to compile here until it is handled.

use crate::source::{FileId, Span};
use crate::syntax::ast::*;

/// A copy of `module` with every span set to `0..0` in file 0.
pub fn without_spans(module: &Module) -> Module {
    let mut module = module.clone();
    let Module { file, items, .. } = &mut module;
    *file = FileId(0);
    for item in items {
        item_(item);
    }
    module
}

/// Whether two modules have the same syntax tree, spans (and files) aside.
pub fn same_syntax(a: &Module, b: &Module) -> bool {
    without_spans(a) == without_spans(b)
}

fn zero(span: &mut Span) {
    *span = Span::new(FileId(0), 0, 0);
}

fn ident(ident: &mut Ident) {
    let Ident { name: _, span } = ident;
    zero(span);
}

fn item_(item: &mut Item) {
    let Item {
        docs: _,
        kind,
        span,
    } = item;
    zero(span);
    match kind {
        ItemKind::Import(Import { target: _, span }) => zero(span),
        ItemKind::Lake(decl) | ItemKind::Env(decl) => {
            let Declaration {
                name,
                extends,
                body,
            } = decl;
            ident(name);
            extends.iter_mut().for_each(ident);
            record(body);
        }
        ItemKind::Let(LetDecl { name, ty, value }) => {
            ident(name);
            ty.iter_mut().for_each(type_expr);
            expr(value);
        }
        ItemKind::Type(TypeDecl {
            name,
            base,
            union_rest,
            constraints,
        }) => {
            ident(name);
            type_expr(base);
            union_rest.iter_mut().for_each(type_expr);
            for Constraint { kind: _, span } in constraints {
                zero(span);
            }
        }
        ItemKind::Record(RecordDecl { name, fields }) => {
            ident(name);
            for field in fields {
                let FieldDecl {
                    docs: _,
                    name,
                    ty,
                    default,
                    span,
                } = field;
                ident(name);
                type_expr(ty);
                default.iter_mut().for_each(expr);
                zero(span);
            }
        }
        ItemKind::Enum(EnumDecl {
            name,
            data_type,
            variants,
        }) => {
            ident(name);
            data_type.iter_mut().for_each(type_expr);
            for variant in variants {
                let VariantDecl {
                    docs: _,
                    name,
                    data,
                    span,
                } = variant;
                ident(name);
                data.iter_mut().for_each(record);
                zero(span);
            }
        }
    }
}

fn type_expr(ty: &mut TypeExpr) {
    let TypeExpr { kind, span } = ty;
    zero(span);
    match kind {
        TypeExprKind::Named(name, argument) => {
            ident(name);
            argument.iter_mut().for_each(|a| type_expr(a));
        }
        TypeExprKind::List(inner) | TypeExprKind::Optional(inner) => type_expr(inner),
    }
}

fn expr(value: &mut Expr) {
    let Expr { kind, span } = value;
    zero(span);
    match kind {
        ExprKind::Str(parts) => {
            for part in parts {
                match part {
                    StrPart::Text(_) => {}
                    StrPart::Interpolation(path, span) => {
                        path.iter_mut().for_each(ident);
                        zero(span);
                    }
                }
            }
        }
        ExprKind::List(elements) => elements.iter_mut().for_each(expr),
        ExprKind::Record(lit) => record(lit),
        ExprKind::Path(path) => path.iter_mut().for_each(ident),
        ExprKind::Int(_)
        | ExprKind::Bool(_)
        | ExprKind::Cidr(_)
        | ExprKind::Duration(_)
        | ExprKind::Invalid => {}
    }
}

fn record(lit: &mut RecordLit) {
    let RecordLit {
        type_name,
        fields,
        span,
    } = lit;
    type_name.iter_mut().for_each(ident);
    zero(span);
    for field in fields {
        let FieldAssign {
            docs: _,
            key,
            value,
            span,
        } = field;
        ident(key);
        expr(value);
        zero(span);
    }
}
