package fileinfo

import rego.v1

deny contains msg if {
	endswith(data.conftest.file.name, ".toml")
	msg := sprintf("file %s is TOML", [data.conftest.file.name])
}
