package registries

import rego.v1

# Uses --data tests/data/conftest/data (loaded at data.teams.allowed_registries).
deny contains msg if {
	some c in input.spec.template.spec.containers
	not allowed(c.image)
	msg := sprintf("image %s is not from an allowed registry", [c.image])
}

allowed(image) if {
	some r in data.teams.allowed_registries
	startswith(image, concat("", [r, "/"]))
}
