package docker

import rego.v1

deny contains msg if {
	some cmd in input
	cmd.Cmd == "user"
	cmd.Value[0] == "root"
	msg := "containers must not run as root"
}

warn contains msg if {
	some cmd in input
	cmd.Cmd == "from"
	endswith(cmd.Value[0], ":latest")
	msg := sprintf("stage %d uses a latest base image: %s", [cmd.Stage, cmd.Value[0]])
}

deny_flags contains msg if {
	some cmd in input
	cmd.Cmd == "copy"
	some f in cmd.Flags
	startswith(f, "--chown=")
	msg := sprintf("COPY sets ownership with %s", [f])
}
