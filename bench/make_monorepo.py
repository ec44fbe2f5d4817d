#!/usr/bin/env python3
"""Generates a synthetic platform monorepo for bench/audit_bench.sh.

Usage: make_monorepo.py DIR [FILES]   (default 50,000 files)

Deterministic (fixed seed). The mix is what a large delivery-platform
monorepo holds: per service source files and tests, a Dockerfile, Kubernetes
manifests (Deployment, Service, some Rollouts and CronJobs), a Helm chart,
Terraform modules, Prometheus rules, a few hundred GitHub workflows with the
usual copy-paste, runbooks and docs. No credential-shaped values.
"""
import os
import random
import sys

WORKFLOW = """name: ci-{svc}
on:
  pull_request:
    paths: ["services/{svc}/**"]
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: {timeout}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-{lang}@v5
      - run: make -C services/{svc} test
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t ghcr.io/acme/{svc}:${{{{ github.sha }}}} services/{svc}
      - uses: aquasecurity/trivy-action@master
        continue-on-error: true
        with:
          image-ref: ghcr.io/acme/{svc}:${{{{ github.sha }}}}
  deploy:
    needs: [test, image]
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - run: kubectl apply -f deploy/{svc}/
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {svc}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {svc}}}
  template:
    metadata:
      labels: {{app: {svc}}}
    spec:
      containers:
        - name: {svc}
          image: ghcr.io/acme/{svc}:{tag}
          resources:
            limits: {{cpu: 500m, memory: 256Mi}}
          securityContext:
            allowPrivilegeEscalation: false
---
apiVersion: v1
kind: Service
metadata:
  name: {svc}
spec:
  selector: {{app: {svc}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""

ROLLOUT = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: {svc}
spec:
  strategy:
    canary:
      steps:
        - setWeight: 20
        - pause: {{duration: 5m}}
"""

CRONJOB = """apiVersion: batch/v1
kind: CronJob
metadata:
  name: {svc}-backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: dump
              image: postgres:16
              command: ["pg_dump", "-Fc", "-f", "/backup/{svc}.dump"]
"""

RULES = """groups:
  - name: {svc}
    rules:
      - alert: {Svc}HighErrorRate
        expr: sum(rate(http_requests_total{{job="{svc}",code=~"5.."}}[5m])) > 5
        for: 5m
        labels:
          severity: page
"""

TF = """variable "{svc}_replicas" {{
  type    = number
  default = 2
}}

resource "aws_s3_bucket" "{svc}" {{
  bucket = "acme-{svc}-{i}"
  tags = {{
    service = "{svc}"
  }}
}}
"""

PY = '''"""Module {i} of service {svc}."""


def handler_{i}(event: dict) -> dict:
    total = 0
    for k, v in sorted(event.items()):
        total += len(k) * {i} + (v if isinstance(v, int) else 0)
    return {{"service": "{svc}", "total": total}}
'''

PY_TEST = '''from handlers_{i} import handler_{i}


def test_handler_{i}():
    assert handler_{i}({{"a": 1}})["total"] == {i} + 1
'''

GO = """package {pkg}

// Sum{i} adds the values of m deterministically.
func Sum{i}(m map[string]int) int {{
\ts := 0
\tfor _, v := range m {{
\t\ts += v * {i}
\t}}
\treturn s
}}
"""


def main() -> None:
    root = sys.argv[1]
    target = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
    rng = random.Random(20261128)
    written = 0

    def put(rel: str, text: str) -> None:
        nonlocal written
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        written += 1

    put("README.md", "# Synthetic monorepo\n")
    put("SECURITY.md", "Report issues to security@example.invalid\n")
    put(".gitignore", "node_modules/\n*.pyc\n")
    put(".github/CODEOWNERS", "/services/ @acme/backend\n/.github/ @acme/platform\n")
    put("CHANGELOG.md", "# Changelog\n")
    svc_count = max(10, target // 100)
    per_svc = max(10, -(-(target - 5) // svc_count))  # ceil: the last service fills up
    for s in range(svc_count):
        svc = f"svc{s:04d}"
        lang = "python" if s % 2 == 0 else "go"
        files = []
        files.append((f".github/workflows/ci-{svc}.yml",
                      WORKFLOW.format(svc=svc, lang=lang, timeout=rng.choice([10, 15, 20]))))
        files.append((f"deploy/{svc}/deployment.yaml",
                      DEPLOYMENT.format(svc=svc, tag=rng.choice(["1.0.0", "latest", "2.3.1"]))))
        if s % 5 == 0:
            files.append((f"deploy/{svc}/rollout.yaml", ROLLOUT.format(svc=svc)))
        if s % 7 == 0:
            files.append((f"deploy/{svc}/backup.yaml", CRONJOB.format(svc=svc)))
        files.append((f"deploy/{svc}/alerts.yml", RULES.format(svc=svc, Svc=svc.capitalize())))
        files.append((f"services/{svc}/Dockerfile",
                      f"FROM python:3.12-slim\nCOPY . /app\n{'USER 10001' if s % 3 else ''}\n"))
        files.append((f"services/{svc}/README.md", f"# {svc}\n"))
        files.append((f"infra/{svc}/main.tf", TF.format(svc=svc, i=s)))
        files.append((f"docs/runbooks/{svc}-rollback.md", f"# Roll back {svc}\nkubectl rollout undo\n"))
        i = 0
        while len(files) < per_svc:
            if lang == "python":
                if i % 4 == 3:
                    files.append((f"services/{svc}/tests/test_handlers_{i}.py", PY_TEST.format(i=i)))
                else:
                    files.append((f"services/{svc}/src/handlers_{i}.py", PY.format(i=i, svc=svc)))
            else:
                files.append((f"services/{svc}/pkg/sum_{i}.go", GO.format(i=i, pkg=svc)))
            i += 1
        for rel, text in files:
            if written >= target:
                break
            put(rel, text)
        if written >= target:
            break
    print(written)


if __name__ == "__main__":
    main()
