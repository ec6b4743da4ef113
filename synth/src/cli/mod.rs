//! The `iamsynth` command line, per `../shared/cli-contract.md`.

mod catalog;
mod diff;
mod explain;
mod generate;
mod output;
mod trail;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes of the contract.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "iamsynth",
    version,
    about = "Least-privilege IAM policies for serverless functions, from their source code",
    long_about = "iamsynth reads the source of serverless functions (Python/boto3, JavaScript and TypeScript \
with AWS SDK v2 and v3, Rust with aws-sdk crates), works out which IAM actions each function needs \
and on which resources, and writes one least-privilege policy per function. Every action carries \
its reasons (file, line, call); calls it cannot pin down are reported as unresolved, never guessed.",
    after_help = "Examples:\n  iamsynth generate .                          policies for every function the infrastructure declares\n  iamsynth generate . --entry app.py:handler --format json\n  iamsynth explain dynamodb:PutItem .          why a function needs an action\n  iamsynth catalog python s3 list_objects_v2   the actions one SDK call needs"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// When to colour output (NO_COLOR is honoured).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Notes as well as warnings on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Per-function least-privilege policies for the project in DIR.
    #[command(
        after_help = "Examples:\n  iamsynth generate\n  iamsynth generate services/orders --format cfn --out policies/\n  iamsynth generate . --entry src/handler.ts:handler --format json\n  iamsynth generate . --entry src/main.rs:main --account 123456789012 --region eu-west-1"
    )]
    Generate(generate::GenerateArgs),
    /// Generated policies against what is deployed or declared: missing, excess, risky.
    #[command(
        after_help = "Examples:\n  iamsynth diff\n  iamsynth diff --format markdown > comment.md\n  iamsynth diff --deployed policy.json --entry app.py:handler --fail-on any\n  iamsynth diff --deployed live --format policy --out tightened/ --keep xray:PutTraceSegments"
    )]
    Diff(diff::DiffArgs),
    /// Why a function needs ACTION: the calls, and the chain from the handler to each.
    #[command(
        after_help = "Examples:\n  iamsynth explain s3:GetObject\n  iamsynth explain dynamodb:PutItem services/orders --entry app.py:handler"
    )]
    Explain(explain::ExplainArgs),
    /// The IAM actions one SDK call needs.
    #[command(
        after_help = "Examples:\n  iamsynth catalog python s3 list_objects_v2\n  iamsynth catalog js-v2 DynamoDB putItem\n  iamsynth catalog js-v3 client-s3 ListObjectsV2Command --format json\n  iamsynth catalog rust aws-sdk-lambda invoke"
    )]
    Catalog(catalog::CatalogArgs),
    /// CloudTrail evidence against the code: what each function's role did, and what IAM denied.
    #[command(
        after_help = "Examples:\n  iamsynth trail . --cloudtrail logs/AWSLogs --since 30d\n  iamsynth trail . --cloudtrail trail.json.gz --role CreateOrder=arn:aws:iam::123456789012:role/orders --format json\n  iamsynth trail . --lookup --since 7d\n  iamsynth trail . --lake arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE"
    )]
    Trail(trail::TrailArgs),
}

/// The project and how to find its functions; shared by `generate` and `explain`.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Analyse this entry point as one function: FILE or FILE:FUNCTION, relative to DIR. Repeatable.
    #[arg(long = "entry", value_name = "FILE[:FUNCTION]")]
    pub entries: Vec<String>,
    /// Infrastructure file(s) to read instead of discovering them. Repeatable.
    #[arg(long = "template", value_name = "FILE")]
    pub templates: Vec<PathBuf>,
    /// The stage to read the infrastructure for, as its deploy command takes it: Serverless
    /// `--stage` (`${opt:stage}`, `${sls:stage}`), Chalice `--stage`, the one Zappa stage
    /// (default: each tool's own, `provider.stage` or `dev`; every Zappa stage).
    #[arg(long, value_name = "NAME")]
    pub stage: Option<String>,
    /// Account id for ARNs (default: `*`, or the template's ${AWS::AccountId}).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// Region for ARNs (default: `*`, or the template's ${AWS::Region}).
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// Partition for ARNs (default: `aws`, or the template's ${AWS::Partition}).
    #[arg(long, value_name = "NAME")]
    pub partition: Option<String>,
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let stdout_is_terminal = std::io::stdout().is_terminal();
    let result = match &cli.command {
        Command::Generate(args) => generate::run(args, &cli.global, stdout_is_terminal),
        Command::Diff(args) => diff::run(args, &cli.global, stdout_is_terminal),
        Command::Explain(args) => explain::run(args, &cli.global),
        Command::Catalog(args) => catalog::run(args),
        Command::Trail(args) => trail::run(args, &cli.global),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            EXIT_ERROR
        }
    }
}

/// Prints analysis diagnostics on stderr, as `-q`/`-v` ask.
pub(crate) fn print_diagnostics<'a>(
    global: &Global,
    diagnostics: impl Iterator<Item = &'a analyzer::Diagnostic>,
) {
    if global.quiet {
        return;
    }
    let mut seen = std::collections::BTreeSet::new();
    for d in diagnostics {
        if d.severity == analyzer::diagnostics::Severity::Note && !global.verbose {
            continue;
        }
        if seen.insert(d.to_string()) {
            eprintln!("{d}");
        }
    }
}
