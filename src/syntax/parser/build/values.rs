//! Builders of values: expressions, paths, records and their fields.

use pest::iterators::Pair;

use super::{children, placeholder_ident, plain_text, unexpected, Builder};
use crate::syntax::ast::*;
use crate::syntax::parser::Rule;

impl Builder<'_> {
    pub(super) fn expr(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Expr {
                kind: ExprKind::Invalid,
                span,
            };
        };
        match inner.as_rule() {
            Rule::string => self.string(inner),
            Rule::cidr => self.cidr(inner),
            Rule::duration => self.duration(inner),
            Rule::integer => {
                let kind = match self.integer(&inner) {
                    Some(value) => ExprKind::Int(value),
                    None => ExprKind::Invalid,
                };
                Expr { kind, span }
            }
            Rule::boolean => Expr {
                kind: ExprKind::Bool(inner.as_str() == "true"),
                span,
            },
            Rule::list => Expr {
                kind: ExprKind::List(
                    children(inner, Rule::expr, &[])
                        .map(|p| self.expr(p))
                        .collect(),
                ),
                span,
            },
            Rule::record => {
                let mut type_name = None;
                let mut record = None;
                for part in inner.into_inner() {
                    match part.as_rule() {
                        Rule::ident => type_name = Some(self.ident(part)),
                        Rule::record_body => record = Some(self.record_body(part, None)),
                        other => unexpected(Rule::record, other),
                    }
                }
                match record {
                    Some(mut record) => {
                        record.type_name = type_name;
                        record.span = span;
                        Expr {
                            kind: ExprKind::Record(record),
                            span,
                        }
                    }
                    None => Expr {
                        kind: ExprKind::Invalid,
                        span,
                    },
                }
            }
            Rule::path => Expr {
                kind: ExprKind::Path(self.path(inner)),
                span,
            },
            other => {
                unexpected(Rule::expr, other);
                Expr {
                    kind: ExprKind::Invalid,
                    span,
                }
            }
        }
    }

    pub(super) fn path(&mut self, pair: Pair<Rule>) -> Vec<Ident> {
        children(pair, Rule::ident, &[])
            .map(|p| self.ident(p))
            .collect()
    }

    pub(super) fn record_body(&mut self, pair: Pair<Rule>, type_name: Option<Ident>) -> RecordLit {
        let span = self.span(&pair);
        let fields = children(pair, Rule::field, &[])
            .map(|p| self.field(p))
            .collect();
        RecordLit {
            type_name,
            fields,
            span,
        }
    }

    pub(super) fn field(&mut self, pair: Pair<Rule>) -> FieldAssign {
        let span = self.span(&pair);
        let mut docs = Docs::default();
        let mut key = None;
        let mut value = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::docs => docs = self.docs(inner),
                Rule::field_key => {
                    if let Some(k) = inner.into_inner().next() {
                        key = Some(match k.as_rule() {
                            Rule::string => {
                                let key_span = self.span(&k);
                                let expr = self.string(k);
                                Ident {
                                    name: plain_text(&expr),
                                    span: key_span,
                                }
                            }
                            Rule::ident => self.ident(k),
                            other => {
                                unexpected(Rule::field_key, other);
                                placeholder_ident(span)
                            }
                        });
                    }
                }
                Rule::expr => value = Some(self.expr(inner)),
                other => unexpected(Rule::field, other),
            }
        }
        FieldAssign {
            docs,
            key: key.unwrap_or_else(|| placeholder_ident(span)),
            value: value.unwrap_or(Expr {
                kind: ExprKind::Invalid,
                span,
            }),
            span,
        }
    }
}
