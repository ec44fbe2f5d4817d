// Kubernetes checks: Pod Security Standards, control by control, and the
// best-practice rules of docs/iac.md.
//
// Pod Security Standards (kubernetes.io/docs/concepts/security/
// pod-security-standards/, as of Kubernetes 1.34) define two profiles as
// lists of controls; each control names the fields it restricts and the
// values it allows. We evaluate every control over a pod spec and its
// template metadata, for containers, initContainers and ephemeralContainers
// alike, and report a finding per offending field, at that field's line (or
// at the container when the profile requires a field that is missing):
//
//   baseline:   HostProcess, Host Namespaces, Privileged Containers,
//               Capabilities (allow-list), HostPath Volumes, Host Ports,
//               AppArmor, SELinux, /proc Mount Type, Seccomp (not
//               Unconfined), Sysctls (safe set), Probes/Lifecycle host.
//   restricted: baseline plus Volume Types, Privilege Escalation, Running as
//               Non-root (pod/container precedence), Running as Non-root
//               user (runAsUser != 0), Seccomp (RuntimeDefault/Localhost on
//               the pod or every container), Capabilities (drop ALL, add at
//               most NET_BIND_SERVICE).
//
// Since 1.25 the Privilege Escalation, Seccomp and Capabilities controls of
// the restricted profile apply only to Linux pods: a pod with spec.os.name
// "windows" is exempt from them, as the spec says.
//
// Which profile is enforced for an object: the enforce label
// (pod-security.kubernetes.io/enforce) of its Namespace when that manifest
// is among the files, else --pss-level. The inventory counts workloads that
// meet each profile regardless of the level reported.
//
// Cross-object rules (PodDisruptionBudgets, NetworkPolicies, ServiceAccount
// token settings) look at every manifest of the run, grouped by namespace
// (objects without metadata.namespace share the "" namespace: the one they
// are applied to).
#include "iac/k8s.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "gatehouse/base.h"
#include "gatehouse/secrets_scan.h"
#include "iac/internal.h"

namespace gatehouse::iac {

bool IsK8sObject(DocValue root) {
  return root.IsObject() && root["apiVersion"].IsString() && root["kind"].IsString() &&
         !root["kind"].AsString().empty();
}

namespace {

// ---- small helpers -------------------------------------------------------------------------

DocPos KeyPos(DocValue obj, std::string_view key) {
  if (!obj.IsObject()) return obj.pos();
  DocPos found = obj.pos();
  for (size_t i = 0; i < obj.size(); ++i)
    if (obj.KeyAt(i) == key) found = obj.KeyPosAt(i);  // last wins, like Get()
  return found;
}

bool IsTrue(DocValue v) { return v.IsBool() && v.AsBool(); }
bool IsFalse(DocValue v) { return v.IsBool() && !v.AsBool(); }

struct Object {
  const K8sSource* src = nullptr;
  DocValue root;
  std::string kind, name, ns;
};

enum class Lvl { kPrivileged = 0, kBaseline = 1, kRestricted = 2 };

// A violation of one rule, not yet a Finding (PSS results are computed for
// both profiles and only reported for the enforced one).
struct Hit {
  const char* rule;
  DocValue obj;     // the object holding the field (or the container)
  std::string key;  // field name in obj ("" = obj itself)
  std::string message;
  std::string fp;  // fingerprint content
};

class Reporter {
 public:
  Reporter(const Object& o, std::vector<Finding>* out) : o_(o), out_(out) {}

  std::optional<ValueOrigins::Key> KeyOf(DocValue v) const {
    if (!o_.src->origins || !v.IsDefined()) return std::nullopt;
    for (size_t i = 0; i < o_.src->docs.size(); ++i)
      if (v.BelongsTo(*o_.src->docs[i])) return ValueOrigins::Key{i, v.index()};
    return std::nullopt;
  }
  const std::string* Origin(DocValue v) const {
    auto k = KeyOf(v);
    if (!k) return nullptr;
    auto it = o_.src->origins->path.find(*k);
    return it == o_.src->origins->path.end() ? nullptr : &it->second;
  }
  bool Unknown(DocValue v) const {
    auto k = KeyOf(v);
    return k && o_.src->origins->unknown.count(*k) > 0;
  }

  void Emit(const Hit& h) {
    std::string path = o_.src->path;
    DocPos pos;
    if (h.key.empty()) {
      pos = h.obj.pos();
      if (const std::string* p = Origin(h.obj)) path = *p;
    } else {
      DocValue v = h.obj.Get(h.key);
      if (const std::string* p = Origin(h.obj)) {
        path = *p;
        pos = KeyPos(h.obj, h.key);
      } else if (const std::string* p2 = Origin(v)) {
        path = *p2;
        pos = v.pos();
      } else {
        pos = KeyPos(h.obj, h.key);
      }
    }
    std::string ident = o_.kind + "/" + o_.ns + "/" + o_.name;
    Finding f =
        MakeFinding(h.rule, path, static_cast<int>(pos.line), static_cast<int>(pos.column),
                    o_.kind + " " + (o_.name.empty() ? "(unnamed)" : o_.name) + ": " + h.message,
                    ident + "\n" + h.fp);
    f.properties["kind"] = o_.kind;
    if (!o_.name.empty()) f.properties["name"] = o_.name;
    if (!o_.ns.empty()) f.properties["namespace"] = o_.ns;
    out_->push_back(std::move(f));
  }

