//! Inlay hints: the computed names a line becomes, shown beside it.

use lsp_types::{InlayHint, InlayHintKind, InlayHintLabel};

use super::compiled;
use super::convert::Lines;
use crate::analysis::Analysis;
use crate::model::naming;
use crate::source::{FileId, Span};
use crate::syntax::ast::ItemKind;

/// Bucket names after each zone, subnet ranges after each VPC CIDR, for the
/// environments declared in `file` (an inherited zone is shown once, where
/// it is written, for the environment that writes it).
pub fn hints(analysis: &Analysis, file: FileId) -> Vec<InlayHint> {
    let Some(lake) = compiled::lake(analysis) else {
        return Vec::new();
    };
    let lake = &*lake;
    let sources = &analysis.checked.sources;
    let mut lines = Lines::default();
    let mut hints = Vec::new();
    let inside = |span: Span, outer: Span| {
        span.file == outer.file && outer.start <= span.start && span.end <= outer.end
    };
    for env in lake.environments.values() {
        let Some(body) = body_of(analysis, &env.name) else {
            continue;
        };
        if body.file != file {
            continue;
        }
        for zone in &env.zones {
            if inside(zone.span, body) {
                hints.push(hint(
                    lines.position(sources, file, zone.span.end as usize),
                    naming::bucket_name(lake, env, &zone.name),
                ));
            }
        }
        let cidr = env.network.cidr_span;
        if inside(cidr, body) {
            if let Some((public, private)) = compiled::subnets(env) {
                let nets: Vec<String> = public
                    .iter()
                    .chain(&private)
                    .map(|n| n.to_string())
                    .collect();
                hints.push(hint(
                    lines.position(sources, file, cidr.end as usize),
                    format!("subnets {}", nets.join(" ")),
                ));
            }
        }
    }
    hints
}

/// The braces of the environment `name` as written.
fn body_of(analysis: &Analysis, name: &str) -> Option<Span> {
    analysis
        .syntax
        .modules
        .iter()
        .flat_map(|module| &module.items)
        .find_map(|item| match &item.kind {
            ItemKind::Env(d) if d.name.name == name => Some(d.body.span),
            _ => None,
        })
}

fn hint(position: lsp_types::Position, label: String) -> InlayHint {
    InlayHint {
        position,
        label: InlayHintLabel::String(label),
        kind: Some(InlayHintKind::TYPE),
        text_edits: None,
        tooltip: None,
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}
