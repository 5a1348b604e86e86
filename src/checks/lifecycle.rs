//! Lifecycle rules: whole positive days, transitions before expiry, the
//! storage classes' minimum durations, and transitions in an order S3 can
//! follow (its "waterfall").

use super::inherited::Findings;
use crate::diagnostic::{count, Code, Diagnostic, Diagnostics};
use crate::literals::Duration;
use crate::model::{FieldKey, Lake, Lifecycle, LifecycleField, StorageClass, Transition};
use crate::source::Span;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut findings = Findings::default();
    for env in lake.environments.values() {
        for zone in &env.zones {
            if let Some(lifecycle) = &zone.lifecycle {
                let mut found = Vec::new();
                check_lifecycle(lifecycle, &mut found);
                for (field, diagnostic) in found {
                    findings.push(&env.name, &lifecycle.field_spans, field, diagnostic);
                }
            }
        }
    }
    findings.report(diagnostics);
}

/// Each problem with the lifecycle field it is about.
type Found = Vec<(LifecycleField, Diagnostic)>;

fn check_lifecycle(lifecycle: &Lifecycle, found: &mut Found) {
    let spans = &lifecycle.field_spans;
    let mut days_of = |duration: Option<Duration>, field: LifecycleField| {
        let span = spans.get_or(field, lifecycle.span);
        days(duration?, field.name(), span)
            .map_err(|diagnostic| found.push((field, *diagnostic)))
            .ok()
    };
    let expire = days_of(lifecycle.expire_after, LifecycleField::ExpireAfter);
    let noncurrent = days_of(
        lifecycle.noncurrent_expire_after,
        LifecycleField::NoncurrentExpireAfter,
    );
    let expire_span = spans.get_or(LifecycleField::ExpireAfter, lifecycle.span);
    if let (Some(expire), Some(noncurrent)) = (expire, noncurrent) {
        if noncurrent >= expire {
            found.push((
                LifecycleField::NoncurrentExpireAfter,
                Diagnostic::new(
                    Code::NoncurrentAfterExpiry,
                    spans.get_or(LifecycleField::NoncurrentExpireAfter, lifecycle.span),
                    format!("old versions are kept {}, as long as or longer than current objects ({})", count(noncurrent, "day"), count(expire, "day")),
                )
                .with_label(count(noncurrent, "day"))
                .with_secondary(expire_span, format!("current objects expire after {}", count(expire, "day")))
                .with_note("rule `noncurrent_expire_after`: old versions usually go sooner than current objects")
                .with_help("make `noncurrent_expire_after` shorter than `expire_after`"),
            ));
        }
    }
    for transition in &lifecycle.transitions {
        // A transition may be immediate (S3 accepts 0 days, except for the IA
        // classes, which the next rule covers); whole days still.
        let after = match whole_days(transition.after, "after", transition.after_span) {
            Ok(after) => after,
            Err(diagnostic) => {
                found.push((LifecycleField::Transitions, *diagnostic));
                continue;
            }
        };
        let class = transition.storage_class;
        if matches!(class, StorageClass::StandardIa | StorageClass::OnezoneIa) && after < 30 {
            found.push((
                LifecycleField::Transitions,
                Diagnostic::new(
                    Code::TransitionTooEarly,
                    transition.after_span,
                    format!("S3 moves objects to {} no sooner than 30 days after creation; this says {}", class.s3_name(), count(after, "day")),
                )
                .with_label(count(after, "day"))
                .with_note("rule `transitions`: S3 rejects the lifecycle configuration at deploy time")
                .with_help("use `after = 30d` or later"),
            ));
        }
        let Some(expire) = expire else { continue };
        if after >= expire {
            found.push((
                LifecycleField::Transitions,
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
            ));
        } else if expire - after < class.minimum_days() {
            let minimum = class.minimum_days();
            found.push((
                LifecycleField::ExpireAfter,
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
            ));
        }
    }
    check_sequence(lifecycle, found);
}