 private:
  const Object& o_;
  std::vector<Finding>* out_;
};

// ---- pod specs -----------------------------------------------------------------------------

struct PodTemplate {
  DocValue spec;    // pod spec
  DocValue meta;    // pod (template) metadata
  DocValue holder;  // the object whose "spec" member is the pod spec
};

PodTemplate FindPod(const Object& o) {
  DocValue root = o.root;
  if (o.kind == "Pod") return {root["spec"], root["metadata"], root};
  if (o.kind == "CronJob") {
    DocValue t = root.Path({"spec", "jobTemplate", "spec", "template"});
    return {t["spec"], t["metadata"], t};
  }
  DocValue t = root.Path({"spec", "template"});
  if (t["spec"].IsObject()) return {t["spec"], t["metadata"], t};
  return {};
}

struct Container {
  DocValue v;
  std::string name;
  std::string list;  // containers | initContainers | ephemeralContainers
};

std::vector<Container> Containers(DocValue spec) {
  std::vector<Container> out;
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    DocValue arr = spec[list];
    for (size_t i = 0; i < arr.size(); ++i) {
      DocValue c = arr[i];
      if (!c.IsObject()) continue;
      std::string name = c["name"].IsString() ? std::string(c["name"].AsString())
                                              : list + std::string("[") + std::to_string(i) + "]";
      out.push_back({c, name, list});
    }
  }
  return out;
}

std::string Cname(const Container& c) {
  const char* what = c.list == "containers"       ? "container"
                     : c.list == "initContainers" ? "init container"
                                                  : "ephemeral container";
  return std::string(what) + " '" + c.name + "'";
}

const std::set<std::string_view>& BaselineCaps() {
  static const std::set<std::string_view> k = {
      "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
      "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};
  return k;
}

const std::set<std::string_view>& SafeSysctls() {
  static const std::set<std::string_view> k = {"kernel.shm_rmid_forced",
                                               "net.ipv4.ip_local_port_range",
                                               "net.ipv4.ip_unprivileged_port_start",
                                               "net.ipv4.tcp_syncookies",
                                               "net.ipv4.ping_group_range",
                                               "net.ipv4.ip_local_reserved_ports",  // 1.27
                                               "net.ipv4.tcp_keepalive_time",
                                               "net.ipv4.tcp_fin_timeout",  // 1.29
                                               "net.ipv4.tcp_keepalive_intvl",
                                               "net.ipv4.tcp_keepalive_probes",  // 1.29
                                               "net.ipv4.tcp_rmem",
                                               "net.ipv4.tcp_wmem"};  // 1.32
  return k;
}

const std::set<std::string_view>& SelinuxTypes() {
  static const std::set<std::string_view> k = {"", "container_t", "container_init_t",
                                               "container_kvm_t", "container_engine_t"};
  return k;
}

const std::set<std::string_view>& RestrictedVolumes() {
  static const std::set<std::string_view> k = {"configMap", "csi",       "downwardAPI",
                                               "emptyDir",  "ephemeral", "persistentVolumeClaim",
                                               "projected", "secret"};
  return k;
}

// Capabilities compare exactly, as the Pod Security admission controller
// does: "CAP_CHOWN" or "all" are not in the allow-lists.
std::string Cap(std::string_view s) { return std::string(s); }

// Evaluates the PSS controls. `baseline` gets baseline violations,
// `restricted` the restricted-only ones.
void EvaluatePss(const PodTemplate& pod, const Reporter& rep, std::vector<Hit>* baseline,
                 std::vector<Hit>* restricted) {
  DocValue spec = pod.spec;
  DocValue psc = spec["securityContext"];
  std::vector<Container> cs = Containers(spec);
  const bool windows = spec.Path({"os", "name"}).AsString() == "windows";
  auto b = [&](const char* rule, DocValue obj, std::string key, std::string msg, std::string fp) {
    baseline->push_back(Hit{rule, obj, std::move(key), std::move(msg), std::move(fp)});
  };
  auto r = [&](const char* rule, DocValue obj, std::string key, std::string msg, std::string fp) {
    restricted->push_back(Hit{rule, obj, std::move(key), std::move(msg), std::move(fp)});
  };
  auto known = [&](DocValue v) { return v.IsDefined() && !rep.Unknown(v); };

  // HostProcess.
  if (IsTrue(psc.Path({"windowsOptions", "hostProcess"})))
    b("k8s/pss-host-process", psc["windowsOptions"], "hostProcess",
      "pod sets securityContext.windowsOptions.hostProcess: true", "pod");
  for (const Container& c : cs)
    if (IsTrue(c.v.Path({"securityContext", "windowsOptions", "hostProcess"})))
      b("k8s/pss-host-process", c.v.Path({"securityContext", "windowsOptions"}), "hostProcess",
        Cname(c) + " sets windowsOptions.hostProcess: true", c.name);
  // Host namespaces.
  for (const char* f : {"hostNetwork", "hostPID", "hostIPC"})
    if (IsTrue(spec[f]))
      b("k8s/pss-host-namespaces", spec, f, std::string("pod sets ") + f + ": true", f);
  // Per container baseline controls.
  for (const Container& c : cs) {
    DocValue sc = c.v["securityContext"];
    if (IsTrue(sc["privileged"]))
      b("k8s/pss-privileged", sc, "privileged", Cname(c) + " is privileged", c.name);
    DocValue add = sc.Path({"capabilities", "add"});
    for (size_t i = 0; i < add.size(); ++i) {
      DocValue cap = add[i];
      if (!known(cap)) continue;
      std::string name = Cap(cap.ScalarText());
      if (!BaselineCaps().count(name))
        b("k8s/pss-capabilities", cap, "",
          Cname(c) + " adds capability " + name + " (outside the baseline allow-list)",
          c.name + "\n" + name);
    }
    DocValue ports = c.v["ports"];
    for (size_t i = 0; i < ports.size(); ++i) {
      DocValue hp = ports[i]["hostPort"];
      if (hp.IsNumber() && hp.AsInt() != 0)
        b("k8s/pss-host-ports", ports[i], "hostPort",
          Cname(c) + " binds host port " + hp.ScalarText(), c.name + "\n" + hp.ScalarText());
    }
    DocValue aa = sc.Path({"appArmorProfile", "type"});
    if (known(aa) && aa.AsString() != "RuntimeDefault" && aa.AsString() != "Localhost")
      b("k8s/pss-apparmor", sc["appArmorProfile"], "type",
        Cname(c) + " sets appArmorProfile.type " + aa.ScalarText(), c.name);
    DocValue se = sc["seLinuxOptions"];
    if (se.IsObject()) {
      DocValue t = se["type"];
      if (known(t) && !SelinuxTypes().count(t.AsString()))
        b("k8s/pss-selinux", se, "type", Cname(c) + " sets seLinuxOptions.type " + t.ScalarText(),
          c.name + "\ntype");
      for (const char* f : {"user", "role"}) {
        DocValue u = se[f];
        if (known(u) && !u.IsNull() && !u.ScalarText().empty())
          b("k8s/pss-selinux", se, f, Cname(c) + " sets seLinuxOptions." + f, c.name + "\n" + f);
      }
    }
    DocValue pm = sc["procMount"];
    if (known(pm) && pm.AsString() != "Default")
      b("k8s/pss-proc-mount", sc, "procMount", Cname(c) + " sets procMount " + pm.ScalarText(),
        c.name);
    DocValue sp = sc.Path({"seccompProfile", "type"});
    if (known(sp) && sp.AsString() == "Unconfined")
      b("k8s/pss-seccomp", sc["seccompProfile"], "type",
        Cname(c) + " sets seccompProfile.type Unconfined", c.name);
    for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"})
      for (const char* h : {"httpGet", "tcpSocket"}) {
        DocValue handler = c.v[probe][h];
        DocValue host = handler["host"];
        if (known(host) && !host.IsNull() && !host.ScalarText().empty())
          b("k8s/pss-probe-host", handler, "host",
            Cname(c) + " " + probe + "." + h + ".host is set (" + host.ScalarText() + ")",
            c.name + "\n" + probe + h);
      }
    for (const char* hook : {"postStart", "preStop"})
      for (const char* h : {"httpGet", "tcpSocket"}) {
        DocValue handler = c.v["lifecycle"][hook][h];
        DocValue host = handler["host"];
        if (known(host) && !host.IsNull() && !host.ScalarText().empty())
          b("k8s/pss-probe-host", handler, "host",
            Cname(c) + " lifecycle." + hook + "." + h + ".host is set (" + host.ScalarText() + ")",
            c.name + "\n" + hook + h);
      }
  }
  // Pod-level baseline controls.
  DocValue volumes = spec["volumes"];
  for (size_t i = 0; i < volumes.size(); ++i) {
    DocValue vol = volumes[i];
    std::string vname(vol["name"].AsString());
    if (vol["hostPath"].IsDefined())
      b("k8s/pss-host-path", vol, "hostPath",
        "volume '" + vname + "' is a hostPath (" +
            std::string(vol.Path({"hostPath", "path"}).AsString()) + ")",
        vname);
  }
  DocValue paa = psc.Path({"appArmorProfile", "type"});
  if (known(paa) && paa.AsString() != "RuntimeDefault" && paa.AsString() != "Localhost")
    b("k8s/pss-apparmor", psc["appArmorProfile"], "type",
      "pod sets appArmorProfile.type " + paa.ScalarText(), "pod");
  DocValue ann = pod.meta["annotations"];
  for (size_t i = 0; i < ann.size(); ++i) {
    std::string_view k = ann.KeyAt(i);
    if (!k.starts_with("container.apparmor.security.beta.kubernetes.io/")) continue;
    DocValue v = ann.ValueAt(i);
    if (!known(v)) continue;
    std::string val = v.ScalarText();
    if (val.empty() || val == "runtime/default" || val.starts_with("localhost/")) continue;
    b("k8s/pss-apparmor", ann, std::string(k),
      "annotation " + std::string(k) + " sets AppArmor profile " + val, std::string(k));
  }
  DocValue pse = psc["seLinuxOptions"];
  if (pse.IsObject()) {
    DocValue t = pse["type"];
    if (known(t) && !SelinuxTypes().count(t.AsString()))
      b("k8s/pss-selinux", pse, "type", "pod sets seLinuxOptions.type " + t.ScalarText(),
        "pod\ntype");
    for (const char* f : {"user", "role"}) {
      DocValue u = pse[f];
      if (known(u) && !u.IsNull() && !u.ScalarText().empty())
        b("k8s/pss-selinux", pse, f, std::string("pod sets seLinuxOptions.") + f,
          std::string("pod\n") + f);
    }
  }
  DocValue psp = psc.Path({"seccompProfile", "type"});
  if (known(psp) && psp.AsString() == "Unconfined")
    b("k8s/pss-seccomp", psc["seccompProfile"], "type", "pod sets seccompProfile.type Unconfined",
      "pod");
  DocValue sysctls = psc["sysctls"];
  for (size_t i = 0; i < sysctls.size(); ++i) {
    DocValue n = sysctls[i]["name"];
    if (known(n) && !SafeSysctls().count(n.AsString()))
      b("k8s/pss-sysctls", sysctls[i], "name", "pod sets unsafe sysctl " + n.ScalarText(),
        n.ScalarText());
  }

  // ---- restricted ----
  for (size_t i = 0; i < volumes.size(); ++i) {
    DocValue vol = volumes[i];
    for (size_t k = 0; k < vol.size(); ++k) {
      std::string_view key = vol.KeyAt(k);
      if (key == "name" || key == "hostPath" || RestrictedVolumes().count(key)) continue;
      r("k8s/pss-volume-types", vol, std::string(key),
        "volume '" + std::string(vol["name"].AsString()) + "' has type " + std::string(key) +
            " (restricted allows configMap, csi, downwardAPI, emptyDir, ephemeral, "
            "persistentVolumeClaim, projected, secret)",
        std::string(vol["name"].AsString()) + "\n" + std::string(key));
    }
  }
  // runAsNonRoot: pod false is a violation; a container false is; a
  // container without a value is unless the pod says true.
  DocValue pnr = psc["runAsNonRoot"];
  bool pod_nonroot = IsTrue(pnr) || rep.Unknown(pnr);
  if (IsFalse(pnr))
    r("k8s/pss-run-as-non-root", psc, "runAsNonRoot", "pod sets runAsNonRoot: false", "pod");
  DocValue pru = psc["runAsUser"];
  if (pru.IsNumber() && pru.AsInt() == 0)
    r("k8s/pss-run-as-user", psc, "runAsUser", "pod sets runAsUser: 0", "pod");
  DocValue pst = psc.Path({"seccompProfile", "type"});
  bool pod_seccomp_ok =
      rep.Unknown(pst) ||
      (pst.IsString() && (pst.AsString() == "RuntimeDefault" || pst.AsString() == "Localhost"));
  if (!windows && known(pst) && !pod_seccomp_ok && pst.AsString() != "Unconfined")
    r("k8s/pss-seccomp-restricted", psc["seccompProfile"], "type",
      "pod sets seccompProfile.type " + pst.ScalarText() +
          " (RuntimeDefault or Localhost "
          "required)",
      "pod");
  for (const Container& c : cs) {
    DocValue sc = c.v["securityContext"];
    DocValue nr = sc["runAsNonRoot"];
    if (IsFalse(nr)) {
      r("k8s/pss-run-as-non-root", sc, "runAsNonRoot", Cname(c) + " sets runAsNonRoot: false",
        c.name);
    } else if (!nr.IsDefined() && !pod_nonroot) {
      r("k8s/pss-run-as-non-root", c.v, "",
        Cname(c) + " does not set runAsNonRoot: true (nor does the pod)", c.name + "\nunset");
    }
    DocValue ru = sc["runAsUser"];
    if (ru.IsNumber() && ru.AsInt() == 0)
      r("k8s/pss-run-as-user", sc, "runAsUser", Cname(c) + " sets runAsUser: 0", c.name);
    if (windows) continue;
    DocValue ape = sc["allowPrivilegeEscalation"];
    if (!IsFalse(ape) && !rep.Unknown(ape)) {
      if (ape.IsDefined())
        r("k8s/pss-privilege-escalation", sc, "allowPrivilegeEscalation",
          Cname(c) + " sets allowPrivilegeEscalation: " + ape.ScalarText(), c.name);
      else
        r("k8s/pss-privilege-escalation", c.v, "",
          Cname(c) + " does not set allowPrivilegeEscalation: false", c.name + "\nunset");
    }
    DocValue st = sc.Path({"seccompProfile", "type"});
    if (st.IsDefined() && !rep.Unknown(st)) {
      std::string_view t = st.AsString();
      if (t != "RuntimeDefault" && t != "Localhost" && t != "Unconfined")
        r("k8s/pss-seccomp-restricted", sc["seccompProfile"], "type",
          Cname(c) + " sets seccompProfile.type " + st.ScalarText(), c.name);
    } else if (!st.IsDefined() && !pod_seccomp_ok) {
      r("k8s/pss-seccomp-restricted", c.v, "",
        Cname(c) + " has no seccompProfile.type RuntimeDefault/Localhost (nor does the pod)",
        c.name + "\nunset");
    }
    DocValue caps = sc["capabilities"];
    DocValue drop = caps["drop"];
    bool drops_all = rep.Unknown(drop) || rep.Unknown(caps);
    for (size_t i = 0; i < drop.size(); ++i)
      if (Cap(drop[i].ScalarText()) == "ALL" || rep.Unknown(drop[i])) drops_all = true;
    if (!drops_all)
      r("k8s/pss-capabilities-restricted", drop.IsDefined() ? caps : c.v,
        drop.IsDefined() ? "drop" : "", Cname(c) + " does not drop ALL capabilities",
        c.name + "\ndrop");
    DocValue add = caps["add"];
    for (size_t i = 0; i < add.size(); ++i) {
      DocValue cap = add[i];
      if (!known(cap)) continue;
      std::string name = Cap(cap.ScalarText());
      if (name != "NET_BIND_SERVICE" && BaselineCaps().count(name))
        r("k8s/pss-capabilities-restricted", cap, "",
          Cname(c) + " adds capability " + name + " (restricted allows only NET_BIND_SERVICE)",
          c.name + "\n" + name);
    }
  }
}

// ---- label selectors -----------------------------------------------------------------------

bool SelectorMatches(DocValue selector, DocValue labels) {
  if (!selector.IsObject()) return false;
  DocValue ml = selector["matchLabels"];
  DocValue me = selector["matchExpressions"];
  if (ml.size() == 0 && me.size() == 0) return true;  // empty selector: every pod
  for (size_t i = 0; i < ml.size(); ++i)
    if (labels[ml.KeyAt(i)].ScalarText() != ml.ValueAt(i).ScalarText() ||
        !labels[ml.KeyAt(i)].IsDefined())
      return false;
  for (size_t i = 0; i < me.size(); ++i) {
    DocValue e = me[i];
    std::string key(e["key"].AsString());
    std::string_view op = e["operator"].AsString();
    DocValue have = labels[key];
    std::set<std::string> vals;
    for (size_t k = 0; k < e["values"].size(); ++k) vals.insert(e["values"][k].ScalarText());
    if (op == "In" && !(have.IsDefined() && vals.count(have.ScalarText()))) return false;
    if (op == "NotIn" && have.IsDefined() && vals.count(have.ScalarText())) return false;
    if (op == "Exists" && !have.IsDefined()) return false;
    if (op == "DoesNotExist" && have.IsDefined()) return false;
  }
  return true;
}

// ---- images -------------------------------------------------------------------------------

void CheckImage(const Container& c, const Reporter& rep, std::vector<Hit>* hits) {
  DocValue img = c.v["image"];
  if (!img.IsString() || rep.Unknown(img)) return;
  std::string ref(img.AsString());
  if (ref.empty() || ref.find("{{") != std::string::npos || ref.find('$') != std::string::npos)
    return;
  std::string_view r = ref;
  std::string digest, tag;
  size_t at = r.find('@');
  if (at != std::string_view::npos) {
    digest = std::string(r.substr(at + 1));
    r = r.substr(0, at);
  }
  size_t slash = r.rfind('/'), colon = r.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    tag = std::string(r.substr(colon + 1));
  if (!digest.empty()) return;
  if (tag == "latest")
    hits->push_back(Hit{"k8s/image-latest", c.v, "image",
                        Cname(c) + " image " + ref + " uses the latest tag", c.name + "\n" + ref});
  else if (tag.empty())
    hits->push_back(Hit{"k8s/image-untagged", c.v, "image",
                        Cname(c) + " image " + ref + " has no tag (means latest)",
                        c.name + "\n" + ref});
  else
    hits->push_back(Hit{"k8s/image-not-pinned", c.v, "image",
                        Cname(c) + " image " + ref + " is not pinned by digest",
                        c.name + "\n" + ref});
}

bool SensitiveHostPath(std::string_view p, bool* socket) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  *socket = false;
  for (const char* s :
       {"/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd", "/run/containerd",
        "/var/run/crio", "/run/crio", "/var/run/cri-dockerd.sock", "/var/run", "/run"}) {
    std::string_view sv = s;
    if (p == sv || p.starts_with(std::string(sv) + "/")) {
      *socket = true;
      return true;
    }
  }
  if (p == "/") return true;
  for (const char* s : {"/etc", "/proc", "/sys", "/var/lib/kubelet", "/var/lib/docker",
                        "/var/lib/containerd", "/root", "/boot", "/dev", "/var/lib/etcd"}) {
    std::string_view sv = s;
    if (p == sv || p.starts_with(std::string(sv) + "/")) return true;
  }
  return false;
}

const std::map<int, const char*>& SensitivePorts() {
  static const std::map<int, const char*> k = {{22, "SSH"},
                                               {23, "Telnet"},
                                               {2375, "Docker API"},
                                               {2376, "Docker API"},
                                               {2379, "etcd"},
                                               {3389, "RDP"},
                                               {3306, "MySQL"},
                                               {5432, "PostgreSQL"},
                                               {1433, "SQL Server"},
                                               {1521, "Oracle"},
                                               {27017, "MongoDB"},
                                               {6379, "Redis"},
                                               {9200, "Elasticsearch"},
                                               {9300, "Elasticsearch"},
                                               {5984, "CouchDB"},
                                               {11211, "Memcached"},
                                               {5601, "Kibana"},
                                               {9042, "Cassandra"},
                                               {5900, "VNC"},
                                               {10250, "kubelet"}};
  return k;
}

Lvl ParseLevel(std::string_view s, Lvl def) {
  if (s == "privileged") return Lvl::kPrivileged;
  if (s == "baseline") return Lvl::kBaseline;
  if (s == "restricted") return Lvl::kRestricted;
  return def;
}

}  // namespace

