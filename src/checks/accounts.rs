//! Accounts: environments should not share the deployment account, nor an
//! account and region with each other.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Lake;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let deployment_span = lake.field_spans.get_or("deployment_account", lake.span);
    let mut seen: HashMap<(&str, &str), &str> = HashMap::new();
    for env in lake.environments.values() {
        let account_span = env.field_spans.get_or("account", env.span);
        if env.account == lake.deployment_account {
            diagnostics.push(
                Diagnostic::new(
                    Code::SharesDeploymentAccount,
                    account_span,
                    format!("`{}` deploys into the deployment account {}", env.name, env.account),
                )
                .with_label("the same account as the pipelines")
                .with_secondary(deployment_span, "the deployment account")
                .with_note("the pipelines' roles and artifacts then share an account with the data; a mistake in one reaches the other")
                .with_help("give the environment an account of its own"),
            );
        }
        let key = (env.account.as_str(), env.region.name.as_str());
        if let Some(first) = seen.get(&key) {
            let first_span = lake.environments[*first]
                .field_spans
                .get_or("account", lake.environments[*first].span);
            diagnostics.push(
                Diagnostic::new(
                    Code::SharedAccountAndRegion,
                    account_span,
                    format!(
                        "`{first}` and `{}` share the account {} in {}",
                        env.name, env.account, env.region.name
                    ),
                )
                .with_label(format!("`{}` is here", env.name))
                .with_secondary(first_span, format!("`{first}` is here"))
                .with_note("this works, since names carry the environment, but a change to one environment's IAM or quotas affects the other")
                .with_help("give each environment its own account where you can"),
            );
        } else {
            seen.insert(key, &env.name);
        }
    }
}
