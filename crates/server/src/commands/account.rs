use crate::cli::{AccountOptions, CreateAccount, Switch};
use crate::failure::Failure;
use ecp_app::account::{AccountRecord, OptionsPatch};
use ecp_app::signup::SignupInput;
use ecp_app::{App, AppError};
use ecp_domain::AccountId;
use std::io::{BufRead, IsTerminal, Write};

/// Prints only the new account's id, so scripts can capture it.
pub async fn create(app: &App, args: &CreateAccount) -> Result<(), Failure> {
    let password = read_password()?;
    let input = SignupInput {
        account_name: args.name.clone(),
        owner_name: args.owner_name.clone(),
        owner_email: args.owner_email.clone(),
        password,
        time_zone: args.time_zone.clone(),
        plan: args.plan.as_str().to_string(),
        mailbox_name: args.mailbox_name.clone().unwrap_or_default(),
        mailbox_address: args.mailbox_address.clone().unwrap_or_default(),
    };
    let outcome = app.create_account(&input).await?;
    println!("{}", outcome.account_id);
    Ok(())
}

/// One line from stdin: the password never appears in the process list or
/// the shell history, as it would as a flag.
fn read_password() -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Owner's password (input is shown): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| {
        Failure::failed(format!("cannot read the password from standard input: {e}"))
    })?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(Failure::failed(
            "the password is empty: write the owner's password as one line on standard input, \
             e.g. `printf '%s\\n' \"$PASSWORD\" | ecp account create ...`",
        ));
    }
    Ok(password)
}

/// Applies the flags given (none: just shows the options) and prints the
/// options as stored afterwards.
pub async fn options(app: &App, args: &AccountOptions) -> Result<(), Failure> {
    let id = AccountId(args.account);
    let patch = OptionsPatch {
        time_zone: args.time_zone.clone(),
        ssl_required: args.ssl.map(Switch::is_on),
        maintain_assignments: args.maintain_assignments.map(Switch::is_on),
        admin_only_dashboards: args.admin_only_dashboards.map(Switch::is_on),
        rss_enabled: args.rss.map(Switch::is_on),
        api_enabled: args.api.map(Switch::is_on),
        spam_threshold: args.spam_threshold,
    };
    let result = if is_empty(&patch) {
        app.account_by_id(id).await
    } else {
        app.set_options(id, &patch).await
    };
    let account = result.map_err(|e| match e {
        AppError::NotFound => Failure::failed(format!("no account has the id {id}")),
        other => other.into(),
    })?;
    print!("{}", describe(&account));
    Ok(())
}

fn is_empty(p: &OptionsPatch) -> bool {
    p.time_zone.is_none()
        && p.ssl_required.is_none()
        && p.maintain_assignments.is_none()
        && p.admin_only_dashboards.is_none()
        && p.rss_enabled.is_none()
        && p.api_enabled.is_none()
        && p.spam_threshold.is_none()
}

/// `key: value` lines named like the flags, easy to read and to grep.
fn describe(a: &AccountRecord) -> String {
    let o = &a.options;
    let onoff = |b: bool| if b { "on" } else { "off" };
    format!(
        "account: {}\nname: {}\nplan: {}\ntime_zone: {}\napi: {}\nrss: {}\nssl: {}\n\
         maintain_assignments: {}\nadmin_only_dashboards: {}\nspam_threshold: {}\n",
        a.id,
        a.name,
        a.plan.as_str(),
        o.time_zone.as_str(),
        onoff(o.api_enabled),
        onoff(o.rss_enabled),
        onoff(o.ssl_required),
        onoff(o.maintain_assignments),
        onoff(o.admin_only_dashboards),
        o.spam_threshold.value(),
    )
}
