// The rule table of the Kubernetes, Helm and Dockerfile checks, and the
// helpers every check uses to build findings. docs/iac.md lists the same
// rules (generated from this table with `gatehouse iac --list-rules
// --format markdown`), so the table is the single source of truth.
#include <algorithm>
#include <cctype>

#include "gatehouse/base.h"
#include "gatehouse/secrets_scan.h"
#include "iac/internal.h"

namespace gatehouse::iac {

namespace {

constexpr const char* kPss = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

RuleInfo R(std::string id, std::string title, Severity sev, std::string why, std::string fix,
           std::string uri, std::vector<std::string> tags) {
  RuleInfo r;
  r.id = std::move(id);
  r.title = std::move(title);
  r.severity = sev;
  r.area = Area::kIac;
  r.description = std::move(why);
  r.remediation = std::move(fix);
  r.help_uri = std::move(uri);
  r.tags = std::move(tags);
  return r;
}

std::vector<RuleInfo> BuildRules() {
  using S = Severity;
  std::vector<RuleInfo> v;
  // ---- Pod Security Standards: baseline ----------------------------------
  v.push_back(R("k8s/pss-host-process", "Windows HostProcess container", S::kCritical,
                "A HostProcess container runs on the Windows node with host access; the PSS "
                "baseline forbids windowsOptions.hostProcess=true at pod and container level. "
                "Reference: PSS baseline control 'HostProcess'; CIS Kubernetes 5.2.11.",
                "Remove securityContext.windowsOptions.hostProcess (or set it to false).", kPss,
                {"pss", "baseline", "cis-k8s-5.2.11"}));
  v.push_back(R("k8s/pss-host-namespaces", "Host namespaces shared", S::kHigh,
                "hostNetwork, hostPID or hostIPC give the pod the node's network stack, "
                "processes or IPC. Reference: PSS baseline control 'Host Namespaces'; CIS "
                "Kubernetes 5.2.3-5.2.5.",
                "Remove spec.hostNetwork/hostPID/hostIPC (or set them to false).", kPss,
                {"pss", "baseline", "cis-k8s-5.2.3", "cis-k8s-5.2.4", "cis-k8s-5.2.5"}));
  v.push_back(R("k8s/pss-privileged", "Privileged container", S::kCritical,
                "A privileged container has all capabilities and every device of the node: it is "
                "root on the host. Reference: PSS baseline control 'Privileged Containers'; CIS "
                "Kubernetes 5.2.2.",
                "Remove securityContext.privileged (or set it to false); grant only the "
                "capabilities the workload needs.",
                kPss, {"pss", "baseline", "cis-k8s-5.2.2"}));
  v.push_back(R("k8s/pss-capabilities", "Capability outside the baseline allow-list", S::kHigh,
                "The baseline allows adding only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, "
                "FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and "
                "SYS_CHROOT (the container runtime defaults). Reference: PSS baseline control "
                "'Capabilities'; CIS Kubernetes 5.2.9.",
                "Remove the capability from securityContext.capabilities.add.", kPss,
                {"pss", "baseline", "cis-k8s-5.2.9"}));
  v.push_back(R("k8s/pss-host-path", "hostPath volume", S::kHigh,
                "hostPath volumes expose the node's filesystem to the pod. Reference: PSS "
                "baseline control 'HostPath Volumes'; CIS Kubernetes 5.2.12.",
                "Use a persistentVolumeClaim, emptyDir, configMap, secret or CSI volume instead.",
                kPss, {"pss", "baseline", "cis-k8s-5.2.12"}));
  v.push_back(R("k8s/pss-host-ports", "Container binds a host port", S::kMedium,
                "hostPort binds the node's port and bypasses network policy. The baseline allows "
                "only 0 or unset. Reference: PSS baseline control 'Host Ports'; CIS Kubernetes "
                "5.2.13.",
                "Remove ports[].hostPort and expose the pod through a Service.", kPss,
                {"pss", "baseline", "cis-k8s-5.2.13"}));
  v.push_back(R("k8s/pss-apparmor", "AppArmor profile overridden", S::kHigh,
                "Only RuntimeDefault or Localhost profiles (annotation values runtime/default or "
                "localhost/*) are allowed; Unconfined disables AppArmor. Reference: PSS baseline "
                "control 'AppArmor'.",
                "Remove the override or use appArmorProfile.type: RuntimeDefault.", kPss,
                {"pss", "baseline"}));
  v.push_back(R("k8s/pss-selinux", "SELinux options outside the baseline", S::kHigh,
                "seLinuxOptions.type must be unset, container_t, container_init_t, "
                "container_kvm_t or container_engine_t (Kubernetes 1.31+); user and role must be "
                "unset. Reference: PSS baseline control 'SELinux'.",
                "Remove seLinuxOptions.user/role and use an allowed type.", kPss,
                {"pss", "baseline"}));
  v.push_back(R("k8s/pss-proc-mount", "Unmasked /proc mount", S::kHigh,
                "procMount: Unmasked exposes the host's /proc paths that the runtime masks. "
                "Reference: PSS baseline control '/proc Mount Type'.",
                "Remove securityContext.procMount (or set it to Default).", kPss,
                {"pss", "baseline"}));
  v.push_back(R("k8s/pss-seccomp", "Seccomp explicitly Unconfined", S::kHigh,
                "seccompProfile.type Unconfined turns off syscall filtering. Reference: PSS "
                "baseline control 'Seccomp'; CIS Kubernetes 5.7.2.",
                "Use seccompProfile.type: RuntimeDefault (or Localhost).", kPss,
                {"pss", "baseline", "cis-k8s-5.7.2"}));
  v.push_back(R("k8s/pss-sysctls", "Unsafe sysctl", S::kHigh,
                "Only the safe, namespaced sysctls are allowed: kernel.shm_rmid_forced, "
                "net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, "
                "net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, "
                "net.ipv4.ip_local_reserved_ports (1.27+), net.ipv4.tcp_keepalive_time, "
                "net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, "
                "net.ipv4.tcp_keepalive_probes (1.29+), net.ipv4.tcp_rmem, net.ipv4.tcp_wmem "
                "(1.32+). Reference: PSS baseline control 'Sysctls'.",
                "Remove the sysctl from spec.securityContext.sysctls.", kPss, {"pss", "baseline"}));
  v.push_back(R("k8s/pss-probe-host", "Probe or lifecycle handler sets host", S::kMedium,
                "httpGet.host / tcpSocket.host in probes and lifecycle handlers make the kubelet "
                "connect to another address (SSRF from the node). The baseline requires them "
                "unset or \"\". Reference: PSS baseline control 'Probes / Lifecycle Handlers' "
                "(Kubernetes 1.34+).",
                "Remove the host field; probes target the pod IP.", kPss, {"pss", "baseline"}));
  // ---- Pod Security Standards: restricted --------------------------------
  v.push_back(R("k8s/pss-volume-types", "Volume type outside the restricted allow-list", S::kMedium,
                "The restricted profile allows only configMap, csi, downwardAPI, emptyDir, "
                "ephemeral, persistentVolumeClaim, projected and secret volumes (hostPath is "
                "reported by k8s/pss-host-path). Reference: PSS restricted control 'Volume "
                "Types'.",
                "Replace the volume with one of the allowed types (e.g. a PVC).", kPss,
                {"pss", "restricted"}));
  v.push_back(R("k8s/pss-privilege-escalation", "allowPrivilegeEscalation not false", S::kMedium,
                "The restricted profile requires allowPrivilegeEscalation: false on every "
                "container (Linux pods). Reference: PSS restricted control 'Privilege "
                "Escalation'; CIS Kubernetes 5.2.6.",
                "Set securityContext.allowPrivilegeEscalation: false on each container.", kPss,
                {"pss", "restricted", "cis-k8s-5.2.6"}));
  v.push_back(R("k8s/pss-run-as-non-root", "runAsNonRoot not true", S::kMedium,
                "The restricted profile requires runAsNonRoot: true on the pod or on every "
                "container, and false nowhere (a container value overrides the pod's). "
                "Reference: PSS restricted control 'Running as Non-root'; CIS Kubernetes 5.2.7.",
                "Set spec.securityContext.runAsNonRoot: true (and runAsUser to a non-zero UID).",
                kPss, {"pss", "restricted", "cis-k8s-5.2.7"}));
  v.push_back(R("k8s/pss-run-as-user", "runAsUser 0 (root)", S::kMedium,
                "The restricted profile forbids runAsUser: 0 at pod and container level. "
                "Reference: PSS restricted control 'Running as Non-root user'.",
                "Use a non-zero UID.", kPss, {"pss", "restricted", "cis-k8s-5.2.7"}));
  v.push_back(R("k8s/pss-seccomp-restricted", "Seccomp profile not set", S::kMedium,
                "The restricted profile requires seccompProfile.type RuntimeDefault or Localhost "
                "on the pod, or on every container (Linux pods). Reference: PSS restricted "
                "control 'Seccomp'; CIS Kubernetes 5.7.2.",
                "Set spec.securityContext.seccompProfile.type: RuntimeDefault.", kPss,
                {"pss", "restricted", "cis-k8s-5.7.2"}));
  v.push_back(R("k8s/pss-capabilities-restricted", "Capabilities not dropped", S::kMedium,
                "The restricted profile requires capabilities.drop to include ALL and allows "
                "adding only NET_BIND_SERVICE (Linux pods). Reference: PSS restricted control "
                "'Capabilities'; CIS Kubernetes 5.2.8-5.2.10.",
                "Set securityContext.capabilities.drop: [ALL] and add back at most "
                "NET_BIND_SERVICE.",
                kPss, {"pss", "restricted", "cis-k8s-5.2.10"}));
  // ---- Kubernetes best practice -------------------------------------------
  const std::string kImg = "https://kubernetes.io/docs/concepts/containers/images/";
  v.push_back(R("k8s/image-latest", "Image uses the latest tag", S::kMedium,
                "`latest` moves: a rollout or a node restart can silently run different code, "
                "and rollbacks do not roll back the image.",
                "Pin a version tag, ideally with its digest (image:1.2.3@sha256:...).", kImg,
                {"supply-chain"}));
  v.push_back(R("k8s/image-untagged", "Image without a tag", S::kMedium,
                "An image without tag or digest means `latest`.",
                "Pin a version tag, ideally with its digest.", kImg, {"supply-chain"}));
  v.push_back(R("k8s/image-not-pinned", "Image not pinned by digest", S::kInfo,
                "A tag can be re-pushed; only a digest names immutable content.",
                "Append @sha256:<digest> (Renovate/Dependabot can keep it current).", kImg,
                {"supply-chain"}));
  v.push_back(R("k8s/missing-resources", "Container without resource requests/limits", S::kLow,
                "Without requests the scheduler cannot place the pod well; without a memory "
                "limit one container can starve the node.",
                "Set resources.requests (cpu, memory) and resources.limits.memory.",
                "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
                {"reliability"}));
  v.push_back(
      R("k8s/missing-probes", "Container without liveness/readiness probe", S::kLow,
        "Without a readiness probe traffic reaches pods that are not ready; without a "
        "liveness probe a hung process is never restarted. (Jobs and CronJobs are "
        "exempt.)",
        "Add readinessProbe and livenessProbe.",
        "https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/",
        {"reliability"}));
  v.push_back(R("k8s/sensitive-host-mount", "Sensitive host path mounted", S::kCritical,
                "Mounting the container runtime socket (/var/run/docker.sock, containerd, "
                "CRI-O) or host system paths (/, /etc, /proc, /sys, /var/lib/kubelet, /root, "
                "/boot, /dev) gives the pod control of the node. Reference: CIS Docker 5.31.",
                "Remove the hostPath volume; use a dedicated API or a CSI driver.",
                "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
                {"cis-docker-5.31"}));
  v.push_back(R("k8s/writable-root-fs", "Root filesystem writable", S::kLow,
                "A read-only root filesystem stops an intruder from dropping tools or changing "
                "binaries. Reference: CIS Kubernetes 5.7.3.",
                "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir for the "
                "paths that must be writable.",
                "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
                {"cis-k8s-5.7.3"}));
  v.push_back(R("k8s/automount-sa-token", "Service account token mounted", S::kLow,
                "Unless automountServiceAccountToken is false (on the pod or on its "
                "ServiceAccount in the same manifests), every container gets an API token; most "
                "workloads never call the API. Reference: CIS Kubernetes 5.1.6.",
                "Set spec.automountServiceAccountToken: false (or on the ServiceAccount).",
                "https://kubernetes.io/docs/tasks/configure-pod-container/"
                "configure-service-account/",
                {"cis-k8s-5.1.6"}));
  v.push_back(R("k8s/env-literal-secret", "Secret literal in container env", S::kHigh,
                "A credential written as env[].value lives in git and in the object spec for "
                "everyone who can read it. Reference: CIS Kubernetes 5.4.1.",
                "Use valueFrom.secretKeyRef backed by External Secrets or Sealed Secrets; rotate "
                "the exposed value.",
                "https://kubernetes.io/docs/concepts/configuration/secret/", {"secrets"}));
  v.push_back(R("k8s/secret-committed", "Secret manifest with data committed", S::kHigh,
                "A kind: Secret with data/stringData in git is only base64-encoded, not "
                "encrypted.",
                "Commit an ExternalSecret or a SealedSecret instead, and rotate the values.",
                "https://external-secrets.io/", {"secrets"}));
  v.push_back(R("k8s/missing-pdb", "Multi-replica workload without PodDisruptionBudget", S::kLow,
                "Node drains can evict every replica at once unless a PodDisruptionBudget in "
                "the same namespace selects the pods.",
                "Add a PodDisruptionBudget (minAvailable or maxUnavailable) whose selector "
                "matches the pod labels.",
                "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
                {"reliability"}));
  v.push_back(R("k8s/missing-network-policy", "Namespace without NetworkPolicy", S::kMedium,
                "Without a NetworkPolicy every pod accepts traffic from every pod in the cluster. "
                "Reference: CIS Kubernetes 5.3.2.",
                "Add a default-deny NetworkPolicy per namespace and allow the flows you need.",
                "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
                {"cis-k8s-5.3.2"}));
  v.push_back(R("k8s/service-sensitive-port", "Service exposes an admin/database port", S::kHigh,
                "A LoadBalancer or NodePort Service exposing SSH, RDP or a database/cache port "
                "(22, 23, 3389, 3306, 5432, 1433, 1521, 27017, 6379, 9200, 9300, 5984, 11211, "
                "2379, 5601...) puts it outside the cluster.",
                "Use ClusterIP and reach it through a bastion, VPN or port-forward; restrict "
                "loadBalancerSourceRanges.",
                "https://kubernetes.io/docs/concepts/services-networking/service/", {"network"}));
  v.push_back(R("k8s/rbac-wildcard", "RBAC rule with wildcard", S::kHigh,
                "\"*\" in verbs, resources or apiGroups grants future resources and verbs too. "
                "Reference: CIS Kubernetes 5.1.3.",
                "List the verbs, resources and API groups explicitly.",
                "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
                {"cis-k8s-5.1.3"}));
  v.push_back(R("k8s/rbac-cluster-admin", "Binding to cluster-admin", S::kHigh,
                "cluster-admin is full control of the cluster. Reference: CIS Kubernetes 5.1.1.",
                "Bind a narrower Role; keep cluster-admin for break-glass humans.",
                "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
                {"cis-k8s-5.1.1"}));
  // ---- Dockerfile ---------------------------------------------------------
  const std::string kDf = "https://docs.docker.com/reference/dockerfile/";
  v.push_back(R("docker/image-latest", "Base image uses the latest tag", S::kMedium,
                "Builds are not reproducible and pick up breaking changes silently. Reference: "
                "CIS Docker 4.2.",
                "FROM image:<version>@sha256:<digest>.", kDf + "#from", {"cis-docker-4.2"}));
  v.push_back(R("docker/image-untagged", "Base image without a tag", S::kMedium,
                "FROM without tag or digest means latest. Reference: CIS Docker 4.2.",
                "FROM image:<version>@sha256:<digest>.", kDf + "#from", {"cis-docker-4.2"}));
  v.push_back(R("docker/image-not-pinned", "Base image not pinned by digest", S::kInfo,
                "A tag can be re-pushed; only a digest names immutable content.",
                "Append @sha256:<digest> and let Renovate/Dependabot update it.", kDf + "#from",
                {"supply-chain"}));
  v.push_back(R("docker/root-user", "Final stage runs as root", S::kHigh,
                "Without USER (or with USER root/0) in the final stage the container runs as "
                "root. Reference: CIS Docker 4.1.",
                "Create an unprivileged user and end with USER <name or uid>.", kDf + "#user",
                {"cis-docker-4.1"}));
  v.push_back(R("docker/add-remote-url", "ADD downloads a remote URL", S::kMedium,
                "ADD <url> fetches unverified content at build time. Reference: CIS Docker 4.9.",
                "Use ADD --checksum=sha256:... <url>, or RUN curl with a checksum check.",
                kDf + "#add", {"cis-docker-4.9"}));
  v.push_back(R("docker/curl-pipe-shell", "Remote script piped into a shell", S::kHigh,
                "curl/wget ... | sh runs whatever the server returns, unverified.",
                "Download to a file, verify its checksum or signature, then run it.", kDf + "#run",
                {"supply-chain"}));
  v.push_back(R("docker/secret-in-env", "Secret in ENV or ARG", S::kHigh,
                "ENV and ARG values are stored in the image history and metadata for anyone who "
                "pulls the image. Reference: CIS Docker 4.10.",
                "Use RUN --mount=type=secret (BuildKit) or inject at run time; rotate the value.",
                "https://docs.docker.com/build/building/secrets/", {"cis-docker-4.10"}));
  v.push_back(R("docker/missing-healthcheck", "No HEALTHCHECK", S::kInfo,
                "Without HEALTHCHECK, Docker and Compose cannot tell a hung container from a "
                "healthy one (Kubernetes uses probes instead). Reference: CIS Docker 4.6.",
                "Add HEALTHCHECK CMD <command> (or HEALTHCHECK NONE to say it is deliberate).",
                kDf + "#healthcheck", {"cis-docker-4.6"}));
  // ---- Parse errors -------------------------------------------------------
  v.push_back(R("iac/parse-error", "IaC file does not parse", S::kMedium,
                "The file could not be parsed, so nothing in it was checked (and the tool that "
                "applies it will likely fail too).",
                "Fix the syntax at the reported line and column.", "https://yaml.org/spec/1.2.2/",
                {"correctness"}));
  std::sort(v.begin(), v.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
  return v;
}

}  // namespace

const std::vector<RuleInfo>& NativeRuleInfos() {
  static const std::vector<RuleInfo> kRules = BuildRules();
  return kRules;
}

const RuleInfo* FindNativeRule(std::string_view id) {
  const auto& rules = NativeRuleInfos();
  auto it = std::lower_bound(rules.begin(), rules.end(), id,
                             [](const RuleInfo& r, std::string_view k) { return r.id < k; });
  return it != rules.end() && it->id == id ? &*it : nullptr;
}

Finding MakeFinding(std::string_view id, std::string path, int line, int column,
                    std::string message, std::string_view key, int end_column) {
  const RuleInfo* info = FindNativeRule(id);
  Finding f;
  f.rule_id = std::string(id);
  if (info) {
    f.title = info->title;
    f.area = info->area;
    f.severity = info->severity;
    f.remediation = info->remediation;
    f.help_uri = info->help_uri;
  } else {
    f.area = Area::kIac;
  }
  f.confidence = Confidence::kHigh;
  f.message = std::move(message);
  std::string fp;
  fp.reserve(id.size() + path.size() + key.size() + 2);
  fp.append(id).append("\n").append(path).append("\n").append(key);
  f.fingerprint = Sha256Hex(fp).substr(0, 32);
  f.location.path = std::move(path);
  f.location.line = line;
  f.location.column = column;
  f.location.end_line = end_column > 0 ? line : 0;
  f.location.end_column = end_column;
  return f;
}

bool LooksLikeSecretName(std::string_view name) {
  std::string n = AsciiLower(name);
  // Names that mention a secret but hold a reference or a setting.
  for (const char* benign : {"_file", "_path", "_ref", "_name", "_id", "_url", "_length",
                             "_enabled", "_type", "_header", "_dir"})
    if (n.ends_with(benign)) return false;
  if (n.ends_with("password_file") || n == "secret_name") return false;
  for (const char* w : {"password", "passwd", "pwd", "secret", "token", "apikey", "api_key",
                        "api-key", "private_key", "privatekey", "credential", "access_key",
                        "client_secret", "auth_key", "_pass"})
    if (n.find(w) != std::string::npos) return true;
  return n.ends_with("pass") || n == "pw";
}

bool LooksLikeLiteralSecret(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.size() < 4) return false;
  if (v.front() == '$' || v.find("${") != std::string_view::npos ||
      v.find("{{") != std::string_view::npos)
    return false;
  if (v.front() == '/' || v.starts_with("./") || v.starts_with("file:")) return false;
  if (v.front() == '<' && v.back() == '>') return false;
  std::string l = AsciiLower(v);
  for (const char* benign : {"true", "false", "null", "none", "yes", "no", "enabled", "disabled"})
    if (l == benign) return false;
  bool all_digits = std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  return !all_digits;
}

std::string Redact(std::string_view s) {
  return "[REDACTED " + std::to_string(s.size()) + " chars]";
}

std::string_view LineOf(std::string_view text, int line) {
  if (line <= 0) return {};
  size_t pos = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return {};
    pos = nl + 1;
  }
  size_t end = text.find('\n', pos);
  std::string_view l =
      text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

std::vector<Finding> SecretHitsOnLines(const SecretScanner* scanner, std::string_view path,
                                       std::string_view content, const std::vector<int>& lines) {
  std::vector<Finding> out;
  if (!scanner || lines.empty()) return out;
  std::vector<Finding> hits;
  scanner->ScanContent(path, content, ContentContext{}, &hits);
  for (Finding& h : hits)
    if (std::find(lines.begin(), lines.end(), h.location.line) != lines.end())
      out.push_back(std::move(h));
  return out;
}

}  // namespace gatehouse::iac
