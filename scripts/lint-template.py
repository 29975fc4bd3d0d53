#!/usr/bin/env python3
"""AWS's own linters on template.yaml (issue 27, docs/deploy-build.md); exits non-zero on any finding.

1. The SAM transform with aws-sam-translator, as CloudFormation runs it at deploy time. Local CodeUri
   values are replaced by S3 URIs first, as `sam package` does: the transform accepts nothing else.
2. cfn-lint on the template (it runs the same transform itself) with informational checks included
   (e.g. I3011, a stateful resource without DeletionPolicy), then on the transformed CloudFormation.

Usage: python3 scripts/lint-template.py [template.yaml]
"""
import json
import os
import subprocess
import sys
import tempfile

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

# What `sam package` uploads and rewrites to s3://, per resource type: the property holding a local path.
PACKAGED_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}
PACKAGE_BUCKET = "lint-template-package-bucket"


class NoManagedPolicies:
    """The transform asks IAM for AWS managed policy ARNs only for policies named in a function's Policies."""

    def load(self):
        return {}


def packaged(template):
    """The template as `sam package` leaves it: every local path property an s3:// URI (in place)."""
    resources = template.get("Resources", {})
    for name, resource in resources.items():
        prop = PACKAGED_PROPERTIES.get(resource.get("Type"))
        props = resource.get("Properties", {})
        value = props.get(prop) if prop else None
        if isinstance(value, str) and not value.startswith("s3://"):
            props[prop] = f"s3://{PACKAGE_BUCKET}/{name}.zip"
    function_globals = template.get("Globals", {}).get("Function", {})
    if isinstance(function_globals.get("CodeUri"), str) and not function_globals["CodeUri"].startswith("s3://"):
        function_globals["CodeUri"] = f"s3://{PACKAGE_BUCKET}/globals.zip"
    return template


def sam_transform(path):
    """The transformed CloudFormation template; exits 1 naming every problem the transform finds."""
    with open(path, encoding="utf-8") as f:
        template = packaged(yaml_parse(f.read()))
    try:
        return transform(template, {}, NoManagedPolicies())
    except InvalidDocumentException as err:
        print(f"{path}: the SAM transform (aws-sam-translator) refuses the template:", file=sys.stderr)
        for cause in err.causes:
            print(f"  - {cause.message}", file=sys.stderr)
        sys.exit(1)


def cfn_lint(path, what):
    """cfn-lint with informational checks; its exit code is a bit mask (2 error, 4 warning, 8 informational)."""
    result = subprocess.run(["cfn-lint", "--include-checks", "I", "--", path], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"cfn-lint found problems in {what} (exit {result.returncode}):", file=sys.stderr)
        print(result.stdout + result.stderr, file=sys.stderr)
        sys.exit(1)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    # The transform resolves the AWS::Region pseudo parameter through boto3 and stops without a region;
    # the template itself never depends on which one.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    transformed = sam_transform(path)
    cfn_lint(path, path)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        json.dump(transformed, out, indent=1, default=str)
    try:
        cfn_lint(out.name, f"{path} after the SAM transform")
    finally:
        os.unlink(out.name)
    resources = len(transformed.get("Resources", {}))
    print(f"{path}: SAM transform OK ({resources} CloudFormation resources), cfn-lint OK (errors, warnings and informational checks)")


if __name__ == "__main__":
    main()
