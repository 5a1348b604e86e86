//! Reaching each account a run deploys into: its profile, a role assumed
//! in it, or the AWS CLI's chain; and checking, before any change anywhere,
//! that STS `GetCallerIdentity` names that very account.

use std::collections::HashMap;

use super::bundle::Step;
use super::{args, Cloud, Credentials, Options, Stop};

/// The credentials of every account the steps touch, each checked with STS
/// `GetCallerIdentity` before anything changes anywhere.
pub(super) fn verify_accounts(
    steps: &[Step],
    options: &Options,
    cloud: &mut dyn Cloud,
) -> Result<HashMap<String, Credentials>, Stop> {
    let mut sessions = HashMap::new();
    for step in steps {
        let (account, region) = (&step.stack.account, &step.stack.region);
        if sessions.contains_key(account) {
            continue;
        }
        let credentials = credentials_for(account, region, options, cloud)?;
        let identity = cloud
            .call(
                &credentials,
                region,
                &args(&["sts", "get-caller-identity"]),
                None,
            )
            .map_err(|e| credential_stop(account, &e.message, e.not_run))?;
        let actual = identity["Account"].as_str().unwrap_or("");
        if actual != account {
            return Err(Stop::Usage {
                message: format!(
                    "the credentials for account {account} (stack {}) are of account {actual}; nothing was changed",
                    step.stack.name
                ),
                help: format!(
                    "give that account's credentials: `--profile {account}=PROFILE`, or `--role-name NAME` to assume a role in it"
                ),
            });
        }
        sessions.insert(account.clone(), credentials);
    }
    Ok(sessions)
}

fn credentials_for(
    account: &str,
    region: &str,
    options: &Options,
    cloud: &mut dyn Cloud,
) -> Result<Credentials, Stop> {
    if let Some(profile) = options.profiles.get(account) {
        return Ok(Credentials::Profile(profile.clone()));
    }
    let Some(role) = &options.role_name else {
        return Ok(Credentials::Chain);
    };
    let arn = format!("arn:aws:iam::{account}:role/{role}");
    let answer = cloud
        .call(
            &Credentials::Chain,
            region,
            &args(&[
                "sts",
                "assume-role",
                "--role-arn",
                &arn,
                "--role-session-name",
                "dlc-deploy",
            ]),
            None,
        )
        .map_err(|e| credential_stop(account, &e.message, e.not_run))?;
    let field = |name: &str| {
        answer["Credentials"][name]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    Ok(Credentials::Temporary {
        access_key_id: field("AccessKeyId"),
        secret_access_key: field("SecretAccessKey"),
        session_token: field("SessionToken"),
    })
}

fn credential_stop(account: &str, message: &str, not_run: bool) -> Stop {
    if not_run {
        return Stop::Usage {
            message: format!("the AWS CLI could not be run: {message}"),
            help: "install the AWS CLI (`pip install awscli`) and put `aws` on the PATH".into(),
        };
    }
    Stop::Usage {
        message: format!("no usable credentials for account {account}: {message}"),
        help: format!(
            "configure the AWS CLI's credentials, or pass `--profile {account}=PROFILE` or `--role-name NAME`"
        ),
    }
}
