package toml

import rego.v1

deny contains msg if {
	input.server.tls == false
	msg := sprintf("%s: TLS disabled for users %v", [input.title, [u.name | some u in input.users]])
}
