//! Builders of type declarations: `type`, `record`, `enum` and type expressions.

use pest::iterators::Pair;

use super::{children, placeholder_ident, plain_text, unexpected, Builder};
use crate::syntax::ast::*;
use crate::syntax::parser::Rule;

impl Builder<'_> {
    pub(super) fn type_decl(&mut self, pair: Pair<Rule>) -> TypeDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut base = None;
        let mut union_rest = Vec::new();
        let mut constraints = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::type_expr => base = Some(self.type_expr(inner)),
                Rule::union_rest => {
                    union_rest = children(inner, Rule::type_expr, &[])
                        .map(|p| self.type_expr(p))
                        .collect()
                }
                Rule::refinement => {
                    constraints = children(inner, Rule::constraint, &[Rule::kw_where])
                        .filter_map(|p| self.constraint(p))
                        .collect()
                }
                Rule::kw_type => {}
                other => unexpected(Rule::type_decl, other),
            }
        }
        let name = name.unwrap_or_else(|| placeholder_ident(span));
        TypeDecl {
            base: base.unwrap_or_else(|| TypeExpr {
                kind: TypeExprKind::Named(placeholder_ident(span), None),
                span,
            }),
            name,
            union_rest,
            constraints,
        }
    }

    pub(super) fn constraint(&mut self, pair: Pair<Rule>) -> Option<Constraint> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next()?;
        let kind = match inner.as_rule() {
            Rule::length_constraint => {
                let value = inner
                    .into_inner()
                    .find(|p| p.as_rule() != Rule::kw_length)?;
                match value.as_rule() {
                    Rule::int_range => {
                        let (low, high) = self.int_range(value);
                        ConstraintKind::Length(low, high)
                    }
                    Rule::integer => {
                        let exact = self.integer(&value);
                        ConstraintKind::Length(exact, exact)
                    }
                    other => {
                        unexpected(Rule::length_constraint, other);
                        return None;
                    }
                }
            }
            Rule::matches_constraint => {
                let string = children(inner, Rule::string, &[Rule::kw_matches]).next()?;
                let expr = self.string(string);
                ConstraintKind::Matches(plain_text(&expr))
            }
            Rule::range_constraint => {
                let range = inner.into_inner().next()?;
                let (low, high) = self.int_range(range);
                ConstraintKind::Range(low, high)
            }
            other => {
                unexpected(Rule::constraint, other);
                return None;
            }
        };
        Some(Constraint { kind, span })
    }

    pub(super) fn int_range(&mut self, pair: Pair<Rule>) -> (Option<i64>, Option<i64>) {
        let dots = pair.as_span().start() + pair.as_str().find("..").unwrap_or(0);
        let mut low = None;
        let mut high = None;
        for inner in children(pair, Rule::integer, &[]) {
            let value = self.integer(&inner);
            if inner.as_span().start() < dots {
                low = value;
            } else {
                high = value;
            }
        }
        (low, high)
    }

    pub(super) fn record_decl(&mut self, pair: Pair<Rule>) -> RecordDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut fields = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::field_decl => fields.push(self.field_decl(inner)),
                Rule::kw_record => {}
                other => unexpected(Rule::record_decl, other),
            }
        }
        RecordDecl {
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            fields,
        }
    }

    pub(super) fn field_decl(&mut self, pair: Pair<Rule>) -> FieldDecl {
        let span = self.span(&pair);
        let mut docs = Docs::default();
        let mut name = None;
        let mut ty = None;
        let mut default = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::docs => docs = self.docs(inner),
                Rule::ident => name = Some(self.ident(inner)),
                Rule::type_expr => ty = Some(self.type_expr(inner)),
                Rule::expr => default = Some(self.expr(inner)),
                other => unexpected(Rule::field_decl, other),
            }
        }
        let name = name.unwrap_or_else(|| placeholder_ident(span));
        FieldDecl {
            docs,
            ty: ty.unwrap_or_else(|| TypeExpr {
                kind: TypeExprKind::Named(placeholder_ident(span), None),
                span,
            }),
            name,
            default,
            span,
        }
    }

    pub(super) fn enum_decl(&mut self, pair: Pair<Rule>) -> EnumDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut data_type = None;
        let mut variants = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::type_expr => data_type = Some(self.type_expr(inner)),
                Rule::variant => variants.push(self.variant(inner)),
                Rule::kw_enum => {}
                other => unexpected(Rule::enum_decl, other),
            }
        }
        EnumDecl {
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            data_type,
            variants,
        }
    }

    pub(super) fn variant(&mut self, pair: Pair<Rule>) -> VariantDecl {
        let span = self.span(&pair);
        let mut docs = Docs::default();
        let mut name = None;
        let mut data = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::docs => docs = self.docs(inner),
                Rule::ident => name = Some(self.ident(inner)),
                Rule::record_body => data = Some(self.record_body(inner, None)),
                other => unexpected(Rule::variant, other),
            }
        }
        VariantDecl {
            docs,
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            data,
            span,
        }
    }

    pub(super) fn type_expr(&mut self, pair: Pair<Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut atom = None;
        let mut optional = false;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::type_atom => atom = inner.into_inner().next().map(|p| self.type_atom(p)),
                Rule::optional => optional = true,
                other => unexpected(Rule::type_expr, other),
            }
        }
        let atom = atom.unwrap_or_else(|| TypeExpr {
            kind: TypeExprKind::Named(placeholder_ident(span), None),
            span,
        });
        if optional {
            TypeExpr {
                kind: TypeExprKind::Optional(Box::new(atom)),
                span,
            }
        } else {
            atom
        }
    }

    pub(super) fn type_atom(&mut self, pair: Pair<Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::list_type => {
                let element = children(pair, Rule::type_expr, &[])
                    .next()
                    .map(|p| self.type_expr(p));
                match element {
                    Some(element) => TypeExprKind::List(Box::new(element)),
                    None => TypeExprKind::Named(placeholder_ident(span), None),
                }
            }
            Rule::named_type => {
                let mut name = None;
                let mut argument = None;
                for inner in pair.into_inner() {
                    match inner.as_rule() {
                        Rule::ident => name = Some(self.ident(inner)),
                        Rule::type_expr => argument = Some(Box::new(self.type_expr(inner))),
                        other => unexpected(Rule::named_type, other),
                    }
                }
                TypeExprKind::Named(name.unwrap_or_else(|| placeholder_ident(span)), argument)
            }
            other => {
                unexpected(Rule::type_atom, other);
                TypeExprKind::Named(placeholder_ident(span), None)
            }
        };
        TypeExpr { kind, span }
    }
}
