//! Builders of top-level items: imports, `lake`, `env` and `let` declarations.

use pest::iterators::Pair;

use super::{children, placeholder_ident, plain_text, unexpected, Builder};
use crate::syntax::ast::*;
use crate::syntax::parser::Rule;

impl Builder<'_> {
    pub(in crate::syntax::parser) fn item(&mut self, pair: Pair<Rule>) -> Item {
        let span = self.span(&pair);
        let mut docs = Docs::default();
        let mut kind = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::docs => docs = self.docs(inner),
                Rule::import_decl => kind = Some(ItemKind::Import(self.import_decl(inner))),
                Rule::lake_decl => kind = Some(ItemKind::Lake(self.declaration(inner))),
                Rule::env_decl => kind = Some(ItemKind::Env(self.declaration(inner))),
                Rule::let_decl => kind = Some(ItemKind::Let(self.let_decl(inner))),
                Rule::type_decl => kind = Some(ItemKind::Type(self.type_decl(inner))),
                Rule::record_decl => kind = Some(ItemKind::Record(self.record_decl(inner))),
                Rule::enum_decl => kind = Some(ItemKind::Enum(self.enum_decl(inner))),
                other => unexpected(Rule::item, other),
            }
        }
        Item {
            docs,
            // The grammar guarantees one of the alternatives.
            kind: kind.unwrap_or(ItemKind::Import(Import {
                target: ImportTarget::Std(String::new()),
                span,
            })),
            span,
        }
    }

    pub(super) fn docs(&mut self, pair: Pair<Rule>) -> Docs {
        let lines = children(pair, Rule::doc_line, &[])
            .map(|line| {
                let text = line.into_inner().next().map_or("", |t| t.as_str());
                text.strip_prefix(' ')
                    .unwrap_or(text)
                    .trim_end()
                    .to_string()
            })
            .collect();
        Docs { lines }
    }

    pub(super) fn ident(&mut self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    pub(super) fn import_decl(&mut self, pair: Pair<Rule>) -> Import {
        let span = self.span(&pair);
        let mut target = ImportTarget::Std(String::new());
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::std_module => {
                    let name = inner.as_str().trim_start_matches("std.").to_string();
                    target = ImportTarget::Std(name);
                }
                Rule::string => {
                    let expr = self.string(inner);
                    target = ImportTarget::File(plain_text(&expr));
                }
                Rule::kw_import => {}
                other => unexpected(Rule::import_decl, other),
            }
        }
        Import { target, span }
    }

    pub(super) fn declaration(&mut self, pair: Pair<Rule>) -> Declaration {
        let span = self.span(&pair);
        let parent = pair.as_rule();
        let mut name = None;
        let mut extends = None;
        let mut body = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::extends_clause => {
                    extends = children(inner, Rule::ident, &[Rule::kw_extends])
                        .next()
                        .map(|p| self.ident(p))
                }
                Rule::record_body => body = Some(self.record_body(inner, None)),
                Rule::kw_lake | Rule::kw_env => {}
                other => unexpected(parent, other),
            }
        }
        Declaration {
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            extends,
            body: body.unwrap_or(RecordLit {
                type_name: None,
                fields: Vec::new(),
                span,
            }),
        }
    }

    pub(super) fn let_decl(&mut self, pair: Pair<Rule>) -> LetDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut ty = None;
        let mut value = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = Some(self.ident(inner)),
                Rule::type_expr => ty = Some(self.type_expr(inner)),
                Rule::expr => value = Some(self.expr(inner)),
                Rule::kw_let => {}
                other => unexpected(Rule::let_decl, other),
            }
        }
        LetDecl {
            name: name.unwrap_or_else(|| placeholder_ident(span)),
            ty,
            value: value.unwrap_or(Expr {
                kind: ExprKind::Invalid,
                span,
            }),
        }
    }
}
