//! Accounts: environments should not share the deployment account, nor an
//! account and region with each other.

use std::collections::HashMap;

use super::inherited;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{EnvField, Lake, LakeField};

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let deployment_span = lake
        .field_spans
        .get_or(LakeField::DeploymentAccount, lake.span);
    let mut seen: HashMap<(&str, &str), &str> = HashMap::new();
    for env in lake.environments.values() {
        let account_span = inherited::primary(&env.field_spans, EnvField::Account, env.span);
        // An inherited account is reported once, on the environment that wrote it.
        let inherits_account = inherited::inherited_from(&env.field_spans, EnvField::Account)
            .is_some_and(|from| lake.environments.contains_key(from));
        if env.account == lake.deployment_account && !inherits_account {
            let heirs =
                inherited::heirs(lake, &env.name, |e| Some(&e.field_spans), EnvField::Account);
            diagnostics.push(inherited::naming_heirs(
                Diagnostic::new(
                    Code::SharesDeploymentAccount,
                    account_span,
                    format!("`{}` deploys into the deployment account {}", env.name, env.account),
                )
                .with_label("the same account as the pipelines")
                .with_secondary(deployment_span, "the deployment account")
                .with_note("the pipelines' roles and artifacts then share an account with the data; a mistake in one reaches the other")
                .with_help("give the environment an account of its own"),
                &heirs,
            ));
        }
        let key = (env.account.as_str(), env.region.name.as_str());
        if let Some(first) = seen.get(&key) {
            let first_env = &lake.environments[*first];
            let first_span =
                inherited::primary(&first_env.field_spans, EnvField::Account, first_env.span);
            let label = |env: &crate::model::Environment| match inherited::inherited_from(
                &env.field_spans,
                EnvField::Account,
            ) {
                Some(from) => format!("`{}` inherits the account of `{from}` here", env.name),
                None => format!("`{}` is here", env.name),
            };
            let diagnostic = Diagnostic::new(
                    Code::SharedAccountAndRegion,
                    account_span,
                    format!(
                        "`{first}` and `{}` share the account {} in {}",
                        env.name, env.account, env.region.name
                    ),
                )
                .with_label(label(env))
                .with_secondary(first_span, label(first_env))
                .with_note("this works while their resource names differ, but a change to one environment's IAM or quotas affects the other")
                .with_help("give each environment its own account where you can");
            let diagnostic =
                inherited::with_origin(diagnostic, &env.name, &env.field_spans, EnvField::Account);
            diagnostics.push(inherited::with_origin(
                diagnostic,
                first,
                &first_env.field_spans,
                EnvField::Account,
            ));
        } else {
            seen.insert(key, &env.name);
        }
    }
}
