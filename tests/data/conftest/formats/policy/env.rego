package env

import rego.v1

deny contains msg if {
	input.DEBUG == "true"
	msg := sprintf("DEBUG must be off in %s (url %s, literal %s)", [input.APP_ENV, input.URL, input.LITERAL])
}
