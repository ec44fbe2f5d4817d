package main

import rego.v1

# Services labelled legacy may stay NodePorts: the rule deny_service_type
# is excepted (conftest exceptions name the rule without its deny_ prefix).
exception contains rules if {
	input.kind == "Service"
	input.metadata.labels.legacy == "true"
	rules := {"service_type"}
}
