// Internal to src/iac: Kubernetes manifest checks (Pod Security Standards
// baseline/restricted and the best-practice rules) over parsed YAML/JSON
// documents, including Helm templates after neutralization (helm.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatehouse/document.h"
#include "gatehouse/finding.h"
#include "gatehouse/iac.h"

namespace gatehouse {
class SecretScanner;
}

namespace gatehouse::iac {

// Where values that did not come from the source file itself came from
// (Helm: values.yaml / Chart.yaml), and which values are unknown (a
// template action we could not resolve: checks neither trust nor blame it).
// Values are keyed by (index of their Document in K8sSource::docs, value index).
struct ValueOrigins {
  using Key = std::pair<size_t, uint32_t>;
  std::map<Key, std::string> path;  // value -> file
  std::set<Key> unknown;
};

// One file's documents: a plain manifest, or one Helm template resolved.
struct K8sSource {
  std::string path;
  std::string_view content;  // for secret-engine scans of plain manifests ("" for Helm)
  std::vector<std::unique_ptr<Document>> docs;
  std::unique_ptr<ValueOrigins> origins;  // Helm only
  bool helm = false;
};

// True when a parsed document looks like a Kubernetes object (apiVersion and
// kind are strings).
bool IsK8sObject(DocValue root);

// Runs every k8s/... rule over all sources at once (PDBs, NetworkPolicies
// and namespace labels are looked up across files). Appends findings and
// fills the Kubernetes part of the inventory.
void AnalyzeKubernetes(const std::vector<K8sSource>& sources, const IacOptions& options,
                       const SecretScanner* scanner, std::vector<Finding>* out,
                       IacInventory* inventory);

}  // namespace gatehouse::iac
