package xml

import rego.v1

deny contains msg if {
	some dep in input.project.dependencies.dependency
	dep.artifactId == "log4j-core"
	semver.compare(dep.version, "2.17.1") < 0
	msg := sprintf("log4j-core %s is vulnerable (CVE-2021-44228)", [dep.version])
}

warn contains msg if {
	some dep in input.project.dependencies.dependency
	dep["-scope"] == "test"
	msg := sprintf("test dependency %s", [dep.artifactId])
}
