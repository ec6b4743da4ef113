//! `iamsynth generate`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};

use super::{EXIT_OK, Global, ProjectArgs, output, print_diagnostics};
use crate::catalog::catalog;
use crate::generate::{self, Options, Report};
use crate::render::{self, ArnValues, Rendered};

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GenerateFormat::Policy)]
    pub format: GenerateFormat,
    /// Write one file per function (`<function-name>.<ext>`) into DIR instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// CloudTrail evidence (`--cloudtrail`, `--lookup`, `--lake`, `--role`, `--since`, `--until`).
    #[command(flatten)]
    pub evidence: super::trail::EvidenceArgs,
    /// Add actions the roles used but the code does not explain, each with its evidence.
    #[arg(long)]
    pub with_observed: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GenerateFormat {
    /// The contract's JSON document (`iamsynth/v1`): actions, resources, reasons, unresolved, policy.
    Json,
    /// One IAM policy document per function.
    Policy,
    /// An `AWS::IAM::Policy` resource per function, attached to its role (CloudFormation YAML).
    Cfn,
    /// Each function's `Policies` property for a SAM template.
    Sam,
    /// Per-function `iamRoleStatements` for serverless.yml.
    Serverless,
    /// An `aws_iam_policy_document` data source per function (Terraform).
    Terraform,
}

pub fn run(args: &GenerateArgs, global: &Global, terminal: bool) -> Result<i32> {
    if args.with_observed && !args.evidence.any_source() {
        anyhow::bail!(
            "--with-observed needs evidence: --cloudtrail PATH, --lookup or --lake EVENT_DATA_STORE"
        );
    }
    let mut report = analyse(&args.dir, &args.project, global)?;
    if args.evidence.any_source() {
        super::trail::apply_to_generate(&mut report, &args.evidence, args.with_observed, global)?;
    }
    let arn = arn_values(&args.project);
    let rendered: Rendered = match args.format {
        GenerateFormat::Json => render::json::render(&report, &arn),
        GenerateFormat::Policy => {
            render::policy::render(&report, &arn, terminal && args.out.is_none())
        }
        GenerateFormat::Cfn => render::cfn::render(&report, &arn),
        GenerateFormat::Sam => render::sam::render(&report, &arn),
        GenerateFormat::Serverless => render::serverless::render(&report, &arn),
        GenerateFormat::Terraform => render::terraform::render(&report, &arn),
    };
    match &args.out {
        Some(dir) => output::write_files(dir, &rendered.files)?,
        None => output::print(&rendered.stdout)?,
    }
    Ok(EXIT_OK)
}

/// Runs the pipeline and prints its diagnostics; shared with `explain`.
pub(super) fn analyse(
    dir: &std::path::Path,
    project: &ProjectArgs,
    global: &Global,
) -> Result<Report> {
    let options = Options {
        root: dir.to_path_buf(),
        entries: project.entries.clone(),
        templates: project.templates.clone(),
        stage: project.stage.clone(),
    };
    let report = generate::generate(catalog(), &options)
        .with_context(|| format!("cannot analyse {}", dir.display()))?;
    print_diagnostics(
        global,
        report.diagnostics.iter().chain(
            report
                .functions
                .iter()
                .flat_map(|f| f.resolved.diagnostics.iter()),
        ),
    );
    Ok(report)
}

pub(super) fn arn_values(project: &ProjectArgs) -> ArnValues {
    ArnValues {
        partition: project.partition.clone(),
        region: project.region.clone(),
        account: project.account.clone(),
    }
}
