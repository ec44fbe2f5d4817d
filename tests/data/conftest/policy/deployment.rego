package main

import rego.v1

# Conftest-style policies for Kubernetes manifests (fixtures for
# `gatehouse policy test`).

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s: containers must not run as root", [input.metadata.name])
}

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.selector.matchLabels.app
	msg := sprintf("%s: must provide app label for pod selectors", [input.metadata.name])
}

warn contains msg if {
	some c in input.spec.template.spec.containers
	endswith(c.image, ":latest")
	msg := sprintf("%s: image %s uses the latest tag", [input.metadata.name, c.image])
}

violation_privileged contains {"msg": msg, "container": c.name, "severity": "high"} if {
	some c in input.spec.template.spec.containers
	c.securityContext.privileged
	msg := sprintf("container %s is privileged", [c.name])
}

deny_service_type contains msg if {
	input.kind == "Service"
	input.spec.type == "NodePort"
	msg := sprintf("service %s must not be a NodePort", [input.metadata.name])
}