void AnalyzeKubernetes(const std::vector<K8sSource>& sources, const IacOptions& options,
                       const SecretScanner* scanner, std::vector<Finding>* out, IacInventory* inv) {
  // ---- collect objects ----
  std::vector<Object> objects;
  for (const K8sSource& s : sources) {
    bool any = false;
    for (const auto& d : s.docs) {
      DocValue root = d->Root();
      std::vector<DocValue> roots;
      if (IsK8sObject(root) && root["kind"].AsString() == "List" && root["items"].IsArray()) {
        for (size_t i = 0; i < root["items"].size(); ++i) roots.push_back(root["items"][i]);
      } else {
        roots.push_back(root);
      }
      for (DocValue r : roots) {
        if (!IsK8sObject(r)) continue;
        Object o;
        o.src = &s;
        o.root = r;
        o.kind = std::string(r["kind"].AsString());
        o.name = r.Path({"metadata", "name"}).ScalarText();
        o.ns = r.Path({"metadata", "namespace"}).ScalarText();
        if (o.kind == "Namespace") o.ns = o.name;
        objects.push_back(std::move(o));
        any = true;
      }
    }
    if (any) inv->k8s_files++;
  }

  // ---- index ----
  std::map<std::string, Lvl> ns_level;
  std::map<std::string, const Object*> ns_decl;
  std::map<std::string, std::vector<const Object*>> pdbs, netpols;
  std::map<std::pair<std::string, std::string>, DocValue> service_accounts;
  for (const Object& o : objects) {
    inv->k8s_objects++;
    inv->k8s_kinds[o.kind]++;
    if (o.kind == "Namespace") {
      ns_decl[o.name] = &o;
      DocValue lbl = o.root.Path({"metadata", "labels", "pod-security.kubernetes.io/enforce"});
      if (lbl.IsString()) ns_level[o.name] = ParseLevel(lbl.AsString(), Lvl::kBaseline);
    } else if (o.kind == "PodDisruptionBudget") {
      pdbs[o.ns].push_back(&o);
      inv->pod_disruption_budgets++;
    } else if (o.kind == "NetworkPolicy") {
      netpols[o.ns].push_back(&o);
      inv->network_policies++;
    } else if (o.kind == "ServiceAccount") {
      service_accounts[{o.ns, o.name}] = o.root["automountServiceAccountToken"];
    }
  }
  const Lvl default_level = options.pss_level == PssLevel::kRestricted   ? Lvl::kRestricted
                            : options.pss_level == PssLevel::kPrivileged ? Lvl::kPrivileged
                                                                         : Lvl::kBaseline;

  std::map<std::string, const Object*> ns_first_workload;
  std::set<std::string> ns_used;
  std::vector<std::vector<Finding>> per(objects.size());
  std::vector<int> meets(objects.size(),
                         -1);  // -1 not a workload, 0 none, 1 baseline, 2 restricted
  std::vector<std::vector<int>> env_lines(sources.size());
  std::map<const K8sSource*, size_t> src_index;
  for (size_t i = 0; i < sources.size(); ++i) src_index[&sources[i]] = i;

  for (size_t oi = 0; oi < objects.size(); ++oi) {
    const Object& o = objects[oi];
    Reporter rep(o, &per[oi]);
    DocValue root = o.root;
    if (o.kind == "Rollout" ||
        (o.kind == "Canary" && root["apiVersion"].AsString().starts_with("flagger.app"))) {
      inv->rollouts++;
      inv->artifacts.push_back(o.src->path);
      bool analysis = root.Path({"spec", "analysis"}).IsDefined() ||
                      root.Path({"spec", "strategy", "canary", "analysis"}).IsDefined();
      DocValue steps = root.Path({"spec", "strategy", "canary", "steps"});
      for (size_t i = 0; i < steps.size(); ++i)
        if (steps[i]["analysis"].IsDefined()) analysis = true;
      if (analysis) inv->rollouts_with_analysis++;
    }
    // Secrets committed.
    if (o.kind == "Secret") {
      for (const char* f : {"data", "stringData"}) {
        DocValue d = root[f];
        if (d.IsObject() && d.size() > 0)
          rep.Emit(Hit{"k8s/secret-committed", root, f,
                       "Secret has " + std::to_string(d.size()) + " " + f + " entr" +
                           (d.size() == 1 ? "y" : "ies") +
                           " committed (values not shown); use External Secrets or Sealed "
                           "Secrets",
                       f});
      }
    }
    // RBAC.
    if (o.kind == "Role" || o.kind == "ClusterRole") {
      DocValue rules = root["rules"];
      for (size_t i = 0; i < rules.size(); ++i)
        for (const char* f : {"verbs", "resources", "apiGroups"}) {
          DocValue arr = rules[i][f];
          for (size_t k = 0; k < arr.size(); ++k)
            if (arr[k].AsString() == "*")
              rep.Emit(Hit{"k8s/rbac-wildcard", arr[k], "",
                           std::string("rule ") + std::to_string(i + 1) + " grants \"*\" " + f,
                           std::to_string(i) + f});
        }
    }
    if ((o.kind == "RoleBinding" || o.kind == "ClusterRoleBinding") &&
        root.Path({"roleRef", "name"}).AsString() == "cluster-admin")
      rep.Emit(Hit{"k8s/rbac-cluster-admin", root["roleRef"], "name",
                   "binds the cluster-admin ClusterRole", "cluster-admin"});
    // Services.
    if (o.kind == "Service") {
      std::string_view type = root.Path({"spec", "type"}).AsString();
      if (type == "LoadBalancer" || type == "NodePort") {
        DocValue ports = root.Path({"spec", "ports"});
        for (size_t i = 0; i < ports.size(); ++i) {
          for (const char* f : {"port", "targetPort"}) {
            DocValue p = ports[i][f];
            if (!p.IsNumber()) continue;
            auto it = SensitivePorts().find(static_cast<int>(p.AsInt()));
            if (it == SensitivePorts().end()) continue;
            rep.Emit(Hit{"k8s/service-sensitive-port", ports[i], f,
                         std::string(type) + " Service exposes port " + p.ScalarText() + " (" +
                             it->second + ")",
                         p.ScalarText()});
            break;
          }
        }
      }
    }

    PodTemplate pod = FindPod(o);
    if (!pod.spec.IsObject()) continue;
    inv->workloads++;
    ns_used.insert(o.ns);
    if (!ns_first_workload.count(o.ns)) ns_first_workload[o.ns] = &o;

    std::vector<Hit> base_hits, restr_hits;
    EvaluatePss(pod, rep, &base_hits, &restr_hits);
    meets[oi] = !base_hits.empty() ? 0 : restr_hits.empty() ? 2 : 1;
    Lvl level = default_level;
    if (auto it = ns_level.find(o.ns); it != ns_level.end()) level = it->second;
    if (level >= Lvl::kBaseline)
      for (const Hit& h : base_hits) rep.Emit(h);
    if (level >= Lvl::kRestricted)
      for (const Hit& h : restr_hits) rep.Emit(h);

    // Beyond PSS.
    std::vector<Container> cs = Containers(pod.spec);
    const bool batch = o.kind == "Job" || o.kind == "CronJob";
    std::vector<Hit> hits;
    for (const Container& c : cs) {
      CheckImage(c, rep, &hits);
      if (c.list == "ephemeralContainers") continue;
      DocValue res = c.v["resources"];
      if (!rep.Unknown(res)) {
        std::vector<std::string> missing;
        DocValue req = res["requests"], lim = res["limits"];
        if (!rep.Unknown(req) && !(req["cpu"].IsDefined() || req["memory"].IsDefined()))
          missing.push_back("requests");
        if (!rep.Unknown(lim) && !lim["memory"].IsDefined()) missing.push_back("limits.memory");
        if (!missing.empty()) {
          std::string m;
          for (const auto& s : missing) m += (m.empty() ? "" : " and ") + s;
          hits.push_back(Hit{"k8s/missing-resources", c.v, res.IsDefined() ? "resources" : "",
                             Cname(c) + " has no resources." + m, c.name + "\n" + m});
        }
      }
      if (c.list == "containers" && !batch) {
        std::vector<std::string> missing;
        if (!c.v["livenessProbe"].IsDefined()) missing.push_back("livenessProbe");
        if (!c.v["readinessProbe"].IsDefined()) missing.push_back("readinessProbe");
        if (!missing.empty()) {
          std::string m;
          for (const auto& s : missing) m += (m.empty() ? "" : " and ") + s;
          hits.push_back(
              Hit{"k8s/missing-probes", c.v, "", Cname(c) + " has no " + m, c.name + "\n" + m});
        }
      }
      DocValue sc = c.v["securityContext"];
      DocValue ro = sc["readOnlyRootFilesystem"];
      if (!IsTrue(ro) && !rep.Unknown(ro) && !rep.Unknown(sc))
        hits.push_back(Hit{"k8s/writable-root-fs", ro.IsDefined() ? sc : c.v,
                           ro.IsDefined() ? "readOnlyRootFilesystem" : "",
                           Cname(c) + " does not set readOnlyRootFilesystem: true", c.name});
      DocValue env = c.v["env"];
      for (size_t i = 0; i < env.size(); ++i) {
        DocValue e = env[i];
        DocValue val = e["value"];
        if (val.IsDefined() && val.line() > 0 && !o.src->helm)
          env_lines[src_index[o.src]].push_back(val.line());
        if (!val.IsString() || rep.Unknown(val)) continue;
        std::string name(e["name"].AsString());
        if (!LooksLikeSecretName(name) || !LooksLikeLiteralSecret(val.AsString())) continue;
        Hit h{"k8s/env-literal-secret", e, "value",
              Cname(c) + " env " + name + " holds a literal secret " + Redact(val.AsString()),
              c.name + "\n" + name + "\n" + Sha256Hex(val.AsString())};
        hits.push_back(std::move(h));
      }
    }
    DocValue volumes = pod.spec["volumes"];
    for (size_t i = 0; i < volumes.size(); ++i) {
      DocValue hp = volumes[i]["hostPath"];
      DocValue p = hp["path"];
      bool socket = false;
      if (p.IsString() && !rep.Unknown(p) && SensitiveHostPath(p.AsString(), &socket))
        hits.push_back(Hit{"k8s/sensitive-host-mount", hp, "path",
                           "volume '" + std::string(volumes[i]["name"].AsString()) + "' mounts " +
                               (socket ? "the container runtime socket " : "host path ") +
                               std::string(p.AsString()),
                           std::string(p.AsString())});
    }
    DocValue am = pod.spec["automountServiceAccountToken"];
    if (!IsFalse(am) && !rep.Unknown(am)) {
      std::string sa(pod.spec["serviceAccountName"].AsString());
      if (sa.empty()) sa = "default";
      auto it = service_accounts.find({o.ns, sa});
      bool sa_off = it != service_accounts.end() && IsFalse(it->second);
      if (IsTrue(am) || !sa_off)
        hits.push_back(Hit{"k8s/automount-sa-token", am.IsDefined() ? pod.spec : pod.holder,
                           am.IsDefined() ? "automountServiceAccountToken" : "spec",
                           am.IsDefined() ? "pod sets automountServiceAccountToken: true"
                                          : "pod does not set automountServiceAccountToken: false "
                                            "(nor does ServiceAccount '" +
                                                sa + "')",
                           "automount"});
    }
    // PodDisruptionBudget.
    if (o.kind == "Deployment" || o.kind == "StatefulSet") {
      DocValue replicas = root.Path({"spec", "replicas"});
      if (replicas.IsNumber() && replicas.AsInt() >= 2) {
        DocValue labels = pod.meta["labels"];
        bool covered = false;
        for (const Object* p : pdbs[o.ns])
          if (SelectorMatches(p->root.Path({"spec", "selector"}), labels)) covered = true;
        if (!covered)
          hits.push_back(Hit{"k8s/missing-pdb", root["spec"], "replicas",
                             "runs " + replicas.ScalarText() +
                                 " replicas but no PodDisruptionBudget selects its pods",
                             "pdb"});
      }
    }
    for (const Hit& h : hits) rep.Emit(h);
  }

  // Namespaces without a NetworkPolicy.
  std::set<std::string> namespaces = ns_used;
  for (const auto& [n, _] : ns_decl) namespaces.insert(n);
  for (const std::string& n : namespaces) {
    if (!netpols[n].empty()) continue;
    const Object* at = ns_decl.count(n) ? ns_decl[n] : ns_first_workload[n];
    if (!at) continue;
    std::vector<Finding> tmp;
    Reporter rep(*at, &tmp);
    std::string shown =
        n.empty() ? "the default namespace of these manifests" : "namespace '" + n + "'";
    rep.Emit(Hit{"k8s/missing-network-policy", at->root, "kind",
                 shown + " has no NetworkPolicy among the manifests", "ns\n" + n});
    for (Finding& f : tmp) out->push_back(std::move(f));
  }

  for (size_t oi = 0; oi < objects.size(); ++oi) {
    if (meets[oi] >= 1) inv->workloads_baseline++;
    if (meets[oi] >= 2) inv->workloads_restricted++;
    for (Finding& f : per[oi]) out->push_back(std::move(f));
  }

  // The secret engine over env value lines of plain manifests.
  for (size_t si = 0; si < sources.size(); ++si) {
    const K8sSource& s = sources[si];
    if (env_lines[si].empty() || s.content.empty()) continue;
    for (Finding& h : SecretHitsOnLines(scanner, s.path, s.content, env_lines[si])) {
      bool dup = std::any_of(out->begin(), out->end(), [&](const Finding& f) {
        return f.rule_id == "k8s/env-literal-secret" && f.location.path == s.path &&
               f.location.line == h.location.line;
      });
      if (dup) continue;
      Finding f = MakeFinding("k8s/env-literal-secret", s.path, h.location.line, h.location.column,
                              "container env holds a credential (" + h.rule_id + "): " + h.message,
                              "engine\n" + h.fingerprint);
      f.confidence = h.confidence;
      f.evidence = h.evidence;
      f.properties["secret_rule"] = h.rule_id;
      out->push_back(std::move(f));
    }
  }
}

}  // namespace gatehouse::iac
