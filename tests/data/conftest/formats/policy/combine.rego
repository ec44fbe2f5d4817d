package combined

import rego.v1

# --combine: input is [{path, contents}]; every Deployment name must be unique.
deny contains msg if {
	some i, j
	input[i].contents.kind == "Deployment"
	input[j].contents.kind == "Deployment"
	i < j
	input[i].contents.metadata.name == input[j].contents.metadata.name
	msg := sprintf("duplicate deployment %s in %s and %s", [input[i].contents.metadata.name, input[i].path, input[j].path])
}

warn contains msg if {
	msg := sprintf("combined %d documents", [count(input)])
}
