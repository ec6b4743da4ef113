//! `iamsynth diff`: generated policies against what is deployed or declared.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};

use super::generate::{analyse, arn_values};
use super::{ColorChoice, EXIT_FINDINGS, EXIT_OK, Global, ProjectArgs, output};
use crate::catalog::catalog;
use crate::diff::{self, Deployed, DiffReport, live};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// What the functions are allowed today: `template` (the policies the infrastructure
    /// files declare), `live` (the roles in IAM, from the standard AWS environment), or a
    /// policy JSON file (every function's role) or a folder of `<function>.json` files.
    #[arg(long, default_value = "template", value_name = "template|live|FILE")]
    pub deployed: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Which findings make the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Missing)]
    pub fail_on: FailOn,
    /// With `--format policy`: write `<function>.json` files into DIR instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With `--format policy`: keep this granted action (or pattern) though no code needs it. Repeatable.
    #[arg(long = "keep", value_name = "ACTION")]
    pub keep: Vec<String>,
    /// With `--deployed live`: the role (name or ARN) of every function, or of FUNCTION. Repeatable.
    #[arg(long = "role", value_name = "[FUNCTION=]ROLE")]
    pub roles: Vec<String>,
    /// With `--deployed live`: the deployed Lambda function name of FUNCTION. Repeatable.
    #[arg(long = "function-name", value_name = "FUNCTION=NAME")]
    pub function_names: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    /// Findings for a terminal (coloured there).
    Text,
    /// A pull-request comment: summary, a table per function, details folded.
    Markdown,
    /// The contract's JSON (`iamsynth/v1`): missing, excess, kept, broadened, risky.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// The tightened policy per function: what the code needs plus `--keep`.
    Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when a needed permission is missing.
    Missing,
    /// Exit 1 when the role grants more than the code needs (excess, broadened, risky).
    Excess,
    /// Exit 1 on any finding.
    Any,
    /// Exit 0 whatever the findings.
    Never,
}

pub fn run(args: &DiffArgs, global: &Global, terminal: bool) -> Result<i32> {
    if args.out.is_some() && !matches!(args.format, DiffFormat::Policy) {
        bail!("--out writes tightened policies: use it with --format policy");
    }
    let report = analyse(&args.dir, &args.project, global)?;
    let deployed = deployed(args, &report)?;
    if !global.quiet {
        for (function, d) in report.functions.iter().zip(&deployed) {
            if !d.known {
                eprintln!(
                    "warning: {}: not compared, the role's permissions are unknown",
                    function.name
                );
            }
        }
    }
    let arn = arn_values(&args.project);
    let result = diff::diff(catalog(), &report, &deployed, &arn);
    let text = match args.format {
        DiffFormat::Text => diff::render::text::render(&result, color(global.color, terminal)),
        DiffFormat::Markdown => diff::render::markdown::render(&result),
        DiffFormat::Json => diff::render::json::render(&result),
        DiffFormat::Sarif => diff::render::sarif::render(&result),
        DiffFormat::Policy => {
            let names = diff::Names::of(&report, &arn);
            let policies: Vec<_> = report
                .functions
                .iter()
                .zip(&deployed)
                .map(|(f, d)| {
                    (
                        f.name.clone(),
                        diff::tighten::policy(f, d, &args.keep, &names),
                    )
                })
                .collect();
            let rendered = diff::render::policy::render(&policies, &arn);
            match &args.out {
                Some(dir) => output::write_files(dir, &rendered.files)?,
                None => output::print(&rendered.stdout)?,
            }
            return Ok(exit_code(&result, args.fail_on));
        }
    };
    output::print(&text)?;
    Ok(exit_code(&result, args.fail_on))
}

fn deployed(args: &DiffArgs, report: &crate::generate::Report) -> Result<Vec<Deployed>> {
    match args.deployed.as_str() {
        "template" => report
            .functions
            .iter()
            .map(|f| match &f.spec {
                Some(spec) => Ok(diff::template::deployed(&args.dir, spec)),
                None => bail!(
                    "--deployed template compares with the infrastructure files, and {} comes from none: use --deployed FILE or --deployed live",
                    f.name
                ),
            })
            .collect(),
        "live" => live::deployed(report, &targets(args)?),
        path => diff::file::deployed(std::path::Path::new(path), report, &|name| {
            output::file_name(name, "json")
        }),
    }
}

fn targets(args: &DiffArgs) -> Result<live::Targets> {
    let mut targets = live::Targets::default();
    for role in &args.roles {
        match role.split_once('=') {
            Some((function, role)) => {
                targets.roles.insert(function.to_string(), role.to_string());
            }
            None => targets.role_for_all = Some(role.clone()),
        }
    }
    let mut names = BTreeMap::new();
    for pair in &args.function_names {
        let Some((function, name)) = pair.split_once('=') else {
            bail!("--function-name {pair}: expected FUNCTION=NAME");
        };
        names.insert(function.to_string(), name.to_string());
    }
    targets.function_names = names;
    Ok(targets)
}

/// `--color`, `NO_COLOR` (https://no-color.org) and whether stdout is a terminal.
fn color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn exit_code(report: &DiffReport, fail_on: FailOn) -> i32 {
    let f = &report.functions;
    let missing = f.iter().any(|f| !f.findings.missing.is_empty());
    let broader = f.iter().any(|f| {
        !f.findings.excess.is_empty()
            || !f.findings.broadened.is_empty()
            || !f.findings.risky.is_empty()
    });
    let fail = match fail_on {
        FailOn::Missing => missing,
        FailOn::Excess => broader,
        FailOn::Any => missing || broader,
        FailOn::Never => false,
    };
    if fail { EXIT_FINDINGS } else { EXIT_OK }
}