/// The transitions as S3 follows them, by age: each to a class S3 can move
/// objects to from the previous one, once each class, and no sooner than the
/// previous class's minimum storage duration. S3 refuses the whole lifecycle
/// configuration otherwise.
fn check_sequence(lifecycle: &Lifecycle, found: &mut Found) {
    // Durations that are not whole days are reported already.
    let mut steps: Vec<(i64, &Transition)> = Vec::new();
    for transition in &lifecycle.transitions {
        let Some(after) = transition.after.whole_days() else {
            continue;
        };
        let class = transition.storage_class;
        if let Some((_, first)) = steps.iter().find(|(_, t)| t.storage_class == class) {
            found.push((
                LifecycleField::Transitions,
                Diagnostic::new(
                    Code::RepeatedTransitionClass,
                    transition.span,
                    format!(
                        "a second transition to {}: S3 takes one per storage class in a rule",
                        class.s3_name()
                    ),
                )
                .with_label("the second")
                .with_secondary(first.span, "the first")
                .with_note(
                    "rule `transitions`: S3 rejects the lifecycle configuration at deploy time",
                )
                .with_help("drop one of the two"),
            ));
            continue;
        }
        steps.push((after, transition));
    }
    // By age; on the same day, down the waterfall.
    steps.sort_by_key(|(after, t)| (*after, waterfall_rank(t.storage_class)));
    for pair in steps.windows(2) {
        let [(since, previous), (after, next)] = pair else {
            continue;
        };
        let (from, to) = (previous.storage_class, next.storage_class);
        if !from.can_transition_to(to) {
            let help = if to.can_transition_to(from) {
                format!(
                    "move objects to {} before {}: give it the earlier `after`",
                    to.s3_name(),
                    from.s3_name()
                )
            } else {
                "drop one of the two transitions".to_string()
            };
            found.push((
                LifecycleField::Transitions,
                Diagnostic::new(
                    Code::TransitionOrderRefused,
                    next.span,
                    format!("S3 cannot move objects from {} to {}", from.s3_name(), to.s3_name()),
                )
                .with_label(format!("to {} at {after} days", to.s3_name()))
                .with_secondary(previous.span, format!("in {} from {since} days", from.s3_name()))
                .with_note("rule `transitions`: lifecycle transitions go only down S3's waterfall (Standard-IA, Intelligent-Tiering, One Zone-IA, Glacier Instant Retrieval, Glacier, Deep Archive), and One Zone-IA goes only to Glacier or Deep Archive")
                .with_help(help),
            ));
        } else if after - since < from.minimum_days() {
            let minimum = from.minimum_days();
            found.push((
                LifecycleField::Transitions,
                Diagnostic::new(
                    Code::TransitionBeforeMinimumDuration,
                    next.after_span,
                    format!(
                        "objects move on to {} {} days after reaching {}, whose minimum storage duration is {minimum} days",
                        to.s3_name(),
                        after - since,
                        from.s3_name()
                    ),
                )
                .with_label(format!("{after} days"))
                .with_secondary(previous.after_span, format!("in {} from {since} days", from.s3_name()))
                .with_note("rule `transitions`: in one lifecycle rule, S3 rejects a transition out of a class before its minimum storage duration")
                .with_help(format!("use `after = {}d` or later", since + minimum)),
            ));
        }
    }
}

/// A class's place in S3's waterfall, warmest first.
fn waterfall_rank(class: StorageClass) -> u8 {
    match class {
        StorageClass::StandardIa => 0,
        StorageClass::IntelligentTiering => 1,
        StorageClass::OnezoneIa => 2,
        StorageClass::GlacierIr => 3,
        StorageClass::Glacier => 4,
        StorageClass::DeepArchive => 5,
    }
}

/// A duration in whole positive days, or the diagnostic that says why not.
fn days(duration: Duration, field: &str, span: Span) -> Result<i64, Box<Diagnostic>> {
    match whole_days(duration, field, span)? {
        days if days > 0 => Ok(days),
        _ => Err(Box::new(
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
        )),
    }
}

/// A duration in whole days (zero included), or the diagnostic that says why not.
fn whole_days(duration: Duration, field: &str, span: Span) -> Result<i64, Box<Diagnostic>> {
    duration.whole_days().ok_or_else(|| {
        Box::new(
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
        )
    })
}

#[cfg(test)]
mod tests {
    use super::waterfall_rank;
    use crate::model::StorageClass::{self, *};

    /// The supported lifecycle transitions as the S3 User Guide lists them
    /// ("Transitioning objects using Amazon S3 Lifecycle").
    #[test]
    fn the_waterfall_is_the_one_s3_documents() {
        let all = [
            StandardIa,
            IntelligentTiering,
            OnezoneIa,
            GlacierIr,
            Glacier,
            DeepArchive,
        ];
        let supported: [(StorageClass, &[StorageClass]); 6] = [
            (
                StandardIa,
                &[
                    IntelligentTiering,
                    OnezoneIa,
                    GlacierIr,
                    Glacier,
                    DeepArchive,
                ],
            ),
            (
                IntelligentTiering,
                &[OnezoneIa, GlacierIr, Glacier, DeepArchive],
            ),
            (OnezoneIa, &[Glacier, DeepArchive]),
            (GlacierIr, &[Glacier, DeepArchive]),
            (Glacier, &[DeepArchive]),
            (DeepArchive, &[]),
        ];
        for (from, targets) in supported {
            for to in all {
                assert_eq!(
                    from.can_transition_to(to),
                    targets.contains(&to),
                    "{from:?} to {to:?}"
                );
                // Sorting a day's transitions by rank never puts a refused pair in order.
                if from.can_transition_to(to) {
                    assert!(
                        waterfall_rank(from) < waterfall_rank(to),
                        "{from:?} to {to:?}"
                    );
                }
            }
        }
    }
}
