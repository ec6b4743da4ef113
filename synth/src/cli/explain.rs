//! `iamsynth explain ACTION [DIR]`: every call that needs ACTION, with the chain of calls
//! from the handler that reaches it.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::generate::{analyse, arn_values};
use super::{EXIT_OK, Global, ProjectArgs, output};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// An exact IAM action, `prefix:Name` (`dynamodb:PutItem`).
    pub action: String,
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub project: ProjectArgs,
}

pub fn run(args: &ExplainArgs, global: &Global) -> Result<i32> {
    anyhow::ensure!(
        args.action
            .split_once(':')
            .is_some_and(|(p, n)| !p.is_empty() && !n.is_empty() && !n.contains('*')),
        "`{}` is not an IAM action: write it as prefix:Name, e.g. dynamodb:PutItem",
        args.action
    );
    let report = analyse(&args.dir, &args.project, global)?;
    let arn = arn_values(&args.project);
    let mut text = String::new();
    for function in &report.functions {
        let Some(grant) = function
            .actions()
            .find(|g| g.action.eq_ignore_ascii_case(&args.action))
        else {
            continue;
        };
        let resources: Vec<String> = grant
            .resources
            .iter()
            .map(|r| crate::policy::substitute(r, &|p| arn.plain(p)))
            .collect();
        // `when iam:PassedToService is ecs-tasks.amazonaws.com`: the grant's conditions.
        let when: Vec<String> = grant
            .conditions
            .iter()
            .flatten()
            .flat_map(|(_, keys)| keys)
            .map(|(key, values)| format!("{key} is {}", values.join(" or ")))
            .collect();
        let when = if when.is_empty() {
            String::new()
        } else {
            format!(" when {}", when.join(" and "))
        };
        let _ = writeln!(
            text,
            "{} needs {} on {}{when}",
            function.name,
            grant.action,
            resources.join(", ")
        );
        for reason in &grant.reasons {
            let _ = writeln!(text, "  {}:{}  {}", reason.file, reason.line, reason.call);
            for (depth, step) in reason.chain.iter().enumerate() {
                let arrow = if depth == 0 { "from" } else { "  ->" };
                let _ = writeln!(
                    text,
                    "    {arrow} {} ({}:{})",
                    step.function, step.at.file, step.at.line
                );
            }
        }
    }
    if text.is_empty() {
        eprintln!(
            "no function in {} needs {}",
            args.dir.display(),
            args.action
        );
        return Ok(EXIT_OK);
    }
    output::print(&text)?;
    Ok(EXIT_OK)
}
