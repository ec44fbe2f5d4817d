// Terraform analysis over our own HCL2 parser (src/hcl/).
//
// The pipeline is: parse every *.tf / *.tf.json / *.tfvars once → group the
// files into modules by directory → link local module calls
// (`module "db" { source = "./modules/db" }`) → evaluate each module's
// variables (defaults, then terraform.tfvars / *.auto.tfvars, then the
// caller's inputs when a module has exactly one caller) and locals
// (iterated to a fixpoint, so cycles simply stay unknown) → build one
// uniform view per resource (type, name, evaluated attributes with nested
// blocks as lists of objects, the source position of every attribute) →
// run the checks of docs/terraform.md over those views.
//
// `terraform show -json` plans go through the same checks: each resource of
// planned_values (root and child modules) becomes a view whose values come
// from the JSON and whose positions are those of the JSON keys.
//
// Secret flows are traced on expressions, not values: for a database
// password argument we follow var.X into the caller's module input, then
// into the caller's variable, and so on, until a data source (SSM Parameter
// Store, Secrets Manager), a literal, or a root variable with or without a
// literal default. The chain is spelled out in the finding's message.
// Unknown stays unknown: a check that would need a value we cannot know
// does not fire.
#include "iac/terraform.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "gatehouse/base.h"
#include "gatehouse/hcl.h"
#include "gatehouse/secrets_scan.h"
#include "iac/internal.h"

