#!/usr/bin/env bash
# IaC-analysis benchmark: `gatehouse iac` over a generated corpus of N
# Kubernetes manifests (default 20000: Deployments, Services, ConfigMaps,
# CronJobs, NetworkPolicies, PDBs, RBAC; a mix of hardened and defective
# pod specs, 1-4 documents per file) and M Terraform files (default 5000:
# S3 buckets, security groups, RDS instances, IAM policies, variables and
# backends in module directories), plus 200 Dockerfiles.
#
# Best of 3 runs each, it prints files/s, MB/s and peak RSS for
#   gatehouse iac CORPUS          (every rule; --fail-on none)
# and side by side a reference: kube-linter, kube-score, trivy config or
# checkov if one is installed, otherwise `rg` reading the same corpus
# (a pure read floor: the fastest anything can go over these bytes).
#
# Usage: bench/iac_bench.sh [N] [M]     GATEHOUSE_BIN=path/to/gatehouse to pick a build.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/bench/lib.sh"
gh=${GATEHOUSE_BIN:-$here/build/gatehouse}
[ -x "$gh" ] || { echo "no gatehouse binary at $gh (set GATEHOUSE_BIN)" >&2; exit 2; }
n=${1:-20000}
m=${2:-5000}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus="$work/corpus"
python3 - "$corpus" "$n" "$m" <<'PY'
import os, random, sys
root, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f: f.write(text)
def deployment(i, ns, hardened):
    sc = """      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
""" if hardened else ""
    csc = """          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
""" if hardened else ("""          securityContext:
            privileged: true
""" if i % 7 == 0 else "")
    tag = "1.%d.%d@sha256:%064x" % (i % 9, i % 5, i) if hardened else ("latest" if i % 3 == 0 else "1.%d" % (i % 9))
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: {ns}
  labels: {{app: svc-{i}, team: t{i % 17}}}
spec:
  replicas: {1 + i % 4}
  selector:
    matchLabels: {{app: svc-{i}}}
  template:
    metadata:
      labels: {{app: svc-{i}, team: t{i % 17}}}
    spec:
      automountServiceAccountToken: false
{sc}      containers:
        - name: app
          image: registry.example.com/team{i % 17}/svc-{i}:{tag}
          ports: [{{containerPort: 8080}}]
{csc}          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_HOST
              value: db-{i % 11}.{ns}.svc
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
          readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}
          livenessProbe: {{httpGet: {{path: /live, port: 8080}}}}
"""
def service(i, ns):
    t = "LoadBalancer" if i % 13 == 0 else "ClusterIP"
    return f"""apiVersion: v1
kind: Service
metadata: {{name: svc-{i}, namespace: {ns}}}
spec:
  type: {t}
  selector: {{app: svc-{i}}}
  ports:
    - port: {5432 if i % 29 == 0 else 80}
      targetPort: 8080
"""
def extra(i, ns):
    k = i % 4
    if k == 0:
        return f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: svc-{i}, namespace: {ns}}}
spec:
  minAvailable: 1
  selector: {{matchLabels: {{app: svc-{i}}}}}
"""
    if k == 1:
        return f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: cfg-{i}, namespace: {ns}}}
data:
  app.yaml: |
    server:
      port: 8080
      workers: {i % 8 + 1}
"""
    if k == 2:
        return f"""apiVersion: batch/v1
kind: CronJob
metadata: {{name: job-{i}, namespace: {ns}}}
spec:
  schedule: "{i % 60} 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              image: registry.example.com/jobs/job-{i}:2.{i % 7}
"""
    return f"""apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: reader-{i}, namespace: {ns}}}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "pods"]
    verbs: ["get", "list", "watch"]
