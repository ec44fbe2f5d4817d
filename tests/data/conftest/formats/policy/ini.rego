package ini

import rego.v1

deny contains msg if {
	input.server.debug == "true"
	msg := sprintf("debug is enabled on port %s", [input.server.port])
}

deny_tls contains msg if {
	input.database.tls == "false"
	msg := "database connections must use TLS"
}
