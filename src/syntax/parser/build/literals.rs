//! Builders of literals (strings, CIDR ranges, durations, integers), which
//! check escapes, octets and number ranges.

use pest::iterators::Pair;

use super::{children, unexpected, Builder};
use crate::syntax::ast::*;
use crate::syntax::parser::Rule;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

use crate::diagnostic::{Code, Diagnostic};

impl Builder<'_> {
    pub(super) fn string(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut parts: Vec<StrPart> = Vec::new();
        let mut valid = true;
        let push_text = |parts: &mut Vec<StrPart>, text: &str| match parts.last_mut() {
            Some(StrPart::Text(existing)) => existing.push_str(text),
            _ => parts.push(StrPart::Text(text.to_string())),
        };
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::string_text => push_text(&mut parts, inner.as_str()),
                Rule::escape => match unescape(inner.as_str()) {
                    Some(c) => push_text(&mut parts, c.encode_utf8(&mut [0; 4])),
                    None => {
                        valid = false;
                        let escape_span = self.span(&inner);
                        self.error(
                            Diagnostic::new(
                                Code::InvalidEscape,
                                escape_span,
                                format!("unknown escape sequence `{}`", inner.as_str()),
                            )
                            .with_label("not an escape dl knows")
                            .with_help(
                                "use one of \\\" \\\\ \\n \\t \\r \\$ or \\u{HEX}; write \\\\ for a backslash",
                            ),
                        );
                    }
                },
                Rule::interpolation => {
                    let interp_span = self.span(&inner);
                    let path = children(inner, Rule::path, &[])
                        .next()
                        .map(|p| self.path(p))
                        .unwrap_or_default();
                    parts.push(StrPart::Interpolation(path, interp_span));
                }
                other => unexpected(Rule::string, other),
            }
        }
        Expr {
            kind: if valid {
                ExprKind::Str(parts)
            } else {
                ExprKind::Invalid
            },
            span,
        }
    }

    pub(super) fn cidr(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let text = pair.as_str();
        let kind = match parse_cidr(text) {
            Ok(net) => ExprKind::Cidr(net),
            Err((problem, help)) => {
                self.error(
                    Diagnostic::new(
                        Code::InvalidCidr,
                        span,
                        format!("invalid CIDR `{text}`: {problem}"),
                    )
                    .with_label(problem)
                    .with_help(help),
                );
                ExprKind::Invalid
            }
        };
        Expr { kind, span }
    }

    pub(super) fn duration(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut amount = None;
        let mut unit = DurationUnit::Days;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::duration_value => amount = self.integer(&inner),
                Rule::duration_unit => {
                    unit = match inner.as_str() {
                        "h" => DurationUnit::Hours,
                        "m" => DurationUnit::Minutes,
                        "s" => DurationUnit::Seconds,
                        _ => DurationUnit::Days,
                    }
                }
                other => unexpected(Rule::duration, other),
            }
        }
        let kind = match amount {
            Some(amount) => ExprKind::Duration(Duration { amount, unit }),
            None => ExprKind::Invalid,
        };
        Expr { kind, span }
    }

    /// An integer literal; out-of-range values are reported and give `None`.
    pub(super) fn integer(&mut self, pair: &Pair<Rule>) -> Option<i64> {
        let text = pair.as_str().replace('_', "");
        match text.parse::<i64>() {
            Ok(value) => Some(value),
            Err(_) => {
                let span = self.span(pair);
                self.error(
                    Diagnostic::new(
                        Code::NumberOutOfRange,
                        span,
                        format!("the number `{}` is too large", pair.as_str()),
                    )
                    .with_label("does not fit in 64 bits")
                    .with_note(format!("numbers range from {} to {}", i64::MIN, i64::MAX))
                    .with_help(
                        "if this is an identifier such as an account ID, write it as a string",
                    ),
                );
                None
            }
        }
    }
}

fn unescape(escape: &str) -> Option<char> {
    let body = escape.strip_prefix('\\')?;
    match body {
        "\"" => Some('"'),
        "\\" => Some('\\'),
        "n" => Some('\n'),
        "t" => Some('\t'),
        "r" => Some('\r'),
        "$" => Some('$'),
        _ => {
            let hex = body.strip_prefix("u{")?.strip_suffix('}')?;
            if hex.is_empty() || hex.len() > 6 {
                return None;
            }
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)
        }
    }
}

/// Parses `a.b.c.d/n`. Host bits may be set: that is a domain check, not syntax.
fn parse_cidr(text: &str) -> Result<Ipv4Net, (String, String)> {
    let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
    let mut octets = [0u8; 4];
    for (i, part) in address.split('.').enumerate() {
        let value: u32 = part.parse().unwrap_or(u32::MAX);
        if i >= 4 || value > 255 {
            return Err((
                format!("`{part}` is not an octet (0 to 255)"),
                "each of the four parts of an IPv4 address is a number from 0 to 255".into(),
            ));
        }
        octets[i] = value as u8;
    }
    let prefix_len: u32 = prefix.parse().unwrap_or(u32::MAX);
    if prefix_len > 32 {
        return Err((
            format!("the prefix length /{prefix} is larger than 32"),
            "an IPv4 prefix length is 0 to 32; a VPC takes /16 to /28, e.g. 10.20.0.0/24".into(),
        ));
    }
    Ipv4Net::new(Ipv4Addr::from(octets), prefix_len as u8).map_err(|e| {
        (
            e.to_string(),
            "an IPv4 prefix length is 0 to 32".to_string(),
        )
    })
}
