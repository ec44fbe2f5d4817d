// File-level secret checks that are not regex rules: files that must never
// be committed, and Terraform variables/arguments that hold secrets.
#include <re2/re2.h>

#include <array>

#include "gatehouse/base.h"
#include "gatehouse/secrets_scan.h"

namespace gatehouse {

namespace {

RuleInfo MakeRule(std::string id, std::string title, std::string desc, std::string fix,
                  Severity sev, std::string uri = {}) {
  RuleInfo r;
  r.id = std::move(id);
  r.title = std::move(title);
  r.description = std::move(desc);
  r.remediation = std::move(fix);
  r.severity = sev;
  r.area = Area::kSecurity;
  r.help_uri = std::move(uri);
  r.tags = {"secrets"};
  return r;
}

const std::array<RuleInfo, 8>& Rules() {
  static const std::array<RuleInfo, 8> rules = {
      MakeRule("never-commit-env-file", "Environment file committed",
               "A .env file holds the environment of a real deployment or developer machine "
               "and usually contains credentials. Commit .env.example with placeholder values "
               "instead.",
               "Remove the file from the repository (git rm --cached), add `.env` and `.env.*` "
               "(with `!.env.example`) to .gitignore, rotate every credential it contained, "
               "and purge it from history.",
               Severity::kHigh),
      MakeRule("never-commit-private-key-file", "Private key file committed",
               "Files such as *.key, *.pem with a private key, *.ppk and id_rsa are private "
               "keys; anyone with read access to the repository can use them.",
               "Remove the file, revoke and reissue the key pair, store keys in a secret "
               "manager, and add the pattern to .gitignore.",
               Severity::kCritical),
      MakeRule("never-commit-keystore", "Key store committed",
               "PKCS#12 (.p12/.pfx), Java key stores (.jks/.keystore) and KeePass databases "
               "(.kdbx) bundle private keys or passwords, protected at best by a weak "
               "password.",
               "Remove the file, rotate what it contains, and load key stores from a secret "
               "manager at deploy time.",
               Severity::kHigh),
      MakeRule("never-commit-credential-store", "Credential store committed",
               ".git-credentials, .netrc, .pgpass, .htpasswd and similar files store "
               "passwords or tokens for other systems in plain text.",
               "Remove the file, change the stored passwords and tokens, and use a credential "
               "helper or secret manager.",
               Severity::kHigh),
      MakeRule("never-commit-terraform-state", "Terraform state committed",
               "terraform.tfstate contains every resource attribute in plain text, including "
               "generated passwords and keys.",
               "Remove the state from the repository, rotate the secrets it held, and use a "
               "remote backend with encryption and locking (e.g. S3 + DynamoDB or "
               "use_lockfile).",
               Severity::kHigh,
               "https://developer.hashicorp.com/terraform/language/state/sensitive-data"),
      MakeRule("tf-secret-variable-default", "Terraform secret variable with a literal default",
               "A Terraform variable whose name says password/secret/token/key has a literal "
               "default value committed to the repository.",
               "Drop the default and read the value from AWS SSM Parameter Store or Secrets "
               "Manager (data \"aws_ssm_parameter\" / data "
               "\"aws_secretsmanager_secret_version\"), or pass it at apply time; mark the "
               "variable `sensitive = true`.",
               Severity::kHigh,
               "https://developer.hashicorp.com/terraform/tutorials/configuration-language/"
               "sensitive-variables"),
      MakeRule("tf-secret-variable-not-sensitive", "Terraform secret variable not marked sensitive",
               "A variable whose name says password/secret/token/key lacks `sensitive = true`, "
               "so its value appears in plan output and logs.",
               "Add `sensitive = true` to the variable block.", Severity::kMedium,
               "https://developer.hashicorp.com/terraform/language/values/"
               "variables#suppressing-values-in-cli-output"),
      MakeRule("tf-secret-literal-argument", "Literal secret in Terraform argument",
               "A password-like argument (e.g. master_password) is set to a literal string in "
               "Terraform code or a committed .tfvars file.",
               "Read the value from a data \"aws_secretsmanager_secret_version\" or "
               "\"aws_ssm_parameter\" source (or use manage_master_user_password for RDS), "
               "and rotate the exposed value.",
               Severity::kHigh),
  };
  return rules;
}

const RuleInfo* RuleById(std::string_view id) {
  for (const auto& r : Rules())
    if (r.id == id) return &r;
  return nullptr;
}

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::vector<RuleInfo> FileRuleInfos() { return {Rules().begin(), Rules().end()}; }

const RuleInfo* NeverCommitRule(std::string_view path, std::string_view content) {
  std::string base = AsciiLower(Basename(path));
  // .env and .env.* — but templates meant to be committed are fine.
  if (base == ".env" || base.starts_with(".env.")) {
    static constexpr std::string_view kTemplates[] = {".example",  ".sample", ".template", ".dist",
                                                      ".defaults", ".tmpl",   ".tpl"};
    for (auto t : kTemplates)
      if (EndsWith(base, t)) return nullptr;
    if (base == ".env.vault") return nullptr;  // dotenv-vault: encrypted by design
    return RuleById("never-commit-env-file");
  }
  if (base == "id_rsa" || base == "id_dsa" || base == "id_ecdsa" || base == "id_ed25519" ||
      base == "id_ecdsa_sk" || base == "id_ed25519_sk" || EndsWith(base, ".ppk") ||
      EndsWith(base, ".key"))
    return RuleById("never-commit-private-key-file");
  if (EndsWith(base, ".pem")) {
    // Certificates and public keys are meant to be shared; only key material
    // makes a .pem secret.
    if (content.find("PRIVATE KEY") != std::string_view::npos)
      return RuleById("never-commit-private-key-file");
    return nullptr;
  }
  if (EndsWith(base, ".p12") || EndsWith(base, ".pfx") || EndsWith(base, ".jks") ||
      EndsWith(base, ".keystore") || EndsWith(base, ".kdbx"))
    return RuleById("never-commit-keystore");
  if (base == ".git-credentials" || base == ".netrc" || base == "_netrc" || base == ".pgpass" ||
      base == ".htpasswd" || base == ".s3cfg" || base == ".my.cnf")
    return RuleById("never-commit-credential-store");
  if (base == "terraform.tfstate" || base == "terraform.tfstate.backup" ||
      EndsWith(base, ".tfstate"))
    return RuleById("never-commit-terraform-state");
  return nullptr;
}

// ---- Terraform --------------------------------------------------------------

namespace {

bool SecretLikeName(std::string_view name) {
  static const RE2 re(
      "(?i)(password|passwd|passphrase|secret|token|api_?key|access_?key|private_?key|"
      "credential|auth_?key|client_?secret|master_?key)");
  static const RE2 not_secret(
      "(?i)(_(arn|id|name|path|length|version|rotation|enabled|type|file|policy|count|ttl|"
      "min|max|prefix|suffix|kms_key|key_id)$|^(kms|ssh)_?key_?(id|arn|name)$)");
  re2::StringPiece s(name.data(), name.size());
  return RE2::PartialMatch(s, re) && !RE2::PartialMatch(s, not_secret);
}

bool LiteralIsPlaceholder(std::string_view v) {
  if (v.empty()) return true;
  if (v.find("${") != std::string_view::npos) return true;                    // interpolation
  if (v.size() > 4 && v.starts_with("__") && v.ends_with("__")) return true;  // __TOKEN__ markers
  std::string low = AsciiLower(v);
  static constexpr std::string_view kWords[] = {
      "changeme", "change-me", "replace", "todo", "example", "placeholder", "xxx", "<", "dummy"};
  for (auto w : kWords)
    if (low.find(w) != std::string::npos) return true;
  return false;
}

// Strips a trailing `#` or `//` comment outside strings.
std::string_view StripComment(std::string_view line) {
  bool in_str = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (in_str) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_str = false;
    } else if (c == '"') {
      in_str = true;
    } else if (c == '#' || (c == '/' && i + 1 < line.size() && line[i + 1] == '/')) {
      return line.substr(0, i);
    }
  }
  return line;
}

}  // namespace

