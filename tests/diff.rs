//! `iamsynth diff` on the command line: exit codes per `--fail-on`, errors that name what
//! is wrong, colour only when asked, policy files and folders. The outputs themselves are
//! golden tests (fixtures/diff/*/golden.toml).

mod support;

use support::{fixtures, iamsynth, stderr, stdout};

fn code(dir: &str, args: &[&str]) -> (i32, String, String) {
    let out = iamsynth(&fixtures().join(dir), args);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

#[test]
fn fail_on_chooses_which_findings_exit_1() {
    // too-narrow: one missing action, nothing excess.
    assert_eq!(code("diff/too-narrow", &["diff"]).0, 1);
    assert_eq!(
        code("diff/too-narrow", &["diff", "--fail-on", "excess"]).0,
        0
    );
    assert_eq!(code("diff/too-narrow", &["diff", "--fail-on", "any"]).0, 1);
    assert_eq!(
        code("diff/too-narrow", &["diff", "--fail-on", "never"]).0,
        0
    );
    // too-broad: nothing missing, excess and a risky grant.
    assert_eq!(code("diff/too-broad", &["diff"]).0, 0);
    assert_eq!(
        code("diff/too-broad", &["diff", "--fail-on", "excess"]).0,
        1
    );
    assert_eq!(code("diff/too-broad", &["diff", "--fail-on", "any"]).0, 1);
}

#[test]
fn template_mode_needs_infrastructure() {
    let (exit, _, err) = code(
        "diff/exact",
        &[
            "diff",
            "--entry",
            "app.py:handler",
            "--deployed",
            "template",
        ],
    );
    assert_eq!(exit, 2);
    assert!(err.contains("--deployed template"), "{err}");
}

#[test]
fn a_file_that_is_not_a_policy_is_an_error_naming_it() {
    let (exit, _, err) = code(
        "diff/exact",
        &["diff", "--entry", "app.py:handler", "--deployed", "app.py"],
    );
    assert_eq!(exit, 2);
    assert!(err.contains("app.py"), "{err}");
    let (exit, _, err) = code(
        "diff/exact",
        &[
            "diff",
            "--entry",
            "app.py:handler",
            "--deployed",
            "nothing.json",
        ],
    );
    assert_eq!(exit, 2);
    assert!(err.contains("nothing.json"), "{err}");
}

#[test]
fn a_policy_folder_holds_one_file_per_function() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        fixtures().join("diff/exact/policy.json"),
        dir.path().join("app.py-handler.json"),
    )
    .expect("copy");
    let folder = dir.path().to_string_lossy().to_string();
    let (exit, out, err) = code(
        "diff/exact",
        &[
            "diff",
            "--entry",
            "app.py:handler",
            "--deployed",
            &folder,
            "--format",
            "json",
        ],
    );
    assert_eq!(exit, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["functions"][0]["kept"][0]["action"], "sqs:SendMessage");
    // A function without its file is an error that names the file expected.
    std::fs::remove_file(dir.path().join("app.py-handler.json")).expect("remove");
    let (exit, _, err) = code(
        "diff/exact",
        &["diff", "--entry", "app.py:handler", "--deployed", &folder],
    );
    assert_eq!(exit, 2);
    assert!(err.contains("app.py-handler.json"), "{err}");
}

#[test]
fn colour_only_when_asked() {
    let (_, plain, _) = code("diff/too-narrow", &["diff"]);
    assert!(!plain.contains('\x1b'), "{plain}");
    let (_, coloured, _) = code("diff/too-narrow", &["diff", "--color", "always"]);
    assert!(coloured.contains("\x1b[31mmissing"), "{coloured}");
}

#[test]
fn a_percent_encoded_policy_file_is_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("encoded.json");
    // As IAM's GetRolePolicy returns documents (RFC 3986 percent-encoding).
    std::fs::write(
        &path,
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22sqs%3ASendMessage%22%2C%22Resource%22%3A%22arn%3Aaws%3Asqs%3A%2A%3A%2A%3Ajobs%22%7D%5D%7D",
    )
    .expect("write");
    let file = path.to_string_lossy().to_string();
    let (exit, out, err) = code(
        "diff/exact",
        &[
            "diff",
            "--entry",
            "app.py:handler",
            "--deployed",
            &file,
            "--format",
            "json",
        ],
    );
    assert_eq!(exit, 0, "{err}");
    assert!(
        out.contains("\"kept\": [\n        {\n          \"action\": \"sqs:SendMessage\""),
        "{out}"
    );
}