"""
for i in range(n):
    ns = "team-%d" % (i % 40)
    docs = [deployment(i, ns, i % 2 == 0)]
    if i % 2 == 0: docs.append(service(i, ns))
    if i % 3 == 0: docs.append(extra(i, ns))
    w(f"{root}/k8s/{ns}/app-{i}.yaml", "---\n".join(docs))
for t in range(40):
    w(f"{root}/k8s/team-{t}/netpol.yaml", f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: team-{t}}}
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
""")
for j in range(m):
    mod = f"{root}/terraform/mod-{j // 10}"
    k = j % 5
    if k == 0:
        body = f"""resource "aws_s3_bucket" "b{j}" {{
  bucket = "bench-bucket-{j}"
  tags = {{
    Team = "t{j % 17}"
    Env  = "prod"
  }}
}}

resource "aws_s3_bucket_versioning" "b{j}" {{
  bucket = aws_s3_bucket.b{j}.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}
"""
    elif k == 1:
        body = f"""resource "aws_security_group" "sg{j}" {{
  name   = "sg-{j}"
  vpc_id = var.vpc_id

  ingress {{
    from_port   = {22 if j % 3 == 0 else 443}
    to_port     = {22 if j % 3 == 0 else 443}
    protocol    = "tcp"
    cidr_blocks = ["{'0.0.0.0/0' if j % 4 == 1 else '10.0.0.0/8'}"]
  }}
}}
"""
    elif k == 2:
        body = f"""resource "aws_db_instance" "db{j}" {{
  identifier              = "db-{j}"
  engine                  = "postgres"
  instance_class          = "db.t3.medium"
  allocated_storage       = 20
  storage_encrypted       = {"true" if j % 2 else "false"}
  backup_retention_period = {7 if j % 2 else 1}
  password                = data.aws_ssm_parameter.db.value
}}
"""
    elif k == 3:
        body = f"""data "aws_iam_policy_document" "p{j}" {{
  statement {{
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::bench-bucket-{j}/*"]
  }}
}}

resource "aws_iam_policy" "p{j}" {{
  name   = "p-{j}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["logs:*"], Resource = "*" }}]
  }})
}}
"""
    else:
        body = f"""variable "name_{j}" {{
  type        = string
  description = "name of thing {j}"
  default     = "thing-{j}"
}}

locals {{
  full_{j} = "${{var.name_{j}}}-${{terraform.workspace}}"
}}
"""
    w(f"{mod}/f{j}.tf", body)
for d in range(200):
    w(f"{root}/docker/svc-{d}/Dockerfile", f"""# syntax=docker/dockerfile:1
ARG GO=1.23
FROM golang:${{GO}} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    go build -o /out/app ./cmd/svc-{d}
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
USER 65532
ENTRYPOINT ["/app"]
""")
PY
files=$(find "$corpus" -type f | wc -l)
bytes=$(du -sb "$corpus" | cut -f1)
mb=$(awk "BEGIN{printf \"%.1f\", $bytes/1048576}")
echo "corpus: $files files ($n manifests, $m .tf, 200 Dockerfiles), $mb MB"

report() {  # name seconds rss_kb
  awk -v n="$1" -v t="$2" -v m="$3" -v f="$files" -v b="$bytes" 'BEGIN{
    printf "%-28s %7.2f s  %9.0f files/s  %7.1f MB/s  peak RSS %6.1f MB\n",
           n, t, f/t, b/1048576/t, m/1024 }'
}

time_it "$gh" iac "$corpus" --fail-on none --format json -o "$work/out.json"
gt=$T; gm=$M
report "gatehouse iac" "$gt" "$gm"
findings=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['findings']))" "$work/out.json")
echo "findings: $findings"

ref=""
for tool in kube-linter kube-score trivy checkov; do
  if command -v "$tool" >/dev/null; then ref=$tool; break; fi
done
case "$ref" in
  kube-linter) time_it kube-linter lint "$corpus/k8s" ;;
  kube-score) time_it sh -c "find '$corpus/k8s' -name '*.yaml' | xargs kube-score score" ;;
  trivy) time_it trivy config --quiet "$corpus" ;;
  checkov) time_it checkov -d "$corpus" --quiet ;;
  *) ref="rg (read floor)"; time_it rg -c --no-ignore "apiVersion|resource|FROM" "$corpus" ;;
esac
rt=$T; rm_=$M
report "$ref" "$rt" "$rm_"
awk -v a="$gt" -v b="$rt" -v r="$ref" 'BEGIN{printf "ratio: gatehouse takes %.1fx the time of %s\n", a/b, r}'
check "peak RSS below 1 GiB" "$gm < 1048576"
check "at least 2000 files/s" "$files / $gt >= 2000"
exit $status