std::vector<TerraformHit> CheckTerraform(std::string_view path, std::string_view content) {
  std::vector<TerraformHit> hits;
  const bool tfvars = EndsWith(path, ".tfvars") || EndsWith(path, ".auto.tfvars");
  static const RE2 var_open("^\\s*variable\\s+\"([^\"]+)\"\\s*\\{");
  static const RE2 assign("^\\s*([A-Za-z_][A-Za-z0-9_-]*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  static const RE2 sensitive_true("^\\s*sensitive\\s*=\\s*true\\b");

  struct OpenVar {
    std::string name;
    int line = 0;
    int column = 0;
    bool sensitive = false;
    bool has_default_literal = false;
    int depth = 0;
  };
  std::optional<OpenVar> var;
  int depth = 0;
  bool in_block_comment = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= content.size()) {
    size_t eol = content.find('\n', pos);
    std::string_view raw =
        content.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    ++line_no;
    pos = eol == std::string_view::npos ? content.size() + 1 : eol + 1;
    if (in_block_comment) {
      size_t end = raw.find("*/");
      if (end == std::string_view::npos) continue;
      raw = raw.substr(end + 2);
      in_block_comment = false;
    }
    if (size_t bc = raw.find("/*");
        bc != std::string_view::npos && raw.find("*/", bc) == std::string_view::npos) {
      in_block_comment = true;
      raw = raw.substr(0, bc);
    }
    std::string_view line = StripComment(raw);
    re2::StringPiece sp(line.data(), line.size());
    std::string name, value;
    if (!tfvars && !var && RE2::PartialMatch(sp, var_open, &name)) {
      if (SecretLikeName(name)) {
        var =
            OpenVar{name, line_no, static_cast<int>(raw.find("variable")) + 1, false, false, depth};
      }
    } else if (var && RE2::PartialMatch(sp, sensitive_true)) {
      var->sensitive = true;
    } else if (RE2::PartialMatch(sp, assign, &name, &value)) {
      bool is_default = var && name == "default";
      if ((is_default || (SecretLikeName(name) && !var)) && !LiteralIsPlaceholder(value)) {
        TerraformHit h;
        h.rule_id = is_default ? "tf-secret-variable-default" : "tf-secret-literal-argument";
        h.line = line_no;
        size_t q = raw.find('"', raw.find('='));
        h.column = static_cast<int>(q + 2);
        h.end_column = h.column + static_cast<int>(value.size());
        h.name = is_default ? var->name : name;
        h.secret = value;
        h.message = is_default ? "variable \"" + var->name + "\" has a literal default"
                               : "argument " + name + " is set to a literal value";
        hits.push_back(std::move(h));
        if (is_default) var->has_default_literal = true;
      }
    }
    for (char c : line) {
      if (c == '{')
        ++depth;
      else if (c == '}') {
        --depth;
        if (var && depth == var->depth) {
          if (!var->sensitive) {
            TerraformHit h;
            h.rule_id = "tf-secret-variable-not-sensitive";
            h.line = var->line;
            h.column = var->column;
            h.end_column = var->column + 8;
            h.name = var->name;
            h.message = "variable \"" + var->name + "\" is not marked sensitive";
            hits.push_back(std::move(h));
          }
          var.reset();
        }
      }
    }
  }
  return hits;
}

}  // namespace gatehouse