namespace gatehouse::iac {

using hcl::Block;
using hcl::Body;
using hcl::Expr;
using hcl::ExprKind;
using hcl::Value;

namespace {

constexpr const char* kProviderDocs =
    "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/";

RuleInfo R(std::string id, std::string title, Severity sev, std::string desc, std::string fix,
           std::string uri) {
  RuleInfo r;
  r.id = std::move(id);
  r.title = std::move(title);
  r.severity = sev;
  r.area = Area::kIac;
  r.description = std::move(desc);
  r.remediation = std::move(fix);
  r.help_uri = std::move(uri);
  r.tags = {"terraform"};
  return r;
}

std::vector<RuleInfo> MakeRules() {
  const std::string d = kProviderDocs;
  std::vector<RuleInfo> v = {
      R("tf/backend-no-locking", "Terraform backend without state locking", Severity::kMedium,
        "Two concurrent applies against an unlocked state corrupt it. The s3 backend locks only "
        "with dynamodb_table or use_lockfile = true; the http backend needs lock_address.",
        "Add `use_lockfile = true` (Terraform >= 1.10) or `dynamodb_table = \"tf-locks\"` to "
        "the s3 backend.",
        "https://developer.hashicorp.com/terraform/language/backend/s3#state-locking"),
      R("tf/db-password-from-variable", "Database password fed from a Terraform variable",
        Severity::kMedium,
        "The master password of an RDS instance or cluster comes from an input variable: it is "
        "typed on command lines, kept in tfvars files and CI variables. A literal default "
        "commits it to the repository.",
        "Let RDS manage it (`manage_master_user_password = true`) or read it from a data "
        "source:\n  data \"aws_secretsmanager_secret_version\" \"db\" { secret_id = "
        "\"prod/db/master\" }\n  password = data.aws_secretsmanager_secret_version.db."
        "secret_string\n(or data \"aws_ssm_parameter\" with with_decryption = true).",
        d + "db_instance#manage_master_user_password"),
      R("tf/iam-wildcard-policy", "IAM policy allows * actions on * resources", Severity::kHigh,
        "A statement with Effect Allow, Action \"*\" and Resource \"*\" grants full "
        "administrative privileges (CIS AWS Foundations 1.16).",
        "Grant only the actions and resources the principal needs; use AWS managed job-function "
        "policies or IAM Access Analyzer policy generation.",
        d + "iam_policy"),
      R("tf/kms-no-rotation", "KMS key without automatic rotation", Severity::kMedium,
        "Customer managed symmetric keys should rotate yearly (CIS AWS Foundations 3.6/3.8).",
        "Set `enable_key_rotation = true` on aws_kms_key.", d + "kms_key#enable_key_rotation"),
      R("tf/missing-required-version", "Root module does not pin the Terraform version",
        Severity::kLow,
        "Without terraform { required_version } any Terraform release may apply the "
        "configuration, including one that rewrites the state format.",
        "Add `terraform { required_version = \"~> 1.9\" }`.",
        "https://developer.hashicorp.com/terraform/language/terraform#required_version"),
      R("tf/no-remote-backend", "Root module keeps its state locally", Severity::kMedium,
        "A root module without a remote backend keeps terraform.tfstate on a laptop or CI "
        "runner: no sharing, no locking, no encryption at rest, secrets in plain text.",
        "Configure a remote backend with encryption and locking, e.g. backend \"s3\" { bucket "
        "= ..., key = ..., region = ..., encrypt = true, use_lockfile = true }.",
        "https://developer.hashicorp.com/terraform/language/backend"),
      R("tf/provider-credentials", "Credentials in a provider block", Severity::kCritical,
        "access_key / secret_key / token written into a provider block (or into the default of "
        "the variable feeding it) are committed with the code.",
        "Remove them; let the provider read the environment, a shared credentials profile, or "
        "an assumed role (OIDC in CI). Rotate the exposed keys.",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs#authentication-and-"
        "configuration"),
      R("tf/provider-not-pinned", "Provider without a version constraint", Severity::kLow,
        "A provider used by a root module has no version constraint in required_providers, so "
        "`terraform init` may pick up a new major version.",
        "Declare it: terraform { required_providers { aws = { source = \"hashicorp/aws\", "
        "version = \"~> 5.0\" } } } and commit .terraform.lock.hcl.",
        "https://developer.hashicorp.com/terraform/language/providers/requirements"),
      R("tf/rds-backup-retention", "RDS backup retention shorter than 7 days", Severity::kMedium,
        "backup_retention_period below 7 days (or unset: AWS default 1 day) leaves too little "
        "time to notice and restore from a bad change.",
        "Set backup_retention_period = 7 or more (35 for production data).",
        d + "db_instance#backup_retention_period"),
      R("tf/rds-no-deletion-protection", "RDS deletion protection disabled", Severity::kMedium,
        "Without deletion_protection a `terraform destroy` or a renamed resource deletes the "
        "database.",
        "Set deletion_protection = true.", d + "db_instance#deletion_protection"),
      R("tf/rds-publicly-accessible", "RDS instance publicly accessible", Severity::kHigh,
        "publicly_accessible = true gives the database a public DNS name and address "
        "(CIS AWS Foundations 2.3.3).",
        "Set publicly_accessible = false and reach the database from inside the VPC.",
        d + "db_instance#publicly_accessible"),
      R("tf/rds-storage-not-encrypted", "RDS storage not encrypted", Severity::kHigh,
        "storage_encrypted is false or unset: data, snapshots and replicas are not encrypted at "
        "rest (CIS AWS Foundations 2.3.1).",
        "Set storage_encrypted = true (and kms_key_id to a customer managed key).",
        d + "db_instance#storage_encrypted"),
      R("tf/s3-no-encryption", "S3 bucket without server-side encryption configuration",
        Severity::kMedium,
        "No aws_s3_bucket_server_side_encryption_configuration (or inline block) for the "
        "bucket: encryption is left to the account default.",
        "Add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm = "
        "\"aws:kms\" and a customer managed key.",
        d + "s3_bucket_server_side_encryption_configuration"),
      R("tf/s3-no-public-access-block", "S3 bucket without a complete public access block",
        Severity::kMedium,
        "Without aws_s3_bucket_public_access_block setting block_public_acls, "
        "block_public_policy, ignore_public_acls and restrict_public_buckets to true, a later "
        "ACL or policy can make the bucket public (CIS AWS Foundations 2.1.4).",
        "Add aws_s3_bucket_public_access_block for the bucket with all four settings true.",
        d + "s3_bucket_public_access_block"),
      R("tf/s3-no-versioning", "S3 bucket without versioning", Severity::kLow,
        "Without versioning an overwrite or delete cannot be undone.",
        "Add aws_s3_bucket_versioning with versioning_configuration { status = \"Enabled\" }.",
        d + "s3_bucket_versioning"),
      R("tf/s3-public-acl", "S3 bucket ACL grants public access", Severity::kHigh,
        "A canned ACL public-read, public-read-write or authenticated-read exposes the bucket's "
        "objects.",
        "Use acl = \"private\" (or no ACL with object ownership BucketOwnerEnforced) and a "
        "public access block.",
        d + "s3_bucket_acl"),
      R("tf/s3-public-policy", "S3 bucket policy allows any principal", Severity::kHigh,
        "A bucket policy statement with Effect Allow and Principal \"*\" and no Condition "
        "grants access to everyone.",
        "Name the principals, or add a Condition (aws:SourceVpce, aws:PrincipalOrgID, ...).",
        d + "s3_bucket_policy"),
      R("tf/secret-in-code", "Secret in Terraform code", Severity::kHigh,
        "The secret engine matched a credential in a Terraform file or tfvars file.",
        "Remove it, rotate it, and read it at apply time from SSM Parameter Store or Secrets "
        "Manager data sources.",
        "https://developer.hashicorp.com/terraform/language/state/sensitive-data"),
      R("tf/secret-literal-argument", "Literal secret in a Terraform argument", Severity::kHigh,
        "A password-like argument (password, master_password, token, ...) is a literal string "
        "in Terraform code or in a tfvars file.",
        "Read it from data \"aws_secretsmanager_secret_version\" / \"aws_ssm_parameter\" (or "
        "manage_master_user_password for RDS) and rotate the exposed value.",
        d + "db_instance#manage_master_user_password"),
      R("tf/secret-variable-default", "Secret-looking variable with a literal default",
        Severity::kHigh,
        "A variable named like a credential has a literal default committed with the code.",
        "Drop the default; read the value from SSM Parameter Store or Secrets Manager data "
        "sources, or pass it at apply time; mark the variable sensitive = true.",
        "https://developer.hashicorp.com/terraform/language/values/variables"),
      R("tf/sensitive-variable-not-marked", "Secret-looking variable not marked sensitive",
        Severity::kMedium,
        "A variable named like a credential lacks `sensitive = true`, so its value is printed "
        "in plan output and logs.",
        "Add `sensitive = true` to the variable block.",
        "https://developer.hashicorp.com/terraform/language/values/"
        "variables#suppressing-values-in-cli-output"),
      R("tf/sg-open-ingress", "Security group open to the internet on a sensitive port",
        Severity::kHigh,
        "An ingress rule allows 0.0.0.0/0 or ::/0 to SSH (22), RDP (3389), a database port "
        "(3306, 5432, 1433, 1521, 27017, 6379, 9200, ...) or all ports (CIS AWS Foundations "
        "5.2/5.3).",
        "Restrict the CIDR to known ranges, use SSM Session Manager instead of SSH/RDP, and keep "
        "databases in private subnets.",
        d + "security_group"),
  };
  std::sort(v.begin(), v.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
  return v;
}

const RuleInfo* FindRule(std::string_view id) {
  for (const RuleInfo& r : TerraformRuleInfos())
    if (r.id == id) return &r;
  return nullptr;
}

bool EndsWith(std::string_view s, std::string_view suf) { return s.ends_with(suf); }

std::string DirOf(const std::string& p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? std::string() : p.substr(0, s);
}
std::string BaseOf(const std::string& p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

// Joins a module dir and a relative source, resolving "." and "..".
std::string JoinPath(const std::string& dir, const std::string& rel) {
  std::vector<std::string> parts;
  auto push = [&](const std::string& s) {
    size_t i = 0;
    while (i <= s.size()) {
      size_t j = s.find('/', i);
      if (j == std::string::npos) j = s.size();
      std::string seg = s.substr(i, j - i);
      if (seg == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!seg.empty() && seg != ".") {
        parts.push_back(seg);
      }
      i = j + 1;
    }
  };
  push(dir);
  push(rel);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

struct Loc {
  const std::string* path = nullptr;
  int line = 0, column = 0;
};

struct TfFile {
  const IacFile* src = nullptr;
  std::unique_ptr<hcl::File> f;
  bool tfvars = false;
};

struct Module;

struct ModuleCall {
  Module* caller = nullptr;
  const Block* block = nullptr;
  const TfFile* file = nullptr;
};

struct Module {
  std::string dir;
  std::vector<TfFile*> files;   // .tf / .tf.json
  std::vector<TfFile*> tfvars;  // .tfvars
  std::map<std::string, std::pair<const Block*, const TfFile*>> variables;
  std::map<std::string, std::pair<const hcl::Attribute*, const TfFile*>> locals;
  std::vector<ModuleCall> callers;
  hcl::EvalContext ctx;
  bool has_provider = false, has_backend = false, has_terraform_block = false;
  bool evaluating = false, evaluated = false;
};

// One resource, from configuration or a plan.
struct Res {
  std::string type, name;
  std::string path;  // file
  int line = 0, column = 0;
  Value v;  // object of attributes; nested blocks as tuples of objects
  std::map<std::string, std::pair<int, int>> pos;  // "attr", "ingress.0.cidr_blocks" → line,col
  const Block* block = nullptr;                    // configuration only
  Module* mod = nullptr;
  const TfFile* file = nullptr;

  std::pair<int, int> At(const std::string& key) const {
    auto it = pos.find(key);
    if (it != pos.end()) return it->second;
    return {line, column};
  }
  const Value* Get(std::string_view k) const { return v.Get(k); }
  const Expr* ExprOf(std::string_view k) const {
    if (!block) return nullptr;
    const hcl::Attribute* a = block->body.Attr(k);
    return a ? a->expr : nullptr;
  }
};

// ---- helpers over values ----

bool IsTrue(const Value* v) {
  if (!v) return false;
  Value b = v->ToBoolValue();
  return b.IsBool() && b.AsBool();
}
bool IsFalse(const Value* v) {
  if (!v) return false;
  Value b = v->ToBoolValue();
  return b.IsBool() && !b.AsBool();
}
bool Known(const Value* v) { return v && v->known() && !v->IsNull(); }
const std::string* Str(const Value* v) { return v && v->IsString() ? &v->AsString() : nullptr; }

std::vector<const Value*> ListOf(const Value* v) {
  std::vector<const Value*> out;
  if (!v) return out;
  if (v->IsTuple())
    for (const Value& x : v->items()) out.push_back(&x);
  else if (v->IsObject())
    out.push_back(v);
  return out;
}

bool ListHasString(const Value* v, std::string_view s) {
  if (!v) return false;
  if (v->IsString()) return v->AsString() == s;
  for (const Value* x : ListOf(v))
    if (x->IsString() && x->AsString() == s) return true;
  return false;
}

// Strips template wraps ("${x}") and parentheses.
const Expr* Unwrap(const Expr* e) {
  while (e) {
    if (e->kind == ExprKind::kParen) {
      e = e->kids[0];
      continue;
    }
    if (e->kind == ExprKind::kTemplate && e->kids.size() == 1 &&
        e->kids[0]->kind != ExprKind::kLiteral && e->kids[0]->kind != ExprKind::kTemplateIf &&
        e->kids[0]->kind != ExprKind::kTemplateFor) {
      e = e->kids[0];
      continue;
    }
    break;
  }
  return e;
}

// a.b.c[...] → {"a","b","c"} (indexes stop the chain).
std::vector<std::string> Traversal(const Expr* e) {
  std::vector<std::string> rev;
  e = Unwrap(e);
  while (e) {
    if (e->kind == ExprKind::kGetAttr) {
      rev.push_back(e->name);
      e = e->kids[0];
    } else if (e->kind == ExprKind::kIndex) {
      rev.clear();
      e = e->kids[0];
    } else if (e->kind == ExprKind::kVariable) {
      rev.push_back(e->name);
      break;
    } else {
      return {};
    }
  }
  if (!e) return {};
  return std::vector<std::string>(rev.rbegin(), rev.rend());
}

// All traversals referenced anywhere inside e (roots with their attributes).
void References(const Expr* e, std::vector<std::vector<std::string>>* out, int depth = 0) {
  if (!e || depth > 200) return;
  if (e->kind == ExprKind::kGetAttr || e->kind == ExprKind::kVariable) {
    auto t = Traversal(e);
    if (!t.empty()) {
      out->push_back(std::move(t));
      return;
    }
  }
  for (const Expr* k : e->kids) References(k, out, depth + 1);
}

bool IsLiteralString(const Expr* e, std::string* s) {
  e = Unwrap(e);
  if (!e) return false;
  if (e->kind == ExprKind::kLiteral && e->lit == hcl::LitKind::kString) {
    *s = e->name;
    return true;
  }
  if (e->kind == ExprKind::kTemplate) {
    std::string out;
    for (const Expr* k : e->kids) {
      if (k->kind != ExprKind::kLiteral || k->lit != hcl::LitKind::kString) return false;
      out += k->name;
    }
    *s = out;
    return true;
  }
  return false;
}

bool IsSecretDataSource(const std::vector<std::string>& t) {
  return t.size() >= 2 && t[0] == "data" &&
         (t[1] == "aws_ssm_parameter" || t[1] == "aws_secretsmanager_secret_version" ||
          t[1] == "vault_generic_secret" || t[1] == "vault_kv_secret_v2" ||
          t[1] == "google_secret_manager_secret_version" || t[1] == "azurerm_key_vault_secret");
}

// ---- the analyzer ----

class Analyzer {
 public:
  Analyzer(const IacOptions& o, std::vector<Finding>* f, std::vector<Diagnostic>* d,
           IacInventory* inv)
      : o_(o), findings_(f), diags_(d), inv_(inv) {}

  void Run(const std::vector<const IacFile*>& files) {
    std::vector<const IacFile*> plans;
    for (const IacFile* f : files) {
      const std::string& p = f->path;
      if (EndsWith(p, ".tf") || EndsWith(p, ".tf.json") || EndsWith(p, ".tfvars") ||
          EndsWith(p, ".tfvars.json")) {
        auto tf = std::make_unique<TfFile>();
        tf->src = f;
        tf->tfvars = EndsWith(p, ".tfvars") || EndsWith(p, ".tfvars.json");
        if (EndsWith(p, ".json")) {
          tf->f = hcl::ParseJson(f->content, p);
        } else {
          tf->f = hcl::Parse(f->content, p);
        }
        for (const Error& e : tf->f->errors) {
          ++inv_->parse_errors;
          findings_->push_back(MakeFinding("iac/parse-error", p, e.line, e.column,
                                           "HCL syntax error: " + e.message, e.message));
          diags_->push_back(Diagnostic{DiagnosticKind::kParse, p, e.line, e.column, e.message});
        }
        Module& m = ModuleFor(DirOf(p));
        if (tf->tfvars) {
          m.tfvars.push_back(tf.get());
        } else {
          ++inv_->tf_files;
          m.files.push_back(tf.get());
        }
        files_.push_back(std::move(tf));
      } else {
        plans.push_back(f);
      }
    }
    for (auto& [dir, m] : modules_) Index(m.get());
    for (auto& [dir, m] : modules_)
      if (!m->files.empty()) ++inv_->tf_modules;
    LinkModules();
    for (auto& [dir, m] : modules_) Evaluate(m.get());
    for (auto& [dir, m] : modules_) CollectResources(m.get());
    for (const IacFile* p : plans) LoadPlan(*p);

    for (auto& [dir, m] : modules_) {
      CheckVariables(m.get());
      CheckProviders(m.get());
      CheckTfvars(m.get());
      CheckRootModule(m.get());
    }
    CheckResources();
    CheckSecrets();
  }

 private:
  // ---- structure ----
  Module& ModuleFor(const std::string& dir) {
    auto& m = modules_[dir];
    if (!m) {
      m = std::make_unique<Module>();
      m->dir = dir;
    }
    return *m;
  }

  void Index(Module* m) {
    for (TfFile* tf : m->files) {
      for (const Block* b : tf->f->body.blocks) {
        if (b->type == "variable" && b->labels.size() == 1) m->variables[b->labels[0]] = {b, tf};
        if (b->type == "locals")
          for (const auto& a : b->body.attributes) m->locals[a.name] = {&a, tf};
        if (b->type == "provider") m->has_provider = true;
        if (b->type == "resource") ++inv_->tf_resources;
        if (b->type == "terraform") {
          m->has_terraform_block = true;
          if (!b->body.BlocksOfType("backend").empty() || !b->body.BlocksOfType("cloud").empty())
            m->has_backend = true;
        }
      }
    }
  }

  void LinkModules() {
    for (auto& [dir, m] : modules_) {
      for (TfFile* tf : m->files) {
        for (const Block* b : tf->f->body.BlocksOfType("module")) {
          const hcl::Attribute* src = b->body.Attr("source");
          std::string s;
          if (!src || !IsLiteralString(src->expr, &s)) continue;
          if (!(s.starts_with("./") || s.starts_with("../"))) continue;
          std::string child = JoinPath(dir, s);
          auto it = modules_.find(child);
          if (it == modules_.end() || it->second.get() == m.get()) continue;
          it->second->callers.push_back(ModuleCall{m.get(), b, tf});
        }
      }
    }
  }

  // ---- evaluation ----
  void Evaluate(Module* m) {
    if (m->evaluated || m->evaluating) return;
    m->evaluating = true;
    std::map<std::string, Value> vars;
    for (const auto& [name, vb] : m->variables) {
      const hcl::Attribute* d = vb.first->body.Attr("default");
      vars[name] = d ? hcl::Evaluate(d->expr, hcl::EvalContext{}) : Value::Unknown();
    }
    // terraform.tfvars and *.auto.tfvars apply automatically (root modules).
    for (const TfFile* tv : m->tfvars) {
      std::string base = BaseOf(tv->src->path);
      if (!(base == "terraform.tfvars" || base == "terraform.tfvars.json" ||
            EndsWith(base, ".auto.tfvars") || EndsWith(base, ".auto.tfvars.json")))
        continue;
      for (const auto& a : tv->f->body.attributes)
        vars[a.name] = hcl::Evaluate(a.expr, hcl::EvalContext{});
    }
    // A module with exactly one caller: its inputs.
    if (m->callers.size() == 1) {
      Module* c = m->callers[0].caller;
      Evaluate(c);
      for (const auto& a : m->callers[0].block->body.attributes)
        if (m->variables.count(a.name)) vars[a.name] = hcl::Evaluate(a.expr, c->ctx);
    } else if (m->callers.size() > 1) {
      for (const auto& [name, vb] : m->variables)
        for (const auto& call : m->callers)
          if (call.block->body.Attr(name)) vars[name] = Value::Unknown();
    }
    m->ctx.variables["var"] = Value::Object(std::move(vars));
    m->ctx.variables["local"] = Value::Unknown();
    // Locals: iterate to a fixpoint; references to locals not yet known
    // stay unknown, cycles never become known.
    std::map<std::string, Value> locals;
    for (const auto& [name, la] : m->locals) locals[name] = Value::Unknown();
    for (size_t pass = 0; pass <= m->locals.size() && pass < 64; ++pass) {
      m->ctx.variables["local"] = Value::Object(locals);
      bool changed = false;
      for (const auto& [name, la] : m->locals) {
        Value v = hcl::Evaluate(la.first->expr, m->ctx);
        if (!(v == locals[name]) &&
            !(v.kind() == Value::Kind::kUnknown && locals[name].kind() == Value::Kind::kUnknown)) {
          locals[name] = std::move(v);
          changed = true;
        }
      }
      if (!changed) break;
    }
    m->ctx.variables["local"] = Value::Object(std::move(locals));
    m->evaluating = false;
    m->evaluated = true;
  }

  // ---- resource views ----
  Value BodyValue(const Body& b, const hcl::EvalContext& ctx, const std::string& prefix,
                  std::map<std::string, std::pair<int, int>>* pos, int depth) {
    std::map<std::string, Value> m;
    for (const auto& a : b.attributes) {
      m[a.name] = hcl::Evaluate(a.expr, ctx);
      (*pos)[prefix + a.name] = {static_cast<int>(a.name_range.start.line),
                                 static_cast<int>(a.name_range.start.column)};
    }
    std::map<std::string, std::vector<Value>> blocks;
    for (const Block* nb : b.blocks) {
      if (nb->type == "dynamic" || depth > 16) {
        if (!nb->labels.empty()) m[nb->labels[0]] = Value::Unknown();
        continue;
      }
      auto& list = blocks[nb->type];
      std::string p = prefix + nb->type + "." + std::to_string(list.size()) + ".";
      (*pos)[prefix + nb->type + "." + std::to_string(list.size())] = {
          static_cast<int>(nb->type_range.start.line),
          static_cast<int>(nb->type_range.start.column)};
      list.push_back(BodyValue(nb->body, ctx, p, pos, depth + 1));
    }
    for (auto& [k, l] : blocks)
      if (!m.count(k)) m[k] = Value::Tuple(std::move(l));
    return Value::Object(std::move(m));
  }

  void CollectResources(Module* m) {
    for (TfFile* tf : m->files) {
      for (const Block* b : tf->f->body.blocks) {
        bool data = b->type == "data";
        if ((b->type != "resource" && !data) || b->labels.size() != 2) continue;
        auto r = std::make_unique<Res>();
        r->type = (data ? "data." : "") + b->labels[0];
        r->name = b->labels[1];
        r->path = tf->src->path;
        r->line = static_cast<int>(b->type_range.start.line);
        r->column = static_cast<int>(b->type_range.start.column);
        r->block = b;
        r->mod = m;
        r->file = tf;
        r->v = BodyValue(b->body, m->ctx, "", &r->pos, 0);
        res_.push_back(std::move(r));
      }
    }
  }

  // Plan JSON: planned_values.root_module (+ child_modules), else
  // resource_changes[].change.after.
  void LoadPlan(const IacFile& f) {
    ++inv_->tf_plans;
    auto pf = hcl::ParseExpression(f.content, f.path, /*json_strings=*/true);
    for (const Error& e : pf->errors) {
      ++inv_->parse_errors;
      findings_->push_back(MakeFinding("iac/parse-error", f.path, e.line, e.column,
                                       "plan JSON syntax error: " + e.message, e.message));
    }
    if (pf->body.attributes.empty()) return;
    const Expr* root = pf->body.attributes[0].expr;
    auto member = [](const Expr* o, std::string_view k) -> const Expr* {
      if (!o || o->kind != ExprKind::kObject) return nullptr;
      for (size_t i = 0; i + 1 < o->kids.size(); i += 2) {
        std::string s;
        if (IsLiteralString(o->kids[i], &s) && s == k) return o->kids[i + 1];
      }
      return nullptr;
    };
    size_t before = res_.size();
    std::function<void(const Expr*, int)> walk = [&](const Expr* mod, int depth) {
      if (!mod || depth > 32) return;
      const Expr* rs = member(mod, "resources");
      if (rs && rs->kind == ExprKind::kTuple)
        for (const Expr* r : rs->kids) AddPlanResource(f, *pf, r, member(r, "values"), member);
      const Expr* cm = member(mod, "child_modules");
      if (cm && cm->kind == ExprKind::kTuple)
        for (const Expr* c : cm->kids) walk(c, depth + 1);
    };
    walk(member(member(root, "planned_values"), "root_module"), 0);
    if (res_.size() == before) {
      const Expr* rc = member(root, "resource_changes");
      if (rc && rc->kind == ExprKind::kTuple)
        for (const Expr* r : rc->kids)
          AddPlanResource(f, *pf, r, member(member(r, "change"), "after"), member);
    }
    plan_files_.push_back(std::move(pf));
  }

  template <typename M>
  void AddPlanResource(const IacFile& f, const hcl::File& pf, const Expr* r, const Expr* values,
                       M member) {
    std::string mode, type, name;
    const Expr* me = member(r, "mode");
    if (me && IsLiteralString(me, &mode) && mode != "managed") return;
    if (!IsLiteralString(member(r, "type"), &type) || !values) return;
    IsLiteralString(member(r, "name"), &name);
    auto res = std::make_unique<Res>();
    res->type = type;
    res->name = name;
    res->path = f.path;
    res->line = static_cast<int>(r->range.start.line);
    res->column = static_cast<int>(r->range.start.column);
    res->v = hcl::Evaluate(values, hcl::EvalContext{});
    // Positions of the JSON keys, also inside nested lists of objects.
    std::function<void(const Expr*, const std::string&, int)> keys =
        [&](const Expr* o, const std::string& pre, int depth) {
          if (!o || depth > 8) return;
          if (o->kind == ExprKind::kObject) {
            for (size_t i = 0; i + 1 < o->kids.size(); i += 2) {
              std::string k;
              if (!IsLiteralString(o->kids[i], &k)) continue;
              res->pos[pre + k] = {static_cast<int>(o->kids[i]->range.start.line),
                                   static_cast<int>(o->kids[i]->range.start.column)};
              const Expr* v = o->kids[i + 1];
              if (v->kind == ExprKind::kTuple)
                for (size_t j = 0; j < v->kids.size(); ++j) {
                  res->pos[pre + k + "." + std::to_string(j)] = {
                      static_cast<int>(v->kids[j]->range.start.line),
                      static_cast<int>(v->kids[j]->range.start.column)};
                  keys(v->kids[j], pre + k + "." + std::to_string(j) + ".", depth + 1);
                }
            }
          }
        };
    keys(values, "", 0);
    ++inv_->tf_resources;
    res_.push_back(std::move(res));
  }

  // ---- findings ----
  bool Disabled(std::string_view id) const {
    return std::find(o_.disabled_rules.begin(), o_.disabled_rules.end(), id) !=
           o_.disabled_rules.end();
  }

  Finding* Add(std::string_view id, const std::string& path, int line, int col, std::string message,
               std::string key, std::optional<Severity> sev = {}) {
    if (Disabled(id)) return nullptr;
    const RuleInfo* info = FindRule(id);
    Finding f;
    f.rule_id = std::string(id);
    if (info) {
      f.title = info->title;
      f.severity = info->severity;
      f.remediation = info->remediation;
      f.help_uri = info->help_uri;
    }
    f.area = Area::kIac;
    if (sev) f.severity = *sev;
    f.confidence = Confidence::kHigh;
    f.message = std::move(message);
    std::string fp = std::string(id) + "\n" + path + "\n" + key;
    f.fingerprint = Sha256Hex(fp).substr(0, 32);
    f.location.path = path;
    f.location.line = line;
    f.location.column = col;
    for (const auto& src : files_)
      if (src->src->path == path) {
        std::string_view l = LineOf(src->src->content, line);
        if (!l.empty()) f.evidence = std::string(l.substr(0, 200));
      }
    findings_->push_back(std::move(f));
    return &findings_->back();
  }

  Finding* AddAt(std::string_view id, const Res& r, const std::string& key_path,
                 std::string message, std::optional<Severity> sev = {}) {
    auto [l, c] = r.At(key_path);
    return Add(id, r.path, l, c, std::move(message), r.type + "." + r.name + "." + key_path, sev);
  }

  // ---- secret flow tracing ----
  struct Origin {
    enum Kind { kUnknown, kLiteral, kSecretStore, kVariable, kGenerated } kind = kUnknown;
    std::string chain;             // "module.db input password ← var.db_password"
    bool literal_default = false;  // root variable with a literal default (or tfvars value)
    std::string literal;           // the literal (never printed unredacted)
    const std::string* path = nullptr;
    int line = 0;
  };

  Origin Trace(Module* m, const Expr* e, int depth) {
    Origin o;
    e = Unwrap(e);
    if (!e || depth > 16) return o;
    std::string lit;
    if (IsLiteralString(e, &lit)) {
      o.kind = Origin::kLiteral;
      o.literal = lit;
      return o;
    }
    auto t = Traversal(e);
    if (t.empty()) return o;
    if (IsSecretDataSource(t)) {
      o.kind = Origin::kSecretStore;
      o.chain = "data." + t[1] + (t.size() > 2 ? "." + t[2] : "");
      return o;
    }
    if (t[0] == "random_password" || t[0] == "aws_secretsmanager_secret_version" ||
        t[0] == "aws_ssm_parameter") {
      o.kind = t[0] == "random_password" ? Origin::kGenerated : Origin::kSecretStore;
      o.chain = t[0] + (t.size() > 1 ? "." + t[1] : "");
      return o;
    }
    if (t[0] == "local" && t.size() >= 2) {
      auto it = m->locals.find(t[1]);
      if (it == m->locals.end()) return o;
      Origin in = Trace(m, it->second.first->expr, depth + 1);
      in.chain = "local." + t[1] + (in.chain.empty() ? "" : " ← " + in.chain);
      return in;
    }
    if (t[0] == "var" && t.size() >= 2) {
      const std::string& name = t[1];
      auto vit = m->variables.find(name);
      if (m->callers.empty()) {
        o.kind = Origin::kVariable;
        o.chain = "var." + name;
        if (vit != m->variables.end()) {
          const hcl::Attribute* d = vit->second.first->body.Attr("default");
          std::string s;
          if (d && IsLiteralString(d->expr, &s) && !s.empty()) {
            o.literal_default = true;
            o.literal = s;
            o.path = &vit->second.second->src->path;
            o.line = static_cast<int>(d->name_range.start.line);
            o.chain += " (default is a literal)";
          }
        }
        for (const TfFile* tv : m->tfvars)
          if (const hcl::Attribute* a = tv->f->body.Attr(name)) {
            std::string s;
            if (IsLiteralString(a->expr, &s) && !s.empty()) {
              o.literal_default = true;
              o.chain += " (set literally in " + BaseOf(tv->src->path) + ")";
            }
          }
        return o;
      }
      // Follow into the callers' inputs: the first that is not safe wins.
      Origin worst;
      worst.kind = Origin::kUnknown;
      for (const ModuleCall& c : m->callers) {
        const hcl::Attribute* a = c.block->body.Attr(name);
        Origin in;
        std::string label = c.block->labels.empty() ? "?" : c.block->labels[0];
        if (!a) {
          // Input not passed: the child's own default applies.
          in.kind = Origin::kVariable;
          in.chain = "var." + name + " of module." + label + " (not passed";
          if (vit != m->variables.end()) {
            const hcl::Attribute* d = vit->second.first->body.Attr("default");
            std::string s;
            if (d && IsLiteralString(d->expr, &s) && !s.empty()) {
              in.literal_default = true;
              in.literal = s;
              in.chain += "; default is a literal";
            }
          }
          in.chain += ")";
        } else {
          in = Trace(c.caller, a->expr, depth + 1);
          in.chain =
              "module." + label + " input " + name + (in.chain.empty() ? "" : " ← " + in.chain);
          if (in.kind == Origin::kLiteral) in.chain += " (a literal)";
        }
        if (worst.kind == Origin::kUnknown || in.literal_default || in.kind == Origin::kLiteral ||
            (in.kind == Origin::kVariable && worst.kind != Origin::kLiteral &&
             !worst.literal_default))
          worst = in;
      }
      return worst;
    }
    return o;
  }

  // ---- checks: variables, providers, tfvars ----
  void CheckVariables(Module* m) {
    for (const auto& [name, vb] : m->variables) {
      const Block* b = vb.first;
      const std::string& path = vb.second->src->path;
      if (!LooksLikeSecretName(name)) continue;
      const hcl::Attribute* sens = b->body.Attr("sensitive");
      Value sv = sens ? hcl::Evaluate(sens->expr, hcl::EvalContext{}) : Value::Null();
      if (!IsTrue(&sv))
        Add("tf/sensitive-variable-not-marked", path, static_cast<int>(b->type_range.start.line),
            static_cast<int>(b->type_range.start.column),
            "variable \"" + name + "\" looks like a credential but is not marked sensitive = true",
            "var." + name);
      const hcl::Attribute* d = b->body.Attr("default");
      std::string s;
      if (d && IsLiteralString(d->expr, &s) && LooksLikeLiteralSecret(s))
        Add("tf/secret-variable-default", path, static_cast<int>(d->name_range.start.line),
            static_cast<int>(d->name_range.start.column),
            "variable \"" + name + "\" has a literal default: " + Redact(s), "var." + name);
    }
  }

  void CheckProviders(Module* m) {
    for (TfFile* tf : m->files)
      for (const Block* b : tf->f->body.BlocksOfType("provider")) {
        for (const char* k : {"access_key", "secret_key", "token", "client_secret", "password"}) {
          const hcl::Attribute* a = b->body.Attr(k);
          if (!a) continue;
          Origin o = Trace(m, a->expr, 0);
          std::string prov = b->labels.empty() ? "" : b->labels[0];
          if (o.kind == Origin::kLiteral && !o.literal.empty())
            Add("tf/provider-credentials", tf->src->path,
                static_cast<int>(a->name_range.start.line),
                static_cast<int>(a->name_range.start.column),
                "provider \"" + prov + "\" sets " + k + " to a literal: " + Redact(o.literal),
                "provider." + prov + "." + k);
          else if (o.literal_default)
            Add("tf/provider-credentials", tf->src->path,
                static_cast<int>(a->name_range.start.line),
                static_cast<int>(a->name_range.start.column),
                "provider \"" + prov + "\" " + k + " ← " + o.chain, "provider." + prov + "." + k,
                Severity::kHigh);
        }
      }
  }

  void CheckTfvars(Module* m) {
    for (TfFile* tv : m->tfvars)
      for (const auto& a : tv->f->body.attributes) {
        std::string s;
        if (LooksLikeSecretName(a.name) && IsLiteralString(a.expr, &s) && LooksLikeLiteralSecret(s))
          Add("tf/secret-literal-argument", tv->src->path,
              static_cast<int>(a.name_range.start.line),
              static_cast<int>(a.name_range.start.column),
              "\"" + a.name + "\" is set to a literal in a committed tfvars file: " + Redact(s),
              a.name);
      }
  }

  // Literal password-like arguments of resources and module calls.
  void CheckLiteralArguments(Module* m, TfFile* tf, const Block* b, const std::string& what) {
    for (const auto& a : b->body.attributes) {
      if (!LooksLikeSecretName(a.name)) continue;
      std::string s;
      if (IsLiteralString(a.expr, &s) && LooksLikeLiteralSecret(s))
        Add("tf/secret-literal-argument", tf->src->path, static_cast<int>(a.name_range.start.line),
            static_cast<int>(a.name_range.start.column),
            what + " argument \"" + a.name + "\" is a literal: " + Redact(s), what + "." + a.name);
    }
    for (const Block* nb : b->body.blocks) CheckLiteralArguments(m, tf, nb, what);
  }

  // Root modules: a provider block or backend config, and not called as a
  // local module from elsewhere.
  void CheckRootModule(Module* m) {
    for (TfFile* tf : m->files)
      for (const Block* b : tf->f->body.blocks) {
        if (b->type == "resource" && b->labels.size() == 2)
          CheckLiteralArguments(m, tf, b, b->labels[0] + "." + b->labels[1]);
        if (b->type == "module" && !b->labels.empty()) {
          CheckLiteralArguments(m, tf, b, "module." + b->labels[0]);
          CheckModuleDbInputs(m, tf, b);
        }
      }
    bool root = (m->has_provider || m->has_backend) && m->callers.empty();
    if (!root || m->files.empty()) return;
    // Backend
    const Block* backend = nullptr;
    const Block* tblock = nullptr;
    const TfFile* tfile = nullptr;
    const Block* cloud = nullptr;
    const Block* req_providers = nullptr;
    bool has_required_version = false;
    std::map<std::string, bool> pinned;  // provider local name → has version
    for (TfFile* tf : m->files)
      for (const Block* b : tf->f->body.BlocksOfType("terraform")) {
        if (!tblock) tblock = b, tfile = tf;
        if (b->body.Attr("required_version")) has_required_version = true;
        for (const Block* bb : b->body.BlocksOfType("backend")) backend = bb, tfile = tf;
        for (const Block* cb : b->body.BlocksOfType("cloud")) cloud = cb, tfile = tf;
        for (const Block* rp : b->body.BlocksOfType("required_providers")) {
          req_providers = rp;
          for (const auto& a : rp->body.attributes) {
            Value v = hcl::Evaluate(a.expr, hcl::EvalContext{});
            bool has =
                v.IsString() || (v.IsObject() && v.Get("version") && v.Get("version")->IsString() &&
                                 !v.Get("version")->AsString().empty());
            pinned[a.name] = has;
          }
        }
      }
    const TfFile* first = m->files[0];
    if (cloud) {
      ++inv_->tf_remote_backends;
      ++inv_->tf_locked_backends;
      inv_->artifacts.push_back(tfile->src->path);
    } else if (!backend || (backend->labels.size() == 1 && backend->labels[0] == "local")) {
      const std::string& path = backend ? tfile->src->path : first->src->path;
      int line = backend ? static_cast<int>(backend->type_range.start.line) : 0;
      int col = backend ? static_cast<int>(backend->type_range.start.column) : 0;
      if (!backend)
        for (TfFile* tf : m->files)
          for (const Block* b : tf->f->body.BlocksOfType("provider")) {
            if (line == 0) {
              line = static_cast<int>(b->type_range.start.line);
              col = static_cast<int>(b->type_range.start.column);
              Add("tf/no-remote-backend", tf->src->path, line, col,
                  "root module \"" + (m->dir.empty() ? std::string(".") : m->dir) +
                      "\" has no remote backend: state is kept locally",
                  "backend:" + m->dir);
            }
          }
      if (backend || line == 0)
        Add("tf/no-remote-backend", path, line, col,
            "root module \"" + (m->dir.empty() ? std::string(".") : m->dir) +
                "\" has no remote backend: state is kept locally",
            "backend:" + m->dir);
    } else {
      ++inv_->tf_remote_backends;
      inv_->artifacts.push_back(tfile->src->path);
      std::string type = backend->labels.empty() ? "" : backend->labels[0];
      Value cfg = Value::Object({});
      std::map<std::string, std::pair<int, int>> pos;
      cfg = BodyValue(backend->body, hcl::EvalContext{}, "", &pos, 0);
      bool locked = true;
      std::string why;
      if (type == "s3") {
        locked = Known(cfg.Get("dynamodb_table")) || IsTrue(cfg.Get("use_lockfile"));
        // An unknown value (a partial config supplied at init) is not a finding.
        if (cfg.Get("dynamodb_table") && !cfg.Get("dynamodb_table")->known()) locked = true;
        why = "s3 backend without dynamodb_table or use_lockfile = true";
        if (IsFalse(cfg.Get("use_lockfile")) && !Known(cfg.Get("dynamodb_table")))
          why = "s3 backend with use_lockfile = false and no dynamodb_table";
      } else if (type == "http") {
        locked = cfg.Get("lock_address") != nullptr;
        why = "http backend without lock_address";
      }
      if (locked) {
        ++inv_->tf_locked_backends;
      } else {
        Add("tf/backend-no-locking", tfile->src->path,
            static_cast<int>(backend->type_range.start.line),
            static_cast<int>(backend->type_range.start.column), why, "lock:" + m->dir);
      }
    }
    // Versions
    if (!has_required_version) {
      const std::string& path = tblock ? tfile->src->path : first->src->path;
      int line = tblock ? static_cast<int>(tblock->type_range.start.line) : 0;
      int col = tblock ? static_cast<int>(tblock->type_range.start.column) : 0;
      Add("tf/missing-required-version", path, line, col,
          "root module \"" + (m->dir.empty() ? std::string(".") : m->dir) +
              "\" has no terraform { required_version }",
          "required_version:" + m->dir);
    }
    std::map<std::string, std::pair<const TfFile*, const Block*>> used;
    for (TfFile* tf : m->files)
      for (const Block* b : tf->f->body.blocks) {
        std::string p;
        if (b->type == "provider" && !b->labels.empty()) p = b->labels[0];
        if ((b->type == "resource" || b->type == "data") && !b->labels.empty()) {
          p = b->labels[0].substr(0, b->labels[0].find('_'));
          if (const hcl::Attribute* pa = b->body.Attr("provider")) {
            auto t = Traversal(pa->expr);
            if (!t.empty()) p = t[0];
          }
        }
        if (p.empty() || p == "terraform") continue;
        if (!used.count(p)) used[p] = {tf, b};
      }
    for (const auto& [p, where] : used) {
      auto it = pinned.find(p);
      if (it != pinned.end() && it->second) continue;
      const std::string& path = req_providers ? tfile->src->path : where.first->src->path;
      const Block* at = req_providers ? req_providers : where.second;
      Add("tf/provider-not-pinned", path, static_cast<int>(at->type_range.start.line),
          static_cast<int>(at->type_range.start.column),
          "provider \"" + p + "\" has no version constraint in required_providers",
          "pin:" + m->dir + ":" + p);
    }
  }

  static bool IsDbPasswordArg(std::string_view n) {
    return n == "password" || n == "master_password" || n == "admin_password" ||
           n == "db_password" || n == "master_user_password" || n == "database_password";
  }

  // Registry modules (not local) called with a password input from a variable.
  void CheckModuleDbInputs(Module* m, TfFile* tf, const Block* b) {
    const hcl::Attribute* src = b->body.Attr("source");
    std::string s;
    if (src && IsLiteralString(src->expr, &s) && (s.starts_with("./") || s.starts_with("../")))
      return;  // local modules are traced from their resources
    const hcl::Attribute* managed = b->body.Attr("manage_master_user_password");
    if (managed) {
      Value v = hcl::Evaluate(managed->expr, m->ctx);
      if (IsTrue(&v)) return;
    }
    for (const auto& a : b->body.attributes) {
      if (!IsDbPasswordArg(a.name)) continue;
      Origin o = Trace(m, a.expr, 0);
      if (o.kind != Origin::kVariable) continue;
      std::string label = b->labels[0];
      Add("tf/db-password-from-variable", tf->src->path, static_cast<int>(a.name_range.start.line),
          static_cast<int>(a.name_range.start.column),
          "module." + label + " input " + a.name + " ← " + o.chain +
              ": read it from aws_secretsmanager_secret_version / aws_ssm_parameter instead",
          "module." + label + "." + a.name + "|" + o.chain,
          o.literal_default ? std::optional<Severity>(Severity::kHigh) : std::nullopt);
    }
  }

  // ---- resource checks ----
  std::vector<const Res*> OfType(std::string_view t) const {
    std::vector<const Res*> out;
    for (const auto& r : res_)
      if (r->type == t) out.push_back(r.get());
    return out;
  }

  // Does `companion` (with a `bucket` argument) refer to `bucket`?
  // True, false, or "maybe" (unknown reference) counted as true.
  bool RefersTo(const Res& companion, const Res& target, const char* arg = "bucket") const {
    if (const Expr* e = companion.ExprOf(arg)) {
      std::vector<std::vector<std::string>> refs;
      References(e, &refs);
      for (const auto& t : refs)
        if (t.size() >= 2 && t[0] == target.type && t[1] == target.name) return true;
      bool refers_resource = false;
      for (const auto& t : refs)
        if (!t.empty() && t[0] != "var" && t[0] != "local") refers_resource = true;
      if (refers_resource && companion.mod == target.mod) {
        // Refers to some other resource (or module output): not this one unless unknown.
        for (const auto& t : refs)
          if (t.size() >= 1 && t[0] == "module") return true;  // maybe
        const Value* cv = companion.Get(arg);
        const Value* tv = target.Get("bucket");
        return cv && tv && cv->IsString() && tv->IsString() && cv->AsString() == tv->AsString();
      }
    }
    const Value* cv = companion.Get(arg);
    const Value* tv = target.Get("bucket");
    if (!cv || !cv->known()) return true;  // unknown: may be this bucket
    if (!tv || !tv->known()) return companion.path == target.path || companion.mod == target.mod;
    return cv->IsString() && tv->IsString() && cv->AsString() == tv->AsString();
  }

  void CheckResources() {
    for (const auto& rp : res_) {
      const Res& r = *rp;
      const std::string addr = r.type + "." + r.name;
      if (r.type == "aws_s3_bucket") CheckBucket(r);
      if (r.type == "aws_s3_bucket_acl") {
        const std::string* acl = Str(r.Get("acl"));
        if (acl &&
            (*acl == "public-read" || *acl == "public-read-write" || *acl == "authenticated-read"))
          AddAt("tf/s3-public-acl", r, "acl", addr + " grants the canned ACL \"" + *acl + "\"");
      }
      if (r.type == "aws_s3_bucket_policy") CheckPublicPolicy(r, "policy");
      if (r.type == "aws_s3_bucket_public_access_block") {
        for (const char* k : {"block_public_acls", "block_public_policy", "ignore_public_acls",
                              "restrict_public_buckets"})
          if (IsFalse(r.Get(k)))
            AddAt("tf/s3-no-public-access-block", r, k, addr + " sets " + k + " = false");
      }
      if (r.type == "aws_security_group") {
        for (size_t i = 0; const Value* in : ListOf(r.Get("ingress"))) {
          CheckIngress(r, *in, "ingress." + std::to_string(i), "cidr_blocks", "ipv6_cidr_blocks",
                       "protocol");
          ++i;
        }
      }
      if (r.type == "aws_security_group_rule") {
        const std::string* t = Str(r.Get("type"));
        if (t && *t == "ingress")
          CheckIngress(r, r.v, "", "cidr_blocks", "ipv6_cidr_blocks", "protocol");
      }
      if (r.type == "aws_vpc_security_group_ingress_rule")
        CheckIngress(r, r.v, "", "cidr_ipv4", "cidr_ipv6", "ip_protocol");
      if (r.type == "aws_db_instance" || r.type == "aws_rds_cluster") CheckRds(r);
      if (r.type == "aws_rds_cluster_instance" && IsTrue(r.Get("publicly_accessible")))
        AddAt("tf/rds-publicly-accessible", r, "publicly_accessible",
              addr + " sets publicly_accessible = true");
      if (r.type == "aws_kms_key") {
        const std::string* spec = Str(r.Get("customer_master_key_spec"));
        if (!spec) spec = Str(r.Get("key_spec"));
        bool symmetric = !spec || *spec == "SYMMETRIC_DEFAULT";
        const Value* rot = r.Get("enable_key_rotation");
        if (symmetric && !IsTrue(rot) && !(rot && !rot->known()))
          AddAt(
              "tf/kms-no-rotation", r, rot ? "enable_key_rotation" : "",
              addr + (rot ? " sets enable_key_rotation = false" : " does not enable key rotation"));
      }
      if (r.type == "aws_iam_policy" || r.type == "aws_iam_role_policy" ||
          r.type == "aws_iam_user_policy" || r.type == "aws_iam_group_policy") {
        Value p = PolicyOf(r, "policy");
        CheckIamPolicyValue(r, &p, "policy");
      }
      if (r.type == "aws_iam_role")
        for (size_t i = 0; const Value* ip : ListOf(r.Get("inline_policy"))) {
          CheckIamPolicyValue(r, ip->Get("policy"),
                              "inline_policy." + std::to_string(i) + ".policy");
          ++i;
        }
      if (r.type == "data.aws_iam_policy_document")
        for (size_t i = 0; const Value* st : ListOf(r.Get("statement"))) {
          const std::string* eff = Str(st->Get("effect"));
          if ((!eff || *eff == "Allow") && ListHasString(st->Get("actions"), "*") &&
              ListHasString(st->Get("resources"), "*"))
            AddAt("tf/iam-wildcard-policy", r, "statement." + std::to_string(i),
                  addr + " statement " + std::to_string(i) +
                      " allows actions \"*\" on resources \"*\"");
          ++i;
        }
    }
  }

  void CheckBucket(const Res& r) {
    const std::string addr = r.type + "." + r.name;
    const std::string* acl = Str(r.Get("acl"));
    if (acl &&
        (*acl == "public-read" || *acl == "public-read-write" || *acl == "authenticated-read"))
      AddAt("tf/s3-public-acl", r, "acl", addr + " uses the canned ACL \"" + *acl + "\"");
    if (r.Get("policy")) CheckPublicPolicy(r, "policy");
    // Companion resources.
    bool pab = false, sse = false, ver = false;
    for (const Res* c : OfType("aws_s3_bucket_public_access_block"))
      if (RefersTo(*c, r)) pab = true;
    for (const Res* c : OfType("aws_s3_bucket_server_side_encryption_configuration"))
      if (RefersTo(*c, r)) sse = true;
    for (const Res* c : OfType("aws_s3_bucket_versioning"))
      if (RefersTo(*c, r)) {
        bool on = true;
        for (const Value* vc : ListOf(c->Get("versioning_configuration"))) {
          const std::string* st = Str(vc->Get("status"));
          if (st && *st != "Enabled") on = false;
        }
        if (on) ver = true;
      }
    // Inline (provider v3 style) and plan forms.
    if (!ListOf(r.Get("server_side_encryption_configuration")).empty()) sse = true;
    for (const Value* v : ListOf(r.Get("versioning")))
      if (IsTrue(v->Get("enabled"))) ver = true;
    if (!pab)
      AddAt("tf/s3-no-public-access-block", r, "",
            addr + " has no aws_s3_bucket_public_access_block");
    if (!sse)
      AddAt("tf/s3-no-encryption", r, "", addr + " has no server-side encryption configuration");
    if (!ver) AddAt("tf/s3-no-versioning", r, "", addr + " has no versioning enabled");
  }

  Value PolicyValue(const Value* v) {
    if (!v || !v->known()) return Value::Unknown();
    if (v->IsString()) return hcl::JsonDecode(v->AsString());
    if (v->IsObject()) return *v;
    return Value::Unknown();
  }

  // The policy document of attribute `key`, also when it is only partly
  // known: jsonencode({...}) yields the object with unknown members, and a
  // heredoc/quoted JSON template has each unknown interpolation replaced by
  // a placeholder string (never "*", so no check can fire on it).
  Value PolicyOf(const Res& r, const std::string& key) {
    Value v = PolicyValue(r.Get(key));
    if (v.known() || !r.mod) return v;
    const Expr* e = Unwrap(r.ExprOf(key));
    if (!e) return v;
    if (e->kind == ExprKind::kCall && e->name == "jsonencode" && e->kids.size() == 1)
      return hcl::Evaluate(e->kids[0], r.mod->ctx);
    if (e->kind == ExprKind::kTemplate) {
      std::string text;
      for (const Expr* k : e->kids) {
        Value part = hcl::Evaluate(k, r.mod->ctx);
        Value ps = part.ToStringValue();
        text += ps.IsString() ? ps.AsString() : std::string("(unknown)");
      }
      return hcl::JsonDecode(text);
    }
    return v;
  }

  void CheckPublicPolicy(const Res& r, const std::string& key) {
    Value p = PolicyOf(r, key);
    if (!p.IsObject()) return;
    for (const Value* st : ListOf(p.Get("Statement"))) {
      const std::string* eff = Str(st->Get("Effect"));
      if (!eff || *eff != "Allow" || st->Get("Condition")) continue;
      const Value* pr = st->Get("Principal");
      bool star = pr && ((pr->IsString() && pr->AsString() == "*") ||
                         (pr->IsObject() && ListHasString(pr->Get("AWS"), "*")));
      if (star) {
        AddAt("tf/s3-public-policy", r, key,
              r.type + "." + r.name + " policy allows Principal \"*\" without a Condition");
        return;
      }
    }
  }

  void CheckIamPolicyValue(const Res& r, const Value* v, const std::string& key) {
    Value p = PolicyValue(v);
    if (!p.IsObject()) return;
    for (const Value* st : ListOf(p.Get("Statement"))) {
      const std::string* eff = Str(st->Get("Effect"));
      if (!eff || *eff != "Allow") continue;
      const Value* act = st->Get("Action");
      if ((ListHasString(act, "*") || ListHasString(act, "*:*")) &&
          ListHasString(st->Get("Resource"), "*")) {
        AddAt("tf/iam-wildcard-policy", r, key,
              r.type + "." + r.name + " allows Action \"*\" on Resource \"*\"");
        return;
      }
    }
  }

  void CheckIngress(const Res& r, const Value& rule, const std::string& pre, const char* v4,
                    const char* v6, const char* proto_key) {
    auto key = [&](const char* k) { return pre.empty() ? std::string(k) : pre + "." + k; };
    std::string open_key;
    if (ListHasString(rule.Get(v4), "0.0.0.0/0"))
      open_key = key(v4);
    else if (ListHasString(rule.Get(v6), "::/0"))
      open_key = key(v6);
    if (open_key.empty()) return;
    const Value* proto = rule.Get(proto_key);
    Value ps = proto ? proto->ToStringValue() : Value::Unknown();
    if (proto && !ps.known()) return;
    std::string p = ps.IsString() ? ps.AsString() : "";
    const std::string who = open_key.find("6") != std::string::npos ? "::/0" : "0.0.0.0/0";
    const std::string addr = r.type + "." + r.name;
    if (p == "-1" || p == "all") {
      AddAt("tf/sg-open-ingress", r, open_key,
            addr + " allows all traffic (protocol -1) from " + who, Severity::kCritical);
      return;
    }
    Value from = rule.Get("from_port") ? rule.Get("from_port")->ToNumberValue() : Value::Unknown();
    Value to = rule.Get("to_port") ? rule.Get("to_port")->ToNumberValue() : Value::Unknown();
    if (!from.IsNumber() || !to.IsNumber()) return;
    double lo = from.AsNumber(), hi = to.AsNumber();
    if (lo <= 0 && hi >= 65535) {
      AddAt("tf/sg-open-ingress", r, open_key, addr + " allows all ports from " + who,
            Severity::kCritical);
      return;
    }
    static const std::vector<std::pair<int, const char*>> kPorts = {{22, "SSH"},
                                                                    {3389, "RDP"},
                                                                    {3306, "MySQL"},
                                                                    {5432, "PostgreSQL"},
                                                                    {1433, "SQL Server"},
                                                                    {1521, "Oracle"},
                                                                    {27017, "MongoDB"},
                                                                    {6379, "Redis"},
                                                                    {9200, "Elasticsearch"},
                                                                    {9300, "Elasticsearch"},
                                                                    {5439, "Redshift"},
                                                                    {11211, "Memcached"},
                                                                    {5984, "CouchDB"},
                                                                    {9042, "Cassandra"},
                                                                    {2379, "etcd"},
                                                                    {23, "Telnet"}};
    for (const auto& [port, name] : kPorts)
      if (lo <= port && port <= hi) {
        AddAt("tf/sg-open-ingress", r, open_key,
              addr + " allows " + name + " (" + std::to_string(port) + ") from " + who);
        return;
      }
  }

  void CheckRds(const Res& r) {
    const std::string addr = r.type + "." + r.name;
    bool cluster = r.type == "aws_rds_cluster";
    const Value* enc = r.Get("storage_encrypted");
    // Aurora Serverless v1 clusters are always encrypted.
    const std::string* mode = Str(r.Get("engine_mode"));
    if (!(cluster && mode && *mode == "serverless") && !r.Get("replicate_source_db")) {
      if (!enc)
        AddAt("tf/rds-storage-not-encrypted", r, "",
              addr + " does not set storage_encrypted = true");
      else if (IsFalse(enc))
        AddAt("tf/rds-storage-not-encrypted", r, "storage_encrypted",
              addr + " sets storage_encrypted = false");
    }
    const Value* dp = r.Get("deletion_protection");
    if (!dp)
      AddAt("tf/rds-no-deletion-protection", r, "",
            addr + " does not set deletion_protection = true");
    else if (IsFalse(dp))
      AddAt("tf/rds-no-deletion-protection", r, "deletion_protection",
            addr + " sets deletion_protection = false");
    const Value* br = r.Get("backup_retention_period");
    if (!br) {
      AddAt("tf/rds-backup-retention", r, "",
            addr + " does not set backup_retention_period (AWS default: 1 day)");
    } else {
      Value n = br->ToNumberValue();
      if (n.IsNumber() && n.AsNumber() < 7)
        AddAt("tf/rds-backup-retention", r, "backup_retention_period",
              addr + " keeps backups for " + std::to_string(static_cast<int>(n.AsNumber())) +
                  " day(s), fewer than 7");
    }
    if (IsTrue(r.Get("publicly_accessible")))
      AddAt("tf/rds-publicly-accessible", r, "publicly_accessible",
            addr + " sets publicly_accessible = true");
    // Password sourcing (configuration only: plans hold no expressions).
    if (IsTrue(r.Get("manage_master_user_password")) || !r.mod) return;
    for (const char* k : {"password", "master_password"}) {
      const Expr* e = r.ExprOf(k);
      if (!e) continue;
      Origin o = Trace(r.mod, e, 0);
      if (o.kind != Origin::kVariable) continue;
      AddAt("tf/db-password-from-variable", r, k,
            addr + " " + k + " ← " + o.chain +
                ": read it from aws_secretsmanager_secret_version / aws_ssm_parameter or set "
                "manage_master_user_password = true",
            o.literal_default ? std::optional<Severity>(Severity::kHigh) : std::nullopt);
    }
  }

  // ---- secrets through the engine ----
  void CheckSecrets() {
    const SecretScanner* sc = o_.secret_scanner;
    std::unique_ptr<SecretScanner> owned;
    if (!sc) {
      auto r = SecretScanner::Create(".", {});
      if (!r.ok()) {
        diags_->push_back(Diagnostic{DiagnosticKind::kRule, "", 0, 0,
                                     "secret engine unavailable: " + r.error().message});
        return;
      }
      owned = std::move(r.value());
      sc = owned.get();
    }
    std::set<std::pair<std::string, int>> have;
    for (const Finding& f : *findings_)
      if (f.rule_id.starts_with("tf/secret") || f.rule_id == "tf/provider-credentials")
        have.insert({f.location.path, f.location.line});
    for (const auto& tf : files_) {
      const std::string& content = tf->src->content;
      std::vector<int> lines;
      int n = 1;
      for (char c : content) n += c == '\n';
      for (int i = 1; i <= n; ++i) lines.push_back(i);
      for (Finding& h : SecretHitsOnLines(sc, tf->src->path, content, lines)) {
        if (h.rule_id.starts_with("tf-")) continue;  // the old line scanner's rules: ours supersede
        if (Disabled("tf/secret-in-code")) continue;
        // The engine names the credential precisely: it replaces our generic
        // literal finding on the same line.
        std::pair<std::string, int> key{h.location.path, h.location.line};
        if (have.count(key))
          findings_->erase(std::remove_if(findings_->begin(), findings_->end(),
                                          [&](const Finding& f) {
                                            return f.location.path == key.first &&
                                                   f.location.line == key.second &&
                                                   (f.rule_id == "tf/secret-literal-argument" ||
                                                    f.rule_id == "tf/secret-variable-default");
                                          }),
                           findings_->end());
        h.properties["secret_rule"] = h.rule_id;
        h.message = "Secret in Terraform file (" + h.rule_id + "): " + h.message;
        h.rule_id = "tf/secret-in-code";
        h.area = Area::kIac;
        if (const RuleInfo* info = FindRule("tf/secret-in-code")) {
          h.title = info->title;
          if (h.remediation.empty()) h.remediation = info->remediation;
        }
        findings_->push_back(std::move(h));
      }
    }
  }

  const IacOptions& o_;
  std::vector<Finding>* findings_;
  std::vector<Diagnostic>* diags_;
  IacInventory* inv_;
  std::vector<std::unique_ptr<TfFile>> files_;
  std::vector<std::unique_ptr<hcl::File>> plan_files_;
  std::map<std::string, std::unique_ptr<Module>> modules_;
  std::vector<std::unique_ptr<Res>> res_;
};

}  // namespace

bool IsTerraformPath(std::string_view path) {
  return path.ends_with(".tf") || path.ends_with(".tf.json") || path.ends_with(".tfvars") ||
         path.ends_with(".tfvars.json");
}

bool LooksLikeTerraformPlan(std::string_view path, std::string_view content) {
  if (!path.ends_with(".json")) return false;
  std::string_view head = content.substr(0, 4096);
  return head.find("\"format_version\"") != std::string_view::npos &&
         (content.find("\"planned_values\"") != std::string_view::npos ||
          content.find("\"resource_changes\"") != std::string_view::npos) &&
         content.find("\"terraform_version\"") != std::string_view::npos;
}

void AnalyzeTerraform(const std::vector<const IacFile*>& files, const IacOptions& options,
                      std::vector<Finding>* findings, std::vector<Diagnostic>* diagnostics,
                      IacInventory* inventory) {
  Analyzer a(options, findings, diagnostics, inventory);
  a.Run(files);
  std::sort(inventory->artifacts.begin(), inventory->artifacts.end());
  inventory->artifacts.erase(std::unique(inventory->artifacts.begin(), inventory->artifacts.end()),
                             inventory->artifacts.end());
}

const std::vector<RuleInfo>& TerraformRuleInfos() {
  static const std::vector<RuleInfo> kRules = MakeRules();
  return kRules;
}

}  // namespace gatehouse::iac
