//! Lifecycle rules: whole positive days, transitions before expiry, and the
//! storage classes' minimum durations.

use crate::diagnostic::{count, Code, Diagnostic, Diagnostics};
use crate::model::{Lake, Lifecycle, StorageClass};
use crate::source::Span;
use crate::syntax::ast::Duration;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    for env in lake.environments.values() {
        for zone in &env.zones {
            if let Some(lifecycle) = &zone.lifecycle {
                check_lifecycle(lifecycle, diagnostics);
            }
        }
    }
}

fn check_lifecycle(lifecycle: &Lifecycle, diagnostics: &mut Diagnostics) {
    let spans = &lifecycle.field_spans;
    let expire = lifecycle.expire_after.and_then(|d| {
        days(
            d,
            "expire_after",
            spans.get_or("expire_after", lifecycle.span),
            diagnostics,
        )
    });
    let noncurrent = lifecycle.noncurrent_expire_after.and_then(|d| {
        days(
            d,
            "noncurrent_expire_after",
            spans.get_or("noncurrent_expire_after", lifecycle.span),
            diagnostics,
        )
    });
    let expire_span = spans.get_or("expire_after", lifecycle.span);
    if let (Some(expire), Some(noncurrent)) = (expire, noncurrent) {
        if noncurrent >= expire {
            diagnostics.push(
                Diagnostic::new(
                    Code::NoncurrentAfterExpiry,
                    spans.get_or("noncurrent_expire_after", lifecycle.span),
                    format!("old versions are kept {}, as long as or longer than current objects ({})", count(noncurrent, "day"), count(expire, "day")),
                )
                .with_label(count(noncurrent, "day"))
                .with_secondary(expire_span, format!("current objects expire after {}", count(expire, "day")))
                .with_note("rule `noncurrent_expire_after`: old versions usually go sooner than current objects")
                .with_help("make `noncurrent_expire_after` shorter than `expire_after`"),
            );
        }
    }
    for transition in &lifecycle.transitions {
        // A transition may be immediate (S3 accepts 0 days, except for the IA
        // classes, which the next rule covers); whole days still.
        let Some(after) = whole_days(
            transition.after,
            "after",
            transition.after_span,
            diagnostics,
        ) else {
            continue;
        };
        let class = transition.storage_class;
        if matches!(class, StorageClass::StandardIa | StorageClass::OnezoneIa) && after < 30 {
            diagnostics.push(
                Diagnostic::new(
                    Code::TransitionTooEarly,
                    transition.after_span,
                    format!("S3 moves objects to {} no sooner than 30 days after creation; this says {}", class.s3_name(), count(after, "day")),
                )
                .with_label(count(after, "day"))
                .with_note("rule `transitions`: S3 rejects the lifecycle configuration at deploy time")
                .with_help("use `after = 30d` or later"),
            );
        }
        let Some(expire) = expire else { continue };
        if after >= expire {
            diagnostics.push(
                Diagnostic::new(
                    Code::TransitionAfterExpiry,
                    transition.after_span,
                    format!(
                        "objects expire after {}, before this transition to {} at {}",
                        count(expire, "day"),
                        class.s3_name(),
                        count(after, "day")
                    ),
                )
                .with_label(format!("at {}", count(after, "day")))
                .with_secondary(expire_span, format!("expiry at {}", count(expire, "day")))
                .with_note("rule `transitions`: S3 rejects a transition at or after the expiration")
                .with_help("move the transition earlier, or the expiration later"),
            );
        } else if expire - after < class.minimum_days() {
            let minimum = class.minimum_days();
            diagnostics.push(
                Diagnostic::new(
                    Code::ExpiryBeforeMinimumDuration,
                    expire_span,
                    format!(
                        "objects expire {} after moving to {}, whose minimum storage duration is {minimum} days",
                        count(expire - after, "day"),
                        class.s3_name()
                    ),
                )
                .with_label(format!("expiry at {}", count(expire, "day")))
                .with_secondary(transition.span, format!("moved to {} at {}", class.s3_name(), count(after, "day")))
                .with_note("rule `transitions`: S3 charges the minimum duration anyway, so the transition costs more than it saves")
                .with_help(format!("expire after {} or later, or drop the transition", count(after + minimum, "day"))),
            );
        }
    }
}

/// A duration in whole positive days; otherwise reported.
fn days(duration: Duration, field: &str, span: Span, diagnostics: &mut Diagnostics) -> Option<i64> {
    match whole_days(duration, field, span, diagnostics)? {
        days if days > 0 => Some(days),
        _ => {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidLifecycleDuration,
                    span,
                    format!("`{field}` is {duration}: lifecycle durations are at least one day"),
                )
                .with_label("not a positive number of days")
                .with_note(format!(
                    "rule `{field}`: S3 counts lifecycle actions in whole days, from 1"
                ))
                .with_help("use 1d or more"),
            );
            None
        }
    }
}

/// A duration in whole days (zero included); otherwise reported.
fn whole_days(
    duration: Duration,
    field: &str,
    span: Span,
    diagnostics: &mut Diagnostics,
) -> Option<i64> {
    match duration.whole_days() {
        Some(days) => Some(days),
        None => {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidLifecycleDuration,
                    span,
                    format!("`{field}` is {duration}: lifecycle durations are whole days"),
                )
                .with_label("not a whole number of days")
                .with_note(format!(
                    "rule `{field}`: S3 counts lifecycle actions in whole days"
                ))
                .with_help(format!(
                    "round to whole days: {}d",
                    ((duration.seconds() + 43_200) / 86_400).max(1)
                )),
            );
            None
        }
    }
}
