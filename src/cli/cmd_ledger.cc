// `gatehouse ledger ...`: the tamper-evident audit ledger.
//
// Every subcommand is a short sequence of steps: read flags → open the
// ledger (--db PATH|URL, or $GATEHOUSE_LEDGER_DB) → one library call →
// render text or JSON (--format json) → exit code: 0 ok, 1 verification
// failed, 2 usage/input/database error. docs/ledger.md lists every flag.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "gatehouse/base.h"
#include "gatehouse/fs.h"
#include "gatehouse/ledger.h"

namespace gatehouse::cli {

namespace {

using ledger::Ledger;
using nlohmann::json;

struct Common {
  std::string db;
  std::string format = "text";
  bool create = false;
  bool json() const { return format == "json"; }
};

int Fail(const Error& e) {
  std::fprintf(stderr, "gatehouse: error: %s\n", e.ToString().c_str());
  return kExitUsage;
}

int FailMsg(const std::string& msg) {
  std::fprintf(stderr, "gatehouse: error: %s\n", msg.c_str());
  return kExitUsage;
}

void Print(const json& j) { std::cout << j.dump() << "\n" << std::flush; }

void AddCommon(CLI::App* cmd, Common* c, bool can_create) {
  cmd->add_option("--db", c->db,
                  "Ledger database: a SQLite file path or a postgresql:// URL "
                  "(default: $GATEHOUSE_LEDGER_DB)");
  cmd->add_option("--format", c->format, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  if (can_create)
    cmd->add_flag("--create", c->create, "Create the ledger (file or tables) if it does not exist");
}

Result<std::unique_ptr<Ledger>> OpenLedger(const Common& c) {
  std::string db = c.db;
  if (db.empty()) {
    const char* env = std::getenv("GATEHOUSE_LEDGER_DB");
    if (env) db = env;
  }
  ledger::LedgerOptions opt;
  opt.create = c.create;
  return Ledger::Open(db, opt);
}

// A key argument is a file holding the key, or the key itself.
Result<std::string> ReadKeyText(const std::string& arg) {
  struct stat st {};
  if (::stat(arg.c_str(), &st) == 0) {
    auto text = ReadFileToString(arg);
    if (!text.ok()) return text.error();
    return *text;
  }
  return arg;
}

Result<ledger::SignerKey> LoadSigner(const std::string& arg) {
  if (arg.empty())
    return MakeError(ErrorCode::kInvalidArgument, "missing --key (a private key file)");
  struct stat st {};
  if (::stat(arg.c_str(), &st) != 0)
    return MakeError(ErrorCode::kNotFound, "private key file not found", arg);
  auto text = ReadFileToString(arg);
  if (!text.ok()) return text.error();
  auto key = ledger::SignerKey::Parse(*text);
  if (!key.ok()) {
    Error e = key.error();
    e.path = arg;
    return e;
  }
  return key;
}

Result<ledger::VerifierKey> LoadVerifier(const std::string& arg) {
  auto text = ReadKeyText(arg);
  if (!text.ok()) return text.error();
  auto key = ledger::ParseVerifierKey(*text);
  if (!key.ok()) {
    Error e = key.error();
    if (e.path.empty()) e.path = arg.size() < 200 ? arg : "key";
    return e;
  }
  return key;
}

Result<std::vector<ledger::SignerKey>> LoadSigners(const std::vector<std::string>& args) {
  std::vector<ledger::SignerKey> keys;
  for (const auto& a : args) {
    auto k = LoadSigner(a);
    if (!k.ok()) return k.error();
    keys.push_back(std::move(*k));
  }
  return keys;
}

std::string DefaultActor() {
  for (const char* var : {"GATEHOUSE_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "USER"}) {
    const char* v = std::getenv(var);
    if (v && *v) return v;
  }
  return "";
}

Result<std::string> ReadInput(const std::string& path) {
  if (path.empty() || path == "-")
    return std::string((std::istreambuf_iterator<char>(std::cin)),
                       std::istreambuf_iterator<char>());
  return ReadFileToString(path);
}

json OutcomesJson(const ledger::AppendResult& r) {
  json out = json::object();
  json pending = json::array();
  std::optional<uint64_t> first, last;
  size_t appended = 0;
  for (const auto& item : r.items) {
    if (item.appended) {
      if (!first) first = item.index;
      last = item.index;
      ++appended;
    } else {
      pending.push_back(json{{"id", item.pending_id},
                             {"kind", item.kind},
                             {"approvals", item.approvals},
                             {"needed", item.needed}});
    }
  }
  out["appended"] = appended;
  out["first_index"] = first ? json(*first) : json(nullptr);
  out["last_index"] = last ? json(*last) : json(nullptr);
  if (r.items.size() == 1 && r.items[0].appended) {
    out["index"] = r.items[0].index;
    out["leaf_hash"] = ledger::HashHex(r.items[0].leaf_hash);
  }
  out["pending"] = pending;
  out["size"] = r.head.size;
  out["root"] = ledger::HashHex(r.head.root);
  return out;
}

void PrintOutcomesText(const ledger::AppendResult& r) {
  size_t appended = 0;
  std::optional<uint64_t> first, last;
  for (const auto& item : r.items) {
    if (!item.appended) {
      std::printf(
          "pending %s (%s): %d of %d approvals; approve with `gatehouse ledger approve --id %s "
          "--key KEY`\n",
          item.pending_id.substr(0, 16).c_str(), item.kind.c_str(), item.approvals, item.needed,
          item.pending_id.substr(0, 16).c_str());
      continue;
    }
    if (!first) first = item.index;
    last = item.index;
    ++appended;
  }
  if (appended == 1)
    std::printf("appended entry %llu\n", static_cast<unsigned long long>(*first));
  else if (appended > 1)
    std::printf("appended %zu entries (%llu..%llu)\n", appended,
                static_cast<unsigned long long>(*first), static_cast<unsigned long long>(*last));
  std::printf("tree size %llu, root %s\n", static_cast<unsigned long long>(r.head.size),
              ledger::HashHex(r.head.root).c_str());
  std::fflush(stdout);
}

std::vector<std::string> HexList(const std::vector<ledger::Hash>& v) {
  std::vector<std::string> out;
  for (const auto& h : v) out.push_back(ledger::HashHex(h));
  return out;
}

// ---- append -------------------------------------------------------------------

struct AppendArgs {
  Common c;
  ledger::EntryInput e;
  std::vector<std::string> approve_keys;
  size_t batch_size = 0;
  std::string input;
};

int RunAppend(AppendArgs& a) {
  auto keys = LoadSigners(a.approve_keys);
  if (!keys.ok()) return Fail(keys.error());
  const bool from_flags = !a.e.kind.empty();
  if (from_flags && !a.input.empty())
    return FailMsg(
        "give an entry either with --kind and friends or as JSON Lines (--input), not both");
  if (!from_flags && a.input.empty() && ::isatty(STDIN_FILENO))
    return FailMsg("no entry given: pass --kind/--actor/... or pipe JSON Lines to stdin");
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  if (from_flags) {
    if (a.e.actor.empty()) a.e.actor = DefaultActor();
    if (a.e.actor.empty()) return FailMsg("missing --actor (or set GATEHOUSE_ACTOR)");
    auto r = (*led)->Append({a.e}, *keys);
    if (!r.ok()) return Fail(r.error());
    if (a.c.json())
      Print(OutcomesJson(*r));
    else
      PrintOutcomesText(*r);
    return kExitOk;
  }
  // JSON Lines from stdin or --input, committed per batch.
  std::ifstream file;
  std::istream* in = &std::cin;
  const std::string source = a.input.empty() || a.input == "-" ? "stdin" : a.input;
  if (source != "stdin") {
    file.open(a.input, std::ios::binary);
    if (!file) return Fail(MakeError(ErrorCode::kNotFound, "cannot open input", a.input));
    in = &file;
  }
  std::vector<ledger::EntryInput> batch;
  std::vector<int> lines;  // source line of each batch entry
  uint64_t committed_batches = 0, committed_entries = 0;
  auto flush = [&]() -> int {
    if (batch.empty()) return kExitOk;
    auto r = (*led)->Append(std::move(batch), *keys);
    batch.clear();
    if (!r.ok()) {
      Error e = r.error();
      if (e.line > 0 && static_cast<size_t>(e.line) <= lines.size()) {
        e.line = lines[static_cast<size_t>(e.line - 1)];
        e.path = source;
        // The message may start with "entry N: " (its batch position).
        if (auto p = e.message.find(": ");
            e.message.starts_with("entry ") && p != std::string::npos)
          e.message = e.message.substr(p + 2);
      }
      std::fprintf(stderr, "gatehouse: error: %s\n", e.ToString().c_str());
      std::fprintf(stderr, "gatehouse: nothing from this batch was written");
      if (committed_batches)
        std::fprintf(stderr, " (%llu earlier batches with %llu entries were committed)",
                     static_cast<unsigned long long>(committed_batches),
                     static_cast<unsigned long long>(committed_entries));
      std::fprintf(stderr, "\n");
      return kExitUsage;
    }
    lines.clear();
    ++committed_batches;
    committed_entries += r->items.size();
    if (a.c.json())
      Print(OutcomesJson(*r));
    else
      PrintOutcomesText(*r);
    return kExitOk;
  };
  std::string line;
  int line_no = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    auto parsed = ledger::ParseEntryLines(line, source);
    if (!parsed.ok()) {
      Error e = parsed.error();
      e.line = line_no;
      std::fprintf(stderr, "gatehouse: error: %s\n", e.ToString().c_str());
      std::fprintf(stderr, "gatehouse: nothing from this batch was written");
      if (committed_batches)
        std::fprintf(stderr, " (%llu earlier batches with %llu entries were committed)",
                     static_cast<unsigned long long>(committed_batches),
                     static_cast<unsigned long long>(committed_entries));
      std::fprintf(stderr, "\n");
      return kExitUsage;
    }
    for (auto& e : *parsed) {
      batch.push_back(std::move(e));
      lines.push_back(line_no);
    }
    if (a.batch_size > 0 && batch.size() >= a.batch_size) {
      int rc = flush();
      if (rc != kExitOk) return rc;
    }
  }
  if (batch.empty() && committed_batches == 0)
    return FailMsg("no entries given: pass --kind/--actor/... or JSON Lines on stdin");
  return flush();
}

// ---- read commands ------------------------------------------------------------

struct ReadArgs {
  Common c;
  std::optional<uint64_t> index, size, from, to;
  std::vector<std::string> keys;
};

int RunRoot(ReadArgs& a) {
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  auto head = (*led)->Head();
  if (!head.ok()) return Fail(head.error());
  uint64_t size = a.size.value_or(head->size);
  auto root = (*led)->RootAt(size);
  if (!root.ok()) return Fail(root.error());
  if (a.c.json())
    Print(json{{"size", size}, {"root", ledger::HashHex(*root)}});
  else
    std::printf("size %llu\nroot %s\n", static_cast<unsigned long long>(size),
                ledger::HashHex(*root).c_str());
  return kExitOk;
}

int RunProve(ReadArgs& a) {
  if (!a.index) return FailMsg("missing --index");
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  auto p = (*led)->Prove(*a.index, a.size);
  if (!p.ok()) return Fail(p.error());
  if (a.c.json()) {
    Print(json{{"leaf_index", p->index},
               {"tree_size", p->size},
               {"leaf_hash", ledger::HashHex(p->leaf_hash)},
               {"audit_path", HexList(p->path)},
               {"root", ledger::HashHex(p->root)}});
  } else {
    std::printf("leaf_index %llu\ntree_size %llu\nleaf_hash %s\nroot %s\naudit_path\n",
                static_cast<unsigned long long>(p->index), static_cast<unsigned long long>(p->size),
                ledger::HashHex(p->leaf_hash).c_str(), ledger::HashHex(p->root).c_str());
    for (const auto& h : p->path) std::printf("  %s\n", ledger::HashHex(h).c_str());
  }
  return kExitOk;
}

int RunConsistency(ReadArgs& a) {
  if (!a.from) return FailMsg("missing --from");
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  auto p = (*led)->Consistency(*a.from, a.to);
  if (!p.ok()) return Fail(p.error());
  if (a.c.json()) {
    Print(json{{"first", p->first},
               {"second", p->second},
               {"first_root", ledger::HashHex(p->first_root)},
               {"second_root", ledger::HashHex(p->second_root)},
               {"proof", HexList(p->path)}});
  } else {
    std::printf("first %llu %s\nsecond %llu %s\nproof\n", static_cast<unsigned long long>(p->first),
                ledger::HashHex(p->first_root).c_str(), static_cast<unsigned long long>(p->second),
                ledger::HashHex(p->second_root).c_str());
    for (const auto& h : p->path) std::printf("  %s\n", ledger::HashHex(h).c_str());
  }
  return kExitOk;
}

int RunExport(ReadArgs& a) {
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  std::string out;
  Status st = (*led)->Export(a.from.value_or(0), a.to, [&](const ledger::ExportedEntry& e) {
    // Hand-assembled so the payload keeps its exact canonical bytes.
    out.clear();
    out += "{\"index\":" + std::to_string(e.index);
    out += ",\"leaf\":\"" + ledger::Base64Encode(e.leaf) + "\"";
    out += ",\"leaf_hash\":\"" + ledger::HashHex(e.leaf_hash) + "\"";
    out += ",\"payload\":" + (e.payload ? *e.payload : std::string("null"));
    out += ",\"redacted\":" + std::string(e.redacted ? "true" : "false");
    out += ",\"salt\":" + (e.payload ? "\"" + ledger::Base64Encode(e.salt) + "\"" : "null");
    out += "}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (std::ferror(stdout)) return Status(MakeError(ErrorCode::kIo, "cannot write to stdout"));
    return Status::Ok();
  });
  std::fflush(stdout);
  if (!st.ok()) return Fail(st.error());
  return kExitOk;
}

int RunVerify(ReadArgs& a) {
  ledger::VerifyOptions opt;
  for (const auto& k : a.keys) {
    auto key = LoadVerifier(k);
    if (!key.ok()) return Fail(key.error());
    opt.log_keys.push_back(std::move(*key));
  }
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  const double t0 = MonotonicSeconds();
  auto rep = (*led)->Verify(opt);
  if (!rep.ok()) return Fail(rep.error());
  const double secs = MonotonicSeconds() - t0;
  if (a.c.json()) {
    json problems = json::array();
    for (const auto& p : rep->problems)
      problems.push_back(
          json{{"index", p.index ? json(*p.index) : json(nullptr)}, {"message", p.message}});
    std::optional<uint64_t> first;
    for (const auto& p : rep->problems)
      if (p.index) {
        first = p.index;
        break;
      }
    Print(json{{"ok", rep->ok()},
               {"size", rep->head.size},
               {"root", ledger::HashHex(rep->head.root)},
               {"entries", rep->entries},
               {"redacted", rep->redacted},
               {"approvals", rep->approvals},
               {"checkpoints", rep->checkpoints},
               {"first_bad_index", first ? json(*first) : json(nullptr)},
               {"problems", problems},
               {"notes", rep->notes}});
  } else if (rep->ok()) {
    auto count = [](uint64_t n, const char* one, const char* many) {
      return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    std::printf("ledger verify: OK: %s (%llu redacted), %s, %s; root %s (%.2fs)\n",
                count(rep->entries, "entry", "entries").c_str(),
                static_cast<unsigned long long>(rep->redacted),
                count(rep->approvals, "approval", "approvals").c_str(),
                count(rep->checkpoints, "checkpoint", "checkpoints").c_str(),
                ledger::HashHex(rep->head.root).c_str(), secs);
    for (const auto& n : rep->notes) std::printf("note: %s\n", n.c_str());
  } else {
    const auto& p = rep->problems.front();
    if (p.index)
      std::printf("ledger verify: FAILED at entry %llu: %s\n",
                  static_cast<unsigned long long>(*p.index), p.message.c_str());
    else
      std::printf("ledger verify: FAILED: %s\n", p.message.c_str());
    for (size_t i = 1; i < rep->problems.size(); ++i) {
      const auto& q = rep->problems[i];
      if (q.index)
        std::printf("  entry %llu: %s\n", static_cast<unsigned long long>(*q.index),
                    q.message.c_str());
      else
        std::printf("  %s\n", q.message.c_str());
    }
  }
  return rep->ok() ? kExitOk : kExitFindings;
}

// ---- keys and checkpoints -----------------------------------------------------

struct KeyArgs {
  Common c;
  std::string name, out, key, log_key, checkpoint, origin, state, output;
  bool witness = false;
  std::vector<std::string> witnesses;
  int min_witnesses = -1;
};

Status WriteNewFile(const std::string& path, const std::string& content, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return MakeError(ErrorCode::kIo,
                     errno == EEXIST ? "file exists; refusing to overwrite a key"
                                     : std::string("cannot create: ") + std::strerror(errno),
                     path);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n <= 0) {
      ::close(fd);
      return MakeError(ErrorCode::kIo, "write failed", path);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return MakeError(ErrorCode::kIo, "write failed", path);
  return Status::Ok();
}

int RunKeygen(KeyArgs& a) {
  if (a.name.empty()) return FailMsg("missing --name (e.g. ledger.example.com/prod)");
  if (a.out.empty()) return FailMsg("missing --out PREFIX (writes PREFIX.key and PREFIX.pub)");
  auto key = ledger::SignerKey::Generate(
      a.name, a.witness ? ledger::KeyType::kCosignatureV1 : ledger::KeyType::kEd25519);
  if (!key.ok()) return Fail(key.error());
  const std::string priv = a.out + ".key", pub = a.out + ".pub";
  Status st = WriteNewFile(priv, key->ToString() + "\n", 0600);
  if (!st.ok()) return Fail(st.error());
  st = WriteNewFile(pub, key->verifier().ToString() + "\n", 0644);
  if (!st.ok()) {
    ::unlink(priv.c_str());
    return Fail(st.error());
  }
  if (a.c.json())
    Print(json{{"name", a.name},
               {"type", a.witness ? "witness" : "ed25519"},
               {"public_key", key->verifier().ToString()},
               {"private_key_file", priv},
               {"public_key_file", pub}});
  else
    std::printf("wrote %s (private, keep it secret) and %s\npublic key: %s\n", priv.c_str(),
                pub.c_str(), key->verifier().ToString().c_str());
  return kExitOk;
}

Status WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return Status::Ok();
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return MakeError(ErrorCode::kIo, "cannot write", path);
  return Status::Ok();
}

int RunCheckpoint(KeyArgs& a) {
  auto key = LoadSigner(a.key);
  if (!key.ok()) return Fail(key.error());
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  auto note = (*led)->SignCheckpoint(*key, a.origin);
  if (!note.ok()) return Fail(note.error());
  if (a.c.json()) {
    auto parsed = ledger::ParseNote(*note);
    auto body = ledger::ParseCheckpointText(parsed->text);
    Print(json{{"origin", body->origin},
               {"size", body->size},
               {"root", ledger::HashHex(body->root)},
               {"note", *note}});
    if (!a.output.empty()) {
      Status st = WriteOutput(a.output, *note);
      if (!st.ok()) return Fail(st.error());
    }
    return kExitOk;
  }
  Status st = WriteOutput(a.output, *note);
  if (!st.ok()) return Fail(st.error());
  return kExitOk;
}

int Reject(const Common& c, const std::string& reason) {
  if (c.json())
    Print(json{{"ok", false}, {"reason", reason}});
  else
    std::printf("checkpoint verification FAILED: %s\n", reason.c_str());
  return kExitFindings;
}

int RunVerifyCheckpoint(KeyArgs& a) {
  if (a.key.empty()) return FailMsg("missing --key (the log's public key)");
  auto key = LoadVerifier(a.key);
  if (!key.ok()) return Fail(key.error());
  std::vector<ledger::VerifierKey> witnesses;
  for (const auto& w : a.witnesses) {
    auto k = LoadVerifier(w);
    if (!k.ok()) return Fail(k.error());
    witnesses.push_back(std::move(*k));
  }
  auto text = ReadInput(a.checkpoint);
  if (!text.ok()) return Fail(text.error());
  auto note = ledger::ParseNote(*text);
  if (!note.ok()) return Reject(a.c, note.error().message);
  Status st = ledger::VerifyNoteSignature(*note, *key);
  if (!st.ok()) return Reject(a.c, st.error().message);
  auto cp = ledger::ParseCheckpointText(note->text);
  if (!cp.ok()) return Reject(a.c, cp.error().message);
  int cosigned = 0;
  std::vector<std::string> witness_problems;
  for (const auto& w : witnesses) {
    auto ts = ledger::VerifyCosignature(*note, w);
    if (ts.ok())
      ++cosigned;
    else
      witness_problems.push_back(ts.error().message);
  }
  const int need = a.min_witnesses >= 0 ? a.min_witnesses : static_cast<int>(witnesses.size());
  if (cosigned < need) {
    std::string why = "only " + std::to_string(cosigned) + " of the " + std::to_string(need) +
                      " required witness cosignatures verify";
    if (!witness_problems.empty()) why += " (" + witness_problems.front() + ")";
    return Reject(a.c, why);
  }
  std::string db = a.c.db;
  if (db.empty() && std::getenv("GATEHOUSE_LEDGER_DB")) db = std::getenv("GATEHOUSE_LEDGER_DB");
  if (!db.empty()) {
    auto led = OpenLedger(a.c);
    if (!led.ok()) return Fail(led.error());
    st = (*led)->MatchCheckpoint(*cp);
    if (!st.ok()) {
      if (st.error().code == ErrorCode::kInvalidArgument) return Reject(a.c, st.error().message);
      return Fail(st.error());
    }
  }
  if (a.c.json())
    Print(json{{"ok", true},
               {"origin", cp->origin},
               {"size", cp->size},
               {"root", ledger::HashHex(cp->root)},
               {"witnesses", cosigned},
               {"checked_against_ledger", !db.empty()}});
  else
    std::printf(
        "checkpoint OK: %s size %llu root %s, signed by %s%s%s\n", cp->origin.c_str(),
        static_cast<unsigned long long>(cp->size), ledger::HashHex(cp->root).c_str(),
        key->Label().c_str(),
        cosigned ? (", cosigned by " + std::to_string(cosigned) + " witnesses").c_str() : "",
        db.empty() ? "" : "; matches the ledger");
  return kExitOk;
}

int RunCosign(KeyArgs& a) {
  auto witness = LoadSigner(a.key);
  if (!witness.ok()) return Fail(witness.error());
  if (a.log_key.empty()) return FailMsg("missing --log-key (the log's public key)");
  auto log_key = LoadVerifier(a.log_key);
  if (!log_key.ok()) return Fail(log_key.error());
  auto text = ReadInput(a.checkpoint);
  if (!text.ok()) return Fail(text.error());
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  std::optional<ledger::WitnessState> state;
  if (!a.state.empty()) {
    state = ledger::WitnessState{0, ledger::EmptyRoot()};
    struct stat st {};
    if (::stat(a.state.c_str(), &st) == 0) {
      auto s = ReadFileToString(a.state);
      if (!s.ok()) return Fail(s.error());
      try {
        json j = json::parse(*s);
        auto root = ledger::HashFromHex(j.at("root").get<std::string>());
        if (!root) throw std::runtime_error("bad root");
        state = ledger::WitnessState{j.at("size").get<uint64_t>(), *root};
      } catch (const std::exception&) {
        return Fail(MakeError(ErrorCode::kParse, "witness state file is corrupt", a.state));
      }
    }
  }
  auto out = (*led)->Cosign(*text, *log_key, *witness, state ? &*state : nullptr);
  if (!out.ok()) {
    if (out.error().code == ErrorCode::kInvalidArgument) return Reject(a.c, out.error().message);
    return Fail(out.error());
  }
  if (state) {
    Status st = WriteOutput(
        a.state + ".tmp",
        json{{"size", state->size}, {"root", ledger::HashHex(state->root)}}.dump() + "\n");
    if (!st.ok()) return Fail(st.error());
    if (std::rename((a.state + ".tmp").c_str(), a.state.c_str()) != 0)
      return FailMsg("cannot update the witness state " + a.state);
  }
  Status st = WriteOutput(a.output, *out);
  if (!st.ok()) return Fail(st.error());
  return kExitOk;
}

// ---- dual control and bypasses ------------------------------------------------

struct ControlArgs {
  Common c;
  std::string id, key, subject, reason, ticket, expires, actor, payload, before, older_than;
  std::vector<std::string> approve_keys, kinds, approvers, dual_control;
  bool active = false, dry_run = false, set = false;
  int quorum = 2;
};

json RecordJson(const ledger::EntryRecord& r) {
  json j = {{"kind", r.kind}, {"actor", r.actor}, {"time", r.time}};
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.subject.empty()) j["subject"] = r.subject;
  if (!r.ticket.empty()) j["ticket"] = r.ticket;
  if (!r.expires.empty()) j["expires"] = r.expires;
  json approvers = json::array();
  for (const auto& ap : r.approvals) approvers.push_back(ap.key.Label());
  j["approved_by"] = approvers;
  return j;
}

int RunPending(ControlArgs& a) {
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  auto pending = (*led)->Pending();
  if (!pending.ok()) return Fail(pending.error());
  if (a.c.json()) {
    json arr = json::array();
    for (const auto& p : *pending) {
      json j = RecordJson(p.record);
      j["id"] = p.id;
      j["approvals"] = p.approvals;
      j["needed"] = p.needed;
      j["created"] = ledger::FormatRfc3339(p.created);
      j["payload"] = p.payload ? json::parse(*p.payload) : json(nullptr);
      arr.push_back(j);
    }
    Print(json{{"pending", arr}});
    return kExitOk;
  }
  if (pending->empty()) std::printf("no pending entries\n");
  for (const auto& p : *pending) {
    std::printf("%s  %-14s %d/%d approvals  subject=%s actor=%s\n  reason: %s\n",
                p.id.substr(0, 16).c_str(), p.record.kind.c_str(), p.approvals, p.needed,
                p.record.subject.c_str(), p.record.actor.c_str(), p.record.reason.c_str());
    if (p.payload) std::printf("  payload: %s\n", p.payload->c_str());
    for (const auto& who : p.approved_by) std::printf("  approved by %s\n", who.c_str());
  }
  return kExitOk;
}

int RunApprove(ControlArgs& a) {
  if (a.id.empty()) return FailMsg("missing --id (see `gatehouse ledger pending`)");
  auto key = LoadSigner(a.key);
  if (!key.ok()) return Fail(key.error());
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  auto r = (*led)->Approve(a.id, *key);
  if (!r.ok()) return Fail(r.error());
  if (a.c.json()) {
    Print(json{{"id", r->id},
               {"approvals", r->approvals},
               {"needed", r->needed},
               {"appended", r->index.has_value()},
               {"index", r->index ? json(*r->index) : json(nullptr)}});
  } else if (r->index) {
    std::printf("approved %s: quorum reached (%d of %d); appended as entry %llu\n",
                r->id.substr(0, 16).c_str(), r->approvals, r->needed,
                static_cast<unsigned long long>(*r->index));
  } else {
    std::printf("approved %s: %d of %d approvals\n", r->id.substr(0, 16).c_str(), r->approvals,
                r->needed);
  }
  return kExitOk;
}

int RunBypass(ControlArgs& a) {
  if (a.subject.empty()) return FailMsg("missing --subject (what the bypass exempts)");
  if (a.reason.empty()) return FailMsg("missing --reason");
  if (a.ticket.empty()) return FailMsg("missing --ticket");
  if (a.expires.empty()) return FailMsg("missing --expires (e.g. 4h, or an RFC 3339 time)");
  auto keys = LoadSigners(a.approve_keys);
  if (!keys.ok()) return Fail(keys.error());
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  const int64_t now = (*led)->Now();
  ledger::EntryInput e;
  e.kind = "bypass";
  e.actor = a.actor.empty() ? DefaultActor() : a.actor;
  if (e.actor.empty()) return FailMsg("missing --actor (or set GATEHOUSE_ACTOR)");
  e.subject = a.subject;
  e.reason = a.reason;
  e.ticket = a.ticket;
  e.payload = a.payload;
  e.time = ledger::FormatRfc3339(now);
  if (auto d = ledger::ParseDuration(a.expires)) {
    e.expires = ledger::FormatRfc3339(now + *d);
  } else if (ledger::ParseRfc3339(a.expires)) {
    e.expires = a.expires;
  } else {
    return FailMsg("bad --expires '" + a.expires +
                   "' (a duration like 4h or 30m, or RFC 3339 UTC)");
  }
  auto r = (*led)->Append({e}, *keys);
  if (!r.ok()) return Fail(r.error());
  if (a.c.json()) {
    json j = OutcomesJson(*r);
    j["expires"] = e.expires;
    Print(j);
  } else {
    PrintOutcomesText(*r);
    std::printf("bypass of %s expires %s\n", e.subject.c_str(), e.expires.c_str());
  }
  return kExitOk;
}

int RunBypasses(ControlArgs& a) {
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  auto list = (*led)->Bypasses(a.active, a.subject);
  if (!list.ok()) return Fail(list.error());
  if (a.c.json()) {
    json arr = json::array();
    for (const auto& b : *list) {
      json j = RecordJson(b.record);
      j["index"] = b.index;
      j["approved"] = b.approved;
      j["active"] = b.active;
      if (!b.problem.empty()) j["problem"] = b.problem;
      arr.push_back(j);
    }
    Print(json{{"bypasses", arr}});
    return kExitOk;
  }
  if (list->empty()) std::printf(a.active ? "no active bypasses\n" : "no bypasses\n");
  for (const auto& b : *list) {
    std::printf("#%llu %-8s %s until %s ticket=%s actor=%s\n  reason: %s\n",
                static_cast<unsigned long long>(b.index),
                b.active ? "ACTIVE" : (b.approved ? "expired" : "INVALID"),
                b.record.subject.c_str(), b.record.expires.c_str(), b.record.ticket.c_str(),
                b.record.actor.c_str(), b.record.reason.c_str());
    if (!b.problem.empty()) std::printf("  problem: %s\n", b.problem.c_str());
  }
  return kExitOk;
}

int RunRedact(ControlArgs& a) {
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  int64_t before;
  if (!a.older_than.empty() && !a.before.empty())
    return FailMsg("give either --older-than or --before");
  if (auto d = a.older_than.empty() ? std::nullopt : ledger::ParseDuration(a.older_than)) {
    before = (*led)->Now() - *d;
  } else if (auto t = a.before.empty() ? std::nullopt : ledger::ParseRfc3339(a.before)) {
    before = *t;
  } else {
    return FailMsg("give --older-than DURATION (e.g. 365d) or --before RFC3339-TIME");
  }
  const std::string actor = a.actor.empty() ? DefaultActor() : a.actor;
  auto r = (*led)->Redact(before, a.kinds, actor, a.reason, a.dry_run);
  if (!r.ok()) return Fail(r.error());
  if (a.c.json()) {
    Print(json{{"redacted", r->redacted},
               {"before", ledger::FormatRfc3339(before)},
               {"dry_run", a.dry_run},
               {"record_index", r->record_index ? json(*r->record_index) : json(nullptr)}});
  } else {
    std::printf("%s %llu payloads of entries before %s", a.dry_run ? "would redact" : "redacted",
                static_cast<unsigned long long>(r->redacted),
                ledger::FormatRfc3339(before).c_str());
    if (r->record_index)
      std::printf(" (recorded as entry %llu)", static_cast<unsigned long long>(*r->record_index));
    std::printf("\n");
  }
  return kExitOk;
}

int RunPolicy(ControlArgs& a) {
  auto led = OpenLedger(a.c);
  if (!led.ok()) return Fail(led.error());
  if (!a.set) {
    auto p = (*led)->CurrentPolicy();
    if (!p.ok()) return Fail(p.error());
    json approvers = json::array();
    for (const auto& k : p->approvers) approvers.push_back(k.ToString());
    if (a.c.json()) {
      Print(json{{"dual_control", p->dual_control},
                 {"quorum", p->quorum},
                 {"approvers", approvers},
                 {"index", p->index ? json(*p->index) : json(nullptr)}});
    } else {
      std::printf("policy %s\nquorum: %d\ndual-control kinds:",
                  p->index ? ("from entry " + std::to_string(*p->index)).c_str() : "(default)",
                  p->quorum);
      for (const auto& k : p->dual_control) std::printf(" %s", k.c_str());
      std::printf("\napprovers:%s\n", p->approvers.empty() ? " any Ed25519 key" : "");
      for (const auto& k : p->approvers) std::printf("  %s\n", k.ToString().c_str());
    }
    return kExitOk;
  }
  ledger::Policy p;
  p.quorum = a.quorum;
  if (!a.dual_control.empty()) p.dual_control = a.dual_control;
  for (const auto& k : a.approvers) {
    auto key = LoadVerifier(k);
    if (!key.ok()) return Fail(key.error());
    p.approvers.push_back(std::move(*key));
  }
  const std::string payload = ledger::PolicyPayload(p);
  auto check = ledger::ParsePolicyPayload(payload);
  if (!check.ok()) return Fail(check.error());
  auto keys = LoadSigners(a.approve_keys);
  if (!keys.ok()) return Fail(keys.error());
  ledger::EntryInput e;
  e.kind = "ledger-policy";
  e.actor = a.actor.empty() ? DefaultActor() : a.actor;
  if (e.actor.empty()) return FailMsg("missing --actor (or set GATEHOUSE_ACTOR)");
  e.reason = a.reason.empty() ? "ledger policy change" : a.reason;
  e.payload = payload;
  auto r = (*led)->Append({e}, *keys);
  if (!r.ok()) return Fail(r.error());
  if (a.c.json())
    Print(OutcomesJson(*r));
  else
    PrintOutcomesText(*r);
  return kExitOk;
}

template <typename Args>
void Bind(CLI::App* cmd, std::function<int()>* run, std::shared_ptr<Args> args, int (*fn)(Args&)) {
  cmd->callback([run, args, fn] { *run = [args, fn] { return fn(*args); }; });
}

}  // namespace

void AddLedgerCommand(CLI::App& app, std::function<int()>* run) {
  CLI::App* group = app.add_subcommand(
      "ledger", "Tamper-evident audit ledger: RFC 9162 Merkle log with signed checkpoints");
  group->require_subcommand(1);

  {
    auto a = std::make_shared<AppendArgs>();
    auto* cmd = group->add_subcommand(
        "append", "Append one entry from flags, or JSON Lines from stdin (one batch, atomic)");
    AddCommon(cmd, &a->c, true);
    cmd->add_option("--kind", a->e.kind, "Entry kind: deploy, gate-decision, secret-access, ...");
    cmd->add_option("--actor", a->e.actor, "Who (default $GATEHOUSE_ACTOR, $GITHUB_ACTOR, $USER)");
    cmd->add_option("--reason", a->e.reason, "Why");
    cmd->add_option("--subject", a->e.subject, "What it is about (service, artifact, secret)");
    cmd->add_option("--time", a->e.time, "RFC 3339 UTC time (default: now)");
    cmd->add_option("--ticket", a->e.ticket, "Change or incident ticket");
    cmd->add_option("--expires", a->e.expires, "RFC 3339 UTC expiry");
    cmd->add_option("--payload", a->e.payload, "Payload: any JSON value");
    cmd->add_option("--approve-key", a->approve_keys,
                    "Approve with this private key file (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--input", a->input, "Read JSON Lines from FILE instead of stdin");
    cmd->add_option("--batch-size", a->batch_size,
                    "Commit every N lines (default: the whole input is one batch)");
    Bind(cmd, run, a, RunAppend);
  }
  {
    auto a = std::make_shared<ReadArgs>();
    auto* cmd = group->add_subcommand("root", "Print the tree size and root hash");
    AddCommon(cmd, &a->c, true);
    cmd->add_option("--size", a->size, "Root of the tree at this size (default: current)");
    Bind(cmd, run, a, RunRoot);
  }
  {
    auto a = std::make_shared<ReadArgs>();
    auto* cmd = group->add_subcommand("prove", "Inclusion proof (audit path) of one entry");
    AddCommon(cmd, &a->c, false);
    cmd->add_option("--index", a->index, "Entry index")->required();
    cmd->add_option("--size", a->size, "Tree size (default: current)");
    Bind(cmd, run, a, RunProve);
  }
  {
    auto a = std::make_shared<ReadArgs>();
    auto* cmd = group->add_subcommand("consistency", "Consistency proof between two tree sizes");
    AddCommon(cmd, &a->c, false);
    cmd->add_option("--from", a->from, "Older tree size")->required();
    cmd->add_option("--to", a->to, "Newer tree size (default: current)");
    Bind(cmd, run, a, RunConsistency);
  }
  {
    auto a = std::make_shared<ReadArgs>();
    auto* cmd = group->add_subcommand(
        "export", "Print entries as JSON Lines with their exact leaf bytes (base64 'leaf')");
    AddCommon(cmd, &a->c, false);
    cmd->add_option("--from", a->from, "First index (default 0)");
    cmd->add_option("--to", a->to, "End index, exclusive (default: tree size)");
    Bind(cmd, run, a, RunExport);
  }
  {
    auto a = std::make_shared<ReadArgs>();
    auto* cmd = group->add_subcommand(
        "verify", "Recompute every hash and checkpoint; exit 1 naming the first altered entry");
    AddCommon(cmd, &a->c, false);
    cmd->add_option("--key", a->keys, "Trusted log public key (file or key); repeatable")
        ->allow_extra_args(false);
    Bind(cmd, run, a, RunVerify);
  }
  {
    auto a = std::make_shared<KeyArgs>();
    auto* cmd = group->add_subcommand("keygen", "Create an Ed25519 key pair (signed-note format)");
    cmd->add_option("--format", a->c.format, "Output format: text or json")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_option("--name", a->name, "Key name, e.g. ledger.example.com/prod")->required();
    cmd->add_option("--out", a->out, "Write PREFIX.key (0600) and PREFIX.pub")->required();
    cmd->add_flag("--witness", a->witness, "A witness cosigning key (tlog-cosignature, type 0x04)");
    Bind(cmd, run, a, RunKeygen);
  }
  {
    auto a = std::make_shared<KeyArgs>();
    auto* cmd =
        group->add_subcommand("checkpoint", "Sign and store a C2SP checkpoint of the current tree");
    AddCommon(cmd, &a->c, false);
    cmd->add_option("--key", a->key, "Log private key file")->required();
    cmd->add_option("--origin", a->origin, "Origin line (default: the key name)");
    cmd->add_option("-o,--output", a->output, "Write the checkpoint to FILE");
    Bind(cmd, run, a, RunCheckpoint);
  }
  {
    auto a = std::make_shared<KeyArgs>();
    auto* cmd = group->add_subcommand(
        "verify-checkpoint", "Verify a checkpoint's signature (and witnesses, and the ledger)");
    AddCommon(cmd, &a->c, false);
    cmd->add_option("--key", a->key, "The log's public key (file or key)")->required();
    cmd->add_option("--checkpoint", a->checkpoint, "Checkpoint file (default: stdin)");
    cmd->add_option("--witness", a->witnesses, "A witness public key that must cosign; repeatable")
        ->allow_extra_args(false);
    cmd->add_option("--min-witnesses", a->min_witnesses,
                    "How many of the --witness keys must cosign (default: all)");
    Bind(cmd, run, a, RunVerifyCheckpoint);
  }
  {
    auto a = std::make_shared<KeyArgs>();
    auto* cmd = group->add_subcommand(
        "cosign", "Witness: check a checkpoint against the ledger and add a cosignature");
    AddCommon(cmd, &a->c, false);
    cmd->add_option("--key", a->key, "Witness private key file (keygen --witness)")->required();
    cmd->add_option("--log-key", a->log_key, "The log's public key (file or key)")->required();
    cmd->add_option("--checkpoint", a->checkpoint, "Checkpoint file (default: stdin)");
    cmd->add_option("--state", a->state,
                    "Witness state file: refuse checkpoints inconsistent with the last cosigned");
    cmd->add_option("-o,--output", a->output, "Write the cosigned checkpoint to FILE");
    Bind(cmd, run, a, RunCosign);
  }
  {
    auto a = std::make_shared<ControlArgs>();
    auto* cmd = group->add_subcommand("pending", "List dual-control entries awaiting approval");
    AddCommon(cmd, &a->c, false);
    Bind(cmd, run, a, RunPending);
  }
  {
    auto a = std::make_shared<ControlArgs>();
    auto* cmd = group->add_subcommand(
        "approve", "Approve a pending entry; it is appended once the quorum is reached");
    AddCommon(cmd, &a->c, false);
    cmd->add_option("--id", a->id, "Pending id (at least 8 hex digits)")->required();
    cmd->add_option("--key", a->key, "Approver private key file")->required();
    Bind(cmd, run, a, RunApprove);
  }
  {
    auto a = std::make_shared<ControlArgs>();
    auto* cmd =
        group->add_subcommand("bypass", "Record a time-bound break-glass exception (dual control)");
    AddCommon(cmd, &a->c, true);
    cmd->add_option("--subject", a->subject, "What is exempted (service, gate, artifact)")
        ->required();
    cmd->add_option("--reason", a->reason, "Reason for access")->required();
    cmd->add_option("--ticket", a->ticket, "Incident or change ticket")->required();
    cmd->add_option("--expires", a->expires, "Duration (4h, 30m) or RFC 3339 UTC time")->required();
    cmd->add_option("--actor", a->actor, "Who (default $GATEHOUSE_ACTOR, $USER)");
    cmd->add_option("--payload", a->payload, "Extra JSON");
    cmd->add_option("--approve-key", a->approve_keys, "Approver private key file; repeatable")
        ->allow_extra_args(false);
    Bind(cmd, run, a, RunBypass);
  }
  {
    auto a = std::make_shared<ControlArgs>();
    auto* cmd = group->add_subcommand("bypasses", "List recorded bypasses, newest first");
    AddCommon(cmd, &a->c, false);
    cmd->add_flag("--active", a->active, "Only approved, unexpired bypasses");
    cmd->add_option("--subject", a->subject, "Only bypasses of this subject");
    Bind(cmd, run, a, RunBypasses);
  }
  {
    auto a = std::make_shared<ControlArgs>();
    auto* cmd = group->add_subcommand(
        "redact", "Retention: erase old payloads; leaves, proofs and checkpoints stay valid");
    AddCommon(cmd, &a->c, false);
    cmd->add_option("--older-than", a->older_than, "Entries older than this (e.g. 365d)");
    cmd->add_option("--before", a->before, "Entries before this RFC 3339 UTC time");
    cmd->add_option("--kind", a->kinds, "Only these kinds; repeatable")->allow_extra_args(false);
    cmd->add_option("--actor", a->actor, "Who redacts (recorded; default $USER)");
    cmd->add_option("--reason", a->reason, "Why (recorded)");
    cmd->add_flag("--dry-run", a->dry_run, "Only count");
    Bind(cmd, run, a, RunRedact);
  }
  {
    auto a = std::make_shared<ControlArgs>();
    auto* cmd = group->add_subcommand(
        "policy", "Show the dual-control policy, or propose a new one with --set");
    AddCommon(cmd, &a->c, true);
    cmd->add_flag("--set", a->set, "Append a new policy (itself dual-control)");
    cmd->add_option("--approver", a->approvers, "Approver public key (file or key); repeatable")
        ->allow_extra_args(false);
    cmd->add_option("--quorum", a->quorum, "Approvals needed from distinct keys (>= 2)");
    cmd->add_option("--dual-control", a->dual_control, "A dual-control kind; repeatable")
        ->allow_extra_args(false);
    cmd->add_option("--actor", a->actor, "Who (default $USER)");
    cmd->add_option("--reason", a->reason, "Why");
    cmd->add_option("--approve-key", a->approve_keys, "Approver private key file; repeatable")
        ->allow_extra_args(false);
    Bind(cmd, run, a, RunPolicy);
  }
}

}  // namespace gatehouse::cli
